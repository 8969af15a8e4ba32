// SPDX-License-Identifier: GPL-3.0-or-later
// Hold-out selection and the per-point part of a FitResult.
#include <cmath>
#include <set>

#include "anneal/error.h"
#include "anneal/fit/law.h"
#include "fit_steps.h"
#include "huber_objective.h"

namespace anneal::fit::detail {

std::vector<bool> holdOutMask(const Observations& obs, const FitOptions& options, const std::string& law) {
    std::vector<bool> held(obs.size(), false);
    // Observation numbering of FitOptions::holdOutIndices: input point index, or for curves the
    // running index over all curves' losses (curve 0 first), counted before S1 = 0 losses are dropped.
    std::vector<size_t> curveOffset(obs.curves.size() + 1, 0);
    for (size_t c = 0; c < obs.curves.size(); ++c) {
        curveOffset[c + 1] = curveOffset[c] + obs.curves[c].steps.size();
    }
    size_t numbered = 0;
    for (size_t i = 0; i < obs.size(); ++i) {
        const size_t id =
            obs.curve[i] < 0 ? obs.index[i] : curveOffset[static_cast<size_t>(obs.curve[i])] + obs.index[i];
        numbered = std::max(numbered, id + 1);
    }
    if (!obs.curves.empty()) {
        numbered = curveOffset.back();
    }
    std::set<size_t> ids;
    for (size_t k = 0; k < options.holdOutIndices.size(); ++k) {
        const size_t id = options.holdOutIndices[k];
        if (id >= numbered) {
            throw Error(ErrorCode::InvalidInput, "no observation " + std::to_string(id),
                        "options.holdOutIndices[" + std::to_string(k) + "]", "< " + std::to_string(numbered));
        }
        ids.insert(id);
    }
    const bool byThreshold = !std::isnan(options.holdOutAbove);
    for (size_t i = 0; i < obs.size(); ++i) {
        const size_t id =
            obs.curve[i] < 0 ? obs.index[i] : curveOffset[static_cast<size_t>(obs.curve[i])] + obs.index[i];
        // The threshold applies to N, except for the power law (its variable) and curves (the step).
        const double v = (law == "power" || isCurveLaw(law)) ? obs.x[i] : obs.n[i];
        held[i] = ids.count(id) > 0 || (byThreshold && v > options.holdOutAbove);
    }
    size_t kept = 0;
    for (size_t i = 0; i < obs.size(); ++i) {
        kept += held[i] ? 0 : 1;
    }
    if (kept == 0) {
        throw Error(ErrorCode::InvalidInput, "every point is held out, nothing left to fit",
                    "options.holdOutAbove");
    }
    return held;
}

void fillPoints(const Observations& obs, const std::vector<bool>& heldOut, const std::vector<double>& logPred,
                FitResult& result, bool squared) {
    result.points.clear();
    result.nPoints = 0;
    result.nHeldOut = 0;
    HoldOutScore score;
    double sumSq = 0.0, sumRel = 0.0, huberSum = 0.0, maxLog = 0.0, maxRel = 0.0;
    for (size_t i = 0; i < obs.size(); ++i) {
        PointResult p;
        p.curve = obs.curve[i];
        p.index = obs.index[i];
        p.n = obs.n[i];
        p.d = obs.d[i];
        p.c = obs.c[i];
        p.x = obs.x[i];
        p.target = obs.targetName[i];
        p.label = obs.label[i];
        p.observed = obs.target[i];
        p.predicted = std::exp(logPred[i]);
        p.residual = logPred[i] - std::log(obs.target[i]);
        p.weight = obs.weight[i];
        p.heldOut = heldOut[i];
        if (p.heldOut) {
            ++result.nHeldOut;
            const double rel = std::fabs(p.predicted - p.observed) / p.observed;
            sumSq += p.residual * p.residual;
            sumRel += rel;
            maxLog = std::max(maxLog, std::fabs(p.residual));
            maxRel = std::max(maxRel, rel);
            huberSum +=
                p.weight * (squared ? p.residual * p.residual : huber(p.residual, result.options.huberDelta));
        } else {
            ++result.nPoints;
        }
        result.points.push_back(std::move(p));
    }
    if (result.nHeldOut > 0) {
        const double n = static_cast<double>(result.nHeldOut);
        score.count = result.nHeldOut;
        score.rmseLog = std::sqrt(sumSq / n);
        score.maxAbsLog = maxLog;
        score.meanAbsRelative = sumRel / n;
        score.maxAbsRelative = maxRel;
        score.huber = huberSum;
        result.holdOut = score;
    }
}

}  // namespace anneal::fit::detail
