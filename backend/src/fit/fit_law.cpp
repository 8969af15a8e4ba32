// SPDX-License-Identifier: GPL-3.0-or-later
// fitLaw(): validate, build the law's model, multi-start L-BFGS over the grid in parallel (METHODS 7.2:
// Hoffmann et al.'s procedure, replicated exactly by Epoch), keep the best objective, then score the
// hold-out set and estimate uncertainty.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "fit_steps.h"
#include "lbfgs.h"
#include "model.h"
#include "uncertainty.h"

namespace anneal::fit {

namespace {

using namespace detail;

void validateOptions(const FitOptions& o) {
    auto bad = [](const std::string& field, const std::string& allowed) {
        throw Error(ErrorCode::InvalidInput, "invalid value", "options." + field, allowed);
    };
    if (!(o.huberDelta > 0.0) || !std::isfinite(o.huberDelta)) {
        bad("huberDelta", "> 0");
    }
    if (!(o.ciLevel > 0.0 && o.ciLevel < 1.0)) {
        bad("ciLevel", "0 < level < 1");
    }
    if (o.bootstrap < 0) {
        bad("bootstrap", ">= 0");
    }
    if (o.bootstrapExtraStarts < 0) {
        bad("bootstrapExtraStarts", ">= 0");
    }
    if (o.threads < 0) {
        bad("threads", ">= 0 (0: all hardware threads)");
    }
    if (o.maxIterations <= 0) {
        bad("maxIterations", "> 0");
    }
    if (o.polishStarts < 0) {
        bad("polishStarts", ">= 0");
    }
    if (!(o.polishTolerance >= 0.0)) {
        bad("polishTolerance", ">= 0");
    }
    if (!(o.functionTolerance >= 0.0) || !(o.gradientTolerance >= 0.0) || !(o.parameterTolerance >= 0.0)) {
        bad("functionTolerance", "tolerances >= 0");
    }
}

std::vector<std::vector<double>> startingThetas(const LawImpl& law, const Observations& obs,
                                                const FitOptions& options, const ParamMap& map) {
    std::vector<std::vector<double>> raw;
    if (options.starts.empty()) {
        raw = law.thetaGrid(obs, options);
    } else {
        for (size_t s = 0; s < options.starts.size(); ++s) {
            const auto& p = options.starts[s];
            const std::string field = "options.starts[" + std::to_string(s) + "]";
            if (p.size() != law.params().size()) {
                throw Error(ErrorCode::InvalidInput, "needs one value per parameter", field,
                            std::to_string(law.params().size()) + " values");
            }
            for (size_t j = 0; j < p.size(); ++j) {
                if (!std::isfinite(p[j]) || (law.params()[j].logScale && p[j] <= 0.0)) {
                    throw Error(ErrorCode::InvalidInput, "invalid start for " + law.params()[j].name, field,
                                law.params()[j].logScale ? "finite numbers > 0" : "finite numbers");
                }
            }
            raw.push_back(toTheta(law, p));
        }
    }
    // Fixed parameters make some grid points identical; run each distinct start once, in grid order.
    std::vector<std::vector<double>> out;
    std::set<std::vector<double>> seen;
    for (auto& t : raw) {
        auto f = map.withFixed(t);
        if (seen.insert(f).second) {
            out.push_back(std::move(f));
        }
    }
    return out;
}

SolverSettings solverSettings(const FitOptions& o) {
    return {o.maxIterations, o.functionTolerance, o.gradientTolerance, o.parameterTolerance};
}

SolverSettings polishSettings(const FitOptions& o) {
    return {o.maxIterations, o.polishTolerance, o.polishTolerance, o.polishTolerance};
}

// Converged before not converged, then the lower objective.
bool better(const LocalFit& x, const LocalFit& y) {
    if (x.converged != y.converged) {
        return x.converged;
    }
    return x.objective < y.objective;
}

void addBoundWarnings(const Law& law, const ParamMap& map, const std::vector<double>& theta,
                      FitResult& result) {
    for (size_t j : map.freeIndices()) {
        if (map.atBound(theta, j)) {
            result.warnings.push_back({law.params()[j].name,
                                       "the fit is at a bound of this parameter; "
                                       "its intervals are not meaningful"});
        }
    }
}

/// Curve laws: fits whose parameters the data leave in a regime the law was not made for (FITTING.md,
/// "Cooldown gains on Anneal's runs"). lr_annealing: a fixed lambda whose momentum outlasts a quarter of
/// the longest curve (0.999 remembers ~1000 updates; on 2000-update runs it predicted 36-50 % of the WSD
/// cooldown gains where a fitted lambda, 0.996, predicted 71-87 %). mpl: gamma far outside Luo et al.'s
/// 0.4-0.7 (a fit at gamma 99 overpredicted the same gains 1.75x).
void curveLawWarnings(const std::string& law, const Observations& obs, const FitOptions& options,
                      FitResult& result) {
    int64_t longest = 0;
    for (const Curve& cv : obs.curves) {
        longest = std::max<int64_t>(longest, cv.steps.empty() ? 0 : cv.steps.back() + 1);
    }
    if (law == "lr_annealing" && !options.fitLambda && options.lambda < 1.0 && longest > 0) {
        const double memory = 1.0 / (1.0 - options.lambda);
        if (memory > 0.25 * static_cast<double>(longest)) {
            char buf[360];
            std::snprintf(
                buf, sizeof buf,
                "lambda = %g remembers ~%.0f updates, more than a quarter of the longest curve (%lld "
                "updates): the annealing area of a short cooldown has not built up by the end, so "
                "cooldown gains are underpredicted; fit lambda too (--fit-lambda)",
                options.lambda, memory, static_cast<long long>(longest));
            result.warnings.push_back({"lambda", buf});
        }
    }
    if (law == "mpl") {
        const double gamma = result.value("gamma");
        if (gamma > 5.0 || gamma < 0.0) {
            char buf[360];
            std::snprintf(buf, sizeof buf,
                          "gamma = %.3g, far from the published 0.4-0.7: the drop term is not identified by "
                          "these curves (try leaving more of the early transient out with --min-step); "
                          "predictions of schedules with other LRs than those fitted are unreliable",
                          gamma);
            result.warnings.push_back({"gamma", buf});
        }
    }
}

void fitNonlinear(const LawImpl& law, const Observations& obs, const std::vector<bool>& heldOut,
                  const FitOptions& options, const ProgressFn& progress, std::atomic<bool>& cancel,
                  FitResult& result) {
    const ParamMap map(law, options);
    const std::unique_ptr<Model> model = law.makeModel(obs, options);
    std::vector<double> weights = obs.weight;
    std::vector<size_t> fitted;
    for (size_t i = 0; i < obs.size(); ++i) {
        if (heldOut[i]) {
            weights[i] = 0.0;
        } else if (weights[i] > 0.0) {
            fitted.push_back(i);
        }
    }
    if (fitted.size() < map.numFree()) {
        throw Error(ErrorCode::InvalidInput,
                    "only " + std::to_string(fitted.size()) + " points with weight > 0 to fit " +
                        std::to_string(map.numFree()) + " parameters",
                    "input", "at least as many points as free parameters");
    }
    const HuberObjective objective(*model, obs.target, weights, options.huberDelta);
    const std::vector<std::vector<double>> starts = startingThetas(law, obs, options, map);
    const SolverSettings settings = solverSettings(options);

    // Progress: split the call by the number of local fits each phase runs.
    const double bootWork = double(options.bootstrap) * double(1 + options.bootstrapExtraStarts);
    const double mainShare = double(starts.size()) / (double(starts.size()) + bootWork);
    const ProgressPhase mainPhase{&progress, 0.0, mainShare};

    std::vector<LocalFit> fits(starts.size());
    parallelFor(
        starts.size(), options.threads,
        [&](size_t i) { fits[i] = minimizeLbfgs(objective, map, starts[i], settings, &cancel); }, mainPhase,
        cancel);

    // Best objective among converged starts (Epoch keeps `result.success and fun < best`); if none
    // converged, the best finite one with a warning.
    std::vector<size_t> order;
    for (size_t i = 0; i < fits.size(); ++i) {
        if (!std::isfinite(fits[i].objective)) {
            continue;
        }
        order.push_back(i);
        result.startsConverged += fits[i].converged ? 1 : 0;
    }
    result.startsTotal = starts.size();
    if (order.empty()) {
        throw Error(ErrorCode::Numerical, "no starting point gave a finite objective", "law " + law.name());
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t x, size_t y) { return better(fits[x], fits[y]); });
    // Polish: the best few end points again at tight tolerances (the grid ran at SciPy-like ones).
    const SolverSettings tight = polishSettings(options);
    LocalFit bestFit = fits[order.front()];
    for (size_t k = 0; k < order.size() && k < static_cast<size_t>(options.polishStarts); ++k) {
        LocalFit polished = minimizeLbfgs(objective, map, fits[order[k]].theta, tight, &cancel);
        polished.converged = polished.converged || fits[order[k]].converged;
        if (std::isfinite(polished.objective) && better(polished, bestFit)) {
            bestFit = std::move(polished);
        }
    }
    reportProgress(mainPhase, 1.0, cancel);
    const LocalFit* best = &bestFit;
    if (!best->converged) {
        result.warnings.push_back({"solver", "no start met the convergence tolerances within " +
                                                 std::to_string(options.maxIterations) +
                                                 " iterations; the best one is reported"});
    }
    const std::vector<double> theta = best->theta;
    result.objective = best->objective;
    const std::vector<double> reported = toReported(law, theta);
    for (size_t j = 0; j < reported.size(); ++j) {
        ParamEstimate e;
        e.name = law.params()[j].name;
        e.value = reported[j];
        e.fixed = map.isFixed(j);
        result.params.push_back(e);
    }
    addBoundWarnings(law, map, theta, result);

    std::vector<double> logPred(obs.size());
    model->logPredict(theta.data(), logPred.data(), nullptr);
    fillPoints(obs, heldOut, logPred, result, false);

    if (options.asymptoticSe) {
        std::string problem;
        const std::vector<double> se = sandwichStandardErrors(objective, map, theta, problem);
        if (se.empty()) {
            result.warnings.push_back({"seAsymptotic", problem});
        } else {
            for (size_t j = 0; j < se.size(); ++j) {
                // Delta method for log-scale parameters: se(p) = p se(log p).
                result.params[j].seAsymptotic = law.params()[j].logScale ? reported[j] * se[j] : se[j];
            }
        }
    }
    if (options.bootstrap > 0) {
        BootstrapRequest rq;
        rq.objective = &objective;
        rq.map = &map;
        rq.bestTheta = theta;
        // Extra starts come from the law's own grid (also when the caller gave starting points).
        for (auto& t : law.thetaGrid(obs, options)) {
            rq.grid.push_back(map.withFixed(std::move(t)));
        }
        rq.fitted = fitted;
        rq.resamples = options.bootstrap;
        rq.extraStarts = options.bootstrapExtraStarts;
        rq.seed = options.seed;
        rq.threads = options.threads;
        rq.settings = polishSettings(options);
        const BootstrapOutput boot = runBootstrap(rq, {&progress, mainShare, 1.0 - mainShare}, cancel);
        for (const auto& t : boot.thetas) {
            result.bootstrapSamples.push_back(toReported(law, t));
        }
        result.bootstrapResamples = static_cast<int>(boot.thetas.size());
        result.bootstrapFailed = boot.failed;
        result.ciLevel = options.ciLevel;
        summarizeBootstrap(result.bootstrapSamples, options.ciLevel, result.params);
        if (boot.failed > 0) {
            result.warnings.push_back({"bootstrap", std::to_string(boot.failed) + " of " +
                                                        std::to_string(options.bootstrap) +
                                                        " resamples gave no finite fit and were left out"});
        }
    }
    // The annealing term's coefficient: lr_annealing's C (index 3), mpl's B (index 3).
    if (isCurveLaw(law.name()) && !map.isFixed(3)) {
        bool anyAnnealing = false;
        for (const Curve& cv : obs.curves) {
            const size_t from =
                law.name() == "mpl" ? static_cast<size_t>(std::max<int64_t>(cv.warmupSteps, 0)) + 1 : 1;
            for (size_t u = from; u < cv.lr.size(); ++u) {
                anyAnnealing |= cv.lr[u] < cv.lr[u - 1];
            }
        }
        if (!anyAnnealing && law.name() == "mpl") {
            result.warnings.push_back({"B",
                                       "no fitted curve has a decreasing LR after warmup, so B, C, beta and "
                                       "gamma are not identified by these data"});
        } else if (!anyAnnealing) {
            result.warnings.push_back({"C",
                                       "no fitted curve has a decreasing LR, so C (and lambda) are not "
                                       "identified by these data"});
        }
    }
    curveLawWarnings(law.name(), obs, options, result);
}

}  // namespace

FitResult fitLaw(const FitInput& input, const FitOptions& options, const ProgressFn& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    validateOptions(options);
    const LawImpl& law = lawImplByName(options.law);
    std::atomic<bool> cancel{false};
    reportProgress({&progress, 0.0, 1.0}, 0.0, cancel);
    const Observations obs = buildObservations(input, options, law.name());
    const std::vector<bool> heldOut = holdOutMask(obs, options, law.name());

    FitResult result;
    result.law = law.name();
    result.options = options;
    if (law.name() == "power") {
        result.options.variable = obs.variable;  // "auto" resolved
    }
    result.warnings = obs.warnings;
    result.curves = obs.curves;
    if (law.name() == "steplaw") {
        fitStepLaw(obs, heldOut, options, {&progress, 0.0, 1.0}, cancel, result);
    } else {
        fitNonlinear(law, obs, heldOut, options, progress, cancel, result);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    reportProgress({&progress, 0.0, 1.0}, 1.0, cancel);
    return result;
}

}  // namespace anneal::fit
