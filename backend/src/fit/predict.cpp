// SPDX-License-Identifier: GPL-3.0-or-later
// Predictions from a FitResult: a point for the N/D laws, a whole curve for the curve laws.
#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/annealing_area.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/mpl.h"

namespace anneal::fit {

namespace {

void need(double v, const char* field, const std::string& law) {
    if (!(v > 0.0) || !std::isfinite(v)) {
        throw Error(ErrorCode::InvalidInput, "the " + law + " law needs it finite and > 0",
                    std::string("point.") + field);
    }
}

}  // namespace

double predict(const FitResult& fit, const Point& at) {
    const Law& law = lawByName(fit.law);
    Point p = at;
    if (isCurveLaw(fit.law)) {
        throw Error(ErrorCode::InvalidInput,
                    "the " + fit.law + " law predicts whole curves: use predictCurve()", "law");
    }
    if (fit.law == "power") {
        // fitLaw() records the resolved variable ("N", "D", "C" or "x") in the options it returns.
        const std::string& v = fit.options.variable;
        p.x = v == "N" ? at.n : v == "D" ? at.d : v == "C" ? at.c : at.x;
        need(p.x, "x", fit.law);
    } else {
        need(p.n, "n", fit.law);
        if (std::isnan(p.d) && !std::isnan(p.c)) {
            p.d = p.c / (6.0 * p.n);
        }
        need(p.d, "d", fit.law);
    }
    return law.evaluate(fit.values(), p);
}

std::vector<double> predictCurve(const std::vector<double>& params, const std::vector<double>& lr,
                                 WarmupMode mode, int64_t warmupSteps) {
    const Law& law = lawByName("lr_annealing");
    if (params.size() != law.params().size()) {
        throw Error(ErrorCode::InvalidInput, "needs L0, A, alpha, C, lambda", "params");
    }
    const AnnealingAreas a = annealingAreas(lr, params[4], mode, warmupSteps);
    std::vector<double> out(lr.size());
    for (size_t u = 0; u < lr.size(); ++u) {
        out[u] = a.s1[u] > 0.0 ? law.evaluate(params, Point{kNaN, kNaN, kNaN, kNaN, a.s1[u], a.s2[u], kNaN})
                               : kNaN;
    }
    return out;
}

std::vector<double> predictCurve(const FitResult& fit, const std::vector<double>& lr, int64_t warmupSteps) {
    if (!isCurveLaw(fit.law)) {
        throw Error(ErrorCode::InvalidInput,
                    "predictCurve() needs an lr_annealing or mpl fit, not " + fit.law, "law");
    }
    if (fit.law == "mpl") {
        return mplCurve(fit.values(), lr, warmupSteps);
    }
    return predictCurve(fit.values(), lr, fit.options.warmup, warmupSteps);
}

std::vector<double> predictCurveAt(const FitResult& fit, const std::vector<double>& lr,
                                   const std::vector<int64_t>& steps, int64_t warmupSteps) {
    if (fit.law == "mpl") {
        return mplEvaluate(fit.values(), lr, steps, warmupSteps).loss;
    }
    for (size_t i = 0; i < steps.size(); ++i) {
        if (steps[i] < 0 || steps[i] >= static_cast<int64_t>(lr.size()) ||
            (i > 0 && steps[i] <= steps[i - 1])) {
            throw Error(ErrorCode::InvalidInput, "steps must be strictly increasing update indices",
                        "steps[" + std::to_string(i) + "]", "0 .. " + std::to_string(lr.size()) + " - 1");
        }
    }
    const std::vector<double> all = predictCurve(fit, lr, warmupSteps);
    std::vector<double> out;
    for (int64_t u : steps) {
        out.push_back(all[static_cast<size_t>(u)]);
    }
    return out;
}

}  // namespace anneal::fit
