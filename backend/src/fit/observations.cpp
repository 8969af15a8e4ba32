// SPDX-License-Identifier: GPL-3.0-or-later
#include "observations.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "anneal/error.h"
#include "anneal/fit/annealing_area.h"
#include "anneal/fit/law.h"

namespace anneal::fit::detail {

namespace {

[[noreturn]] void inputError(const std::string& field, const std::string& message,
                             const std::string& allowed = {}) {
    throw Error(ErrorCode::InvalidInput, message, field, allowed);
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// Every value finite and > 0 (or >= 0 when zeroOk).
void checkPositive(const std::vector<double>& v, const std::string& name, bool zeroOk = false) {
    for (size_t i = 0; i < v.size(); ++i) {
        const bool bad = !std::isfinite(v[i]) || v[i] < 0.0 || (!zeroOk && v[i] == 0.0);
        if (bad) {
            inputError("input." + name + "[" + std::to_string(i) + "]", "got " + fmt(v[i]),
                       zeroOk ? "a finite number >= 0" : "a finite number > 0");
        }
    }
}

void checkLength(const std::vector<double>& v, size_t n, const std::string& name) {
    if (!v.empty() && v.size() != n) {
        inputError("input." + name, "has " + std::to_string(v.size()) + " values but there are " +
                                        std::to_string(n) + " points");
    }
}

void requireFilled(const std::vector<double>& v, const std::string& name, const std::string& law) {
    if (v.empty()) {
        inputError("input." + name, "the " + law + " law needs it");
    }
}

// The power law's variable: FitOptions::variable, or the only predictor given.
std::string resolveVariable(const FitInput& in, const std::string& requested) {
    const std::string allowed = "auto | N | D | C | x | steps";
    if (requested == "N" || requested == "D" || requested == "C" || requested == "x") {
        return requested;
    }
    if (requested == "steps") {
        return "x";
    }
    if (requested != "auto") {
        inputError("options.variable", "unknown variable '" + requested + "'", allowed);
    }
    if (!in.x.empty()) {
        return "x";
    }
    std::vector<std::string> given;
    if (!in.n.empty()) {
        given.push_back("N");
    }
    if (!in.d.empty()) {
        given.push_back("D");
    }
    if (!in.c.empty()) {
        given.push_back("C");
    }
    if (given.size() != 1) {
        inputError("options.variable",
                   "the power law needs one variable; give x or exactly one of N, D, C "
                   "or name it",
                   allowed);
    }
    return given.front();
}

void addPoints(const FitInput& in, const std::string& law, Observations& obs, const std::string& variable) {
    const size_t n = std::max(
        {in.n.size(), in.d.size(), in.c.size(), in.x.size(), in.loss.size(), in.lr.size(), in.batch.size()});
    for (const auto& [v, name] : {std::pair{&in.n, "n"},
                                  {&in.d, "d"},
                                  {&in.c, "c"},
                                  {&in.x, "x"},
                                  {&in.loss, "loss"},
                                  {&in.lr, "lr"},
                                  {&in.batch, "batch"},
                                  {&in.weight, "weight"}}) {
        checkLength(*v, n, name);
        checkPositive(*v, name, std::string(name) == "weight");
    }
    if (!in.labels.empty() && in.labels.size() != n) {
        inputError("input.labels", "has " + std::to_string(in.labels.size()) + " values but there are " +
                                       std::to_string(n) + " points");
    }
    if (n == 0) {
        inputError("input", "no points to fit");
    }
    std::vector<double> dd = in.d;
    if (law == "chinchilla" || law == "kaplan" || law == "steplaw") {
        requireFilled(in.n, "n", law);
        if (dd.empty() && !in.c.empty()) {
            // D derived from compute when only FLOPs are known (METHODS 7.2 pitfall (c)): C = 6ND.
            dd.resize(n);
            for (size_t i = 0; i < n; ++i) {
                dd[i] = in.c[i] / (6.0 * in.n[i]);
            }
        }
        if (dd.empty()) {
            inputError("input.d", "the " + law + " law needs D (or C, then D = C/(6N))");
        }
    }
    std::vector<std::pair<const std::vector<double>*, std::string>> targets;
    if (law == "steplaw") {
        if (in.lr.empty() && in.batch.empty()) {
            inputError("input.lr", "the steplaw law needs the best lr and/or the best batch of each cell");
        }
        if (!in.lr.empty()) {
            targets.emplace_back(&in.lr, "lr");
        }
        if (!in.batch.empty()) {
            targets.emplace_back(&in.batch, "batch");
        }
    } else {
        requireFilled(in.loss, "loss", law);
        targets.emplace_back(&in.loss, "loss");
    }
    const std::vector<double>* xs = nullptr;
    if (law == "power") {
        xs = variable == "N" ? &in.n : variable == "D" ? &in.d : variable == "C" ? &in.c : &in.x;
        requireFilled(*xs, variable == "x" ? "x" : variable == "N" ? "n" : variable == "D" ? "d" : "c", law);
    }
    for (const auto& [values, name] : targets) {
        for (size_t i = 0; i < n; ++i) {
            obs.n.push_back(in.n.empty() ? kNaN : in.n[i]);
            obs.d.push_back(dd.empty() ? kNaN : dd[i]);
            obs.c.push_back(in.c.empty() ? kNaN : in.c[i]);
            obs.x.push_back(xs ? (*xs)[i] : (in.x.empty() ? kNaN : in.x[i]));
            obs.target.push_back((*values)[i]);
            obs.weight.push_back(in.weight.empty() ? 1.0 : in.weight[i]);
            obs.curve.push_back(-1);
            obs.index.push_back(i);
            obs.targetName.push_back(name);
            obs.label.push_back(in.labels.empty() ? std::string() : in.labels[i]);
        }
    }
}

void addCurves(const FitInput& in, const FitOptions& options, const std::string& law, Observations& obs) {
    if (in.curves.empty()) {
        inputError("input.curves", "the " + law + " law needs at least one loss curve");
    }
    size_t skipped = 0;
    for (size_t ci = 0; ci < in.curves.size(); ++ci) {
        Curve cv = in.curves[ci];
        const std::string f = "input.curves[" + std::to_string(ci) + "]";
        if (cv.lr.empty()) {
            inputError(f + ".lr", "is empty; the law needs the LR of every update");
        }
        checkPositive(cv.lr, "curves[" + std::to_string(ci) + "].lr", true);
        if (cv.steps.size() != cv.losses.size()) {
            inputError(f + ".losses", "has " + std::to_string(cv.losses.size()) + " values for " +
                                          std::to_string(cv.steps.size()) + " steps");
        }
        if (!cv.weights.empty() && cv.weights.size() != cv.steps.size()) {
            inputError(f + ".weights", "has " + std::to_string(cv.weights.size()) + " values for " +
                                           std::to_string(cv.steps.size()) + " steps");
        }
        checkPositive(cv.losses, "curves[" + std::to_string(ci) + "].losses");
        checkPositive(cv.weights, "curves[" + std::to_string(ci) + "].weights", true);
        for (size_t k = 0; k < cv.steps.size(); ++k) {
            const std::string fs = f + ".steps[" + std::to_string(k) + "]";
            if (cv.steps[k] < 0 || cv.steps[k] >= static_cast<int64_t>(cv.lr.size())) {
                inputError(fs,
                           "step " + std::to_string(cv.steps[k]) + " has no LR (the curve has " +
                               std::to_string(cv.lr.size()) + " updates)",
                           "0 .. " + std::to_string(cv.lr.size() - 1));
            }
            if (k > 0 && cv.steps[k] <= cv.steps[k - 1]) {
                inputError(fs,
                           std::string(cv.steps[k] == cv.steps[k - 1] ? "duplicate" : "unsorted") + " step " +
                               std::to_string(cv.steps[k]) + " after " + std::to_string(cv.steps[k - 1]),
                           "strictly increasing steps");
            }
        }
        if (cv.warmupSteps < 0) {
            cv.warmupSteps = detectWarmupSteps(cv.lr);
        } else if (cv.warmupSteps >= static_cast<int64_t>(cv.lr.size())) {
            inputError(f + ".warmupSteps", "is beyond the last update", "< " + std::to_string(cv.lr.size()));
        }
        // S1 with the fitted warmup mode (mpl: the LR sum including warmup, S1 + S_W); losses with
        // S1 = 0 (no LR seen yet) cannot be fitted.
        std::vector<double> s1;
        if (law == "mpl") {
            double sum = 0.0;
            for (double eta : cv.lr) {
                s1.push_back(sum += eta);
            }
        } else {
            s1 = annealingAreas(cv.lr, options.lambda, options.warmup, cv.warmupSteps).s1;
        }
        for (size_t k = 0; k < cv.steps.size(); ++k) {
            if (!(s1[static_cast<size_t>(cv.steps[k])] > 0.0)) {
                ++skipped;
                continue;
            }
            obs.n.push_back(kNaN);
            obs.d.push_back(kNaN);
            obs.c.push_back(kNaN);
            obs.x.push_back(static_cast<double>(cv.steps[k]));
            obs.target.push_back(cv.losses[k]);
            obs.weight.push_back(cv.weights.empty() ? 1.0 : cv.weights[k]);
            obs.curve.push_back(static_cast<int>(ci));
            obs.index.push_back(k);
            obs.targetName.push_back("loss");
            obs.label.push_back(cv.name);
        }
        obs.curves.push_back(std::move(cv));
    }
    if (skipped > 0) {
        obs.warnings.push_back(
            {"curves", std::to_string(skipped) + " losses logged before any LR area (S1 = 0) were left out"});
    }
    if (obs.size() == 0) {
        inputError("input.curves", "no loss has a positive forward area S1");
    }
}

}  // namespace

Observations buildObservations(const FitInput& input, const FitOptions& options, const std::string& law) {
    Observations obs;
    if (isCurveLaw(law)) {
        if (!(options.lambda >= 0.0 && options.lambda <= 1.0)) {
            inputError("options.lambda", "got " + fmt(options.lambda), "0 <= lambda <= 1");
        }
        addCurves(input, options, law, obs);
        return obs;
    }
    if (law == "power") {
        obs.variable = resolveVariable(input, options.variable);
    }
    addPoints(input, law, obs, obs.variable);
    return obs;
}

}  // namespace anneal::fit::detail
