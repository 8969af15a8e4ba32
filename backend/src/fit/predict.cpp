// SPDX-License-Identifier: GPL-3.0-or-later
// Predictions from a FitResult: a point for the N/D laws, a whole curve for lr_annealing.
#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/annealing_area.h"
#include "anneal/fit/fit.h"

namespace anneal::fit {

namespace {

void need(double v, const char* field, const std::string& law) {
    if (!(v > 0.0) || !std::isfinite(v)) {
        throw Error(ErrorCode::InvalidInput, "the " + law + " law needs it finite and > 0", std::string("point.") + field);
    }
}

}  // namespace

double predict(const FitResult& fit, const Point& at) {
    const Law& law = lawByName(fit.law);
    Point p = at;
    if (fit.law == "lr_annealing") {
        throw Error(ErrorCode::InvalidInput, "the lr_annealing law predicts whole curves: use predictCurve()", "law");
    }
    if (fit.law == "power") {
        // fitLaw() records the resolved variable ("N", "D", "C" or "x") in the options it returns.
        const std::string& v = fit.options.variable;
        p.x = v == "N" ? at.n : v == "D" ? at.d : v == "C" ? at.c : at.x;
        need(p.x, "x", fit.law);
    } else {
        need(p.n, "n", fit.law);
        if (std::isnan(p.d) && !std::isnan(p.c)) p.d = p.c / (6.0 * p.n);
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
        out[u] = a.s1[u] > 0.0 ? law.evaluate(params, Point{kNaN, kNaN, kNaN, kNaN, a.s1[u], a.s2[u], kNaN}) : kNaN;
    }
    return out;
}

std::vector<double> predictCurve(const FitResult& fit, const std::vector<double>& lr, int64_t warmupSteps) {
    if (fit.law != "lr_annealing") {
        throw Error(ErrorCode::InvalidInput, "predictCurve() needs an lr_annealing fit, not " + fit.law, "law");
    }
    return predictCurve(fit.values(), lr, fit.options.warmup, warmupSteps);
}

}  // namespace anneal::fit
