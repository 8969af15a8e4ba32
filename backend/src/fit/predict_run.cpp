// SPDX-License-Identifier: GPL-3.0-or-later
// A curve-law fit's prediction of a run's logged loss from the run's own LR sequence, with the errors
// of Luo et al. (PredE, WorstE) and the final-loss error.
#include "anneal/fit/predict_run.h"

#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/from_runs.h"
#include "anneal/fit/law.h"

namespace anneal::fit {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) {
        out += (out.empty() ? "" : " | ") + n;
    }
    return out;
}

/// The run ids of the database for the error of a missing run: all of them up to 20, else a range.
std::string runIdsAllowed(const Store& store) {
    const std::vector<RunRecord> runs = store.listRuns(false);
    if (runs.empty()) {
        return "(no runs in this database)";
    }
    if (runs.size() > 20) {
        return "a run id of `anneal-cli runs` (" + std::to_string(runs.size()) + " runs, ids " +
               std::to_string(runs.front().id) + " .. " + std::to_string(runs.back().id) + ")";
    }
    std::vector<std::string> ids;
    for (const RunRecord& r : runs) {
        ids.push_back(std::to_string(r.id));
    }
    return joined(ids);
}

}  // namespace

CurveErrors curveErrors(const std::vector<double>& observed, const std::vector<double>& predicted) {
    if (observed.empty() || observed.size() != predicted.size()) {
        throw Error(ErrorCode::InvalidInput,
                    "needs as many predicted as observed losses, at least one (got " +
                        std::to_string(observed.size()) + " and " + std::to_string(predicted.size()) + ")",
                    "predicted");
    }
    CurveErrors e;
    double sum = 0.0;
    e.worstRelative = -1.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double rel = std::abs(predicted[i] - observed[i]) / observed[i];
        sum += rel;
        if (rel > e.worstRelative) {
            e.worstRelative = rel;
            e.worstIndex = i;
        }
    }
    e.meanRelative = sum / static_cast<double>(observed.size());
    e.finalRelative = (predicted.back() - observed.back()) / observed.back();
    return e;
}

RunPrediction predictRun(const Store& store, const FitResult& fit, std::int64_t runId,
                         const std::string& metric, std::int64_t fromStep) {
    if (!isCurveLaw(fit.law)) {
        throw Error(ErrorCode::InvalidInput, "a " + fit.law + " fit predicts no loss curve of a run", "--fit",
                    "a fit of a curve law: lr_annealing | mpl (see `anneal-cli fits`)");
    }
    const std::optional<RunRecord> run = store.findRun(runId);
    if (!run) {
        throw Error(ErrorCode::NotFound, "no run " + std::to_string(runId) + " in " + store.path(), "--run",
                    runIdsAllowed(store));
    }
    if (store.metric(runId, metric, true).steps.empty()) {
        const std::vector<std::string> names = store.metricNames(runId);
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(runId) + " has no metric \"" + metric + "\"", "--metric",
                    names.empty() ? "(the run stored no metrics)" : joined(names));
    }
    const Curve curve = curveFromRun(store, runId, metric);
    RunPrediction out;
    out.runId = runId;
    out.runName = run->name;
    out.metric = metric;
    const std::vector<double> predicted = predictCurveAt(fit, curve.lr, curve.steps, curve.warmupSteps);
    for (std::size_t i = 0; i < curve.steps.size(); ++i) {
        if (curve.steps[i] < fromStep) {
            ++out.before;
            continue;
        }
        if (!std::isfinite(predicted[i])) {
            ++out.skipped;
            continue;
        }
        out.steps.push_back(curve.steps[i]);
        out.observed.push_back(curve.losses[i]);
        out.predicted.push_back(predicted[i]);
    }
    if (out.steps.empty() && out.before > 0 && out.skipped == 0) {
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(runId) + " logs no " + metric + " at or after step " +
                        std::to_string(fromStep) + " (its last logged step is " +
                        std::to_string(curve.steps.back()) + ")",
                    "--min-step", "a step <= " + std::to_string(curve.steps.back()));
    }
    if (out.steps.empty()) {
        throw Error(ErrorCode::InvalidInput,
                    "the fit's law is undefined at every logged step of run " + std::to_string(runId) + " (" +
                        std::to_string(out.skipped) + " steps before any LR > 0 or during warmup)",
                    "--run", "a run with " + metric + " logged after its first update with LR > 0");
    }
    out.errors = curveErrors(out.observed, out.predicted);
    return out;
}

}  // namespace anneal::fit
