// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/fit/from_runs.h"

#include <algorithm>
#include <cmath>

#include "anneal/error.h"
#include "anneal/run_experiment.h"
#include "anneal/schedule.h"

namespace anneal::fit {

namespace {

std::string runName(std::int64_t id) { return "run " + std::to_string(id); }

/// Linear interpolation of (steps, values) onto every update 0..last.
std::vector<double> interpolate(const MetricSeries& s, std::int64_t last) {
    std::vector<double> out(static_cast<size_t>(last + 1));
    size_t k = 0;
    for (std::int64_t t = 0; t <= last; ++t) {
        while (k + 1 < s.steps.size() && s.steps[k + 1] <= t) {
            ++k;
        }
        if (t <= s.steps.front()) {
            out[static_cast<size_t>(t)] = s.values.front();
        } else if (k + 1 >= s.steps.size()) {
            out[static_cast<size_t>(t)] = s.values.back();
        } else {
            const double f =
                static_cast<double>(t - s.steps[k]) / static_cast<double>(s.steps[k + 1] - s.steps[k]);
            out[static_cast<size_t>(t)] = s.values[k] + f * (s.values[k + 1] - s.values[k]);
        }
    }
    return out;
}

}  // namespace

namespace {

/// The LR of every update of one run by itself: an imported run's lr column, a trained run's
/// schedule from its resolved config.
std::vector<double> ownLearningRates(const Store& store, std::int64_t runId) {
    const RunRecord r = store.run(runId);
    if (r.kind == "imported") {
        const MetricSeries lr = store.metric(runId, "lr");
        if (lr.steps.empty()) {
            throw Error(ErrorCode::InvalidInput, runName(runId) + " was imported without an lr column",
                        "--runs", "runs with a learning rate (import a file with an `lr` column)");
        }
        return interpolate(lr, lr.steps.back());
    }
    return learningRates(runExperiment(r));
}

}  // namespace

std::vector<double> runLearningRates(const Store& store, std::int64_t runId) {
    // A branch ran its parent's LR before its branch step, recursively: fold the history oldest first.
    std::vector<double> lr;
    for (const HistorySegment& g : store.branchHistory(runId)) {
        std::vector<double> own = ownLearningRates(store, g.runId);
        if (g.branchStep) {
            for (std::int64_t t = 0; t < *g.branchStep && t < static_cast<std::int64_t>(own.size()); ++t) {
                if (static_cast<size_t>(t) < lr.size()) {
                    own[static_cast<size_t>(t)] = lr[static_cast<size_t>(t)];
                }
            }
        }
        lr = std::move(own);
    }
    return lr;
}

Curve curveFromRun(const Store& store, std::int64_t runId, const std::string& metric) {
    const RunRecord r = store.run(runId);
    const MetricSeries s = store.metric(runId, metric, true);
    if (s.steps.empty()) {
        throw Error(ErrorCode::InvalidInput, runName(runId) + " has no metric \"" + metric + "\"", "--metric",
                    "a loss metric the run stored, e.g. val_loss or train_loss");
    }
    Curve c;
    c.name = runName(runId) + " (" + r.name + ")";
    c.lr = runLearningRates(store, runId);
    for (size_t i = 0; i < s.steps.size(); ++i) {
        if (std::isfinite(s.values[i]) && s.values[i] > 0 &&
            s.steps[i] < static_cast<std::int64_t>(c.lr.size())) {
            c.steps.push_back(s.steps[i]);
            c.losses.push_back(s.values[i]);
        }
    }
    if (r.kind != "imported") {
        c.warmupSteps = runExperiment(r).schedule.warmupSteps;
    }
    return c;
}

FitInput pointsFromRuns(const Store& store, const std::vector<std::int64_t>& runIds,
                        const RunPointOptions& o) {
    FitInput in;
    for (std::int64_t id : runIds) {
        const RunRecord r = store.run(id);
        const MetricSeries s = store.metric(id, o.metric, true);
        if (s.steps.empty() || !std::isfinite(s.values.back())) {
            throw Error(ErrorCode::InvalidInput,
                        runName(id) + " (" + r.name + ") has no final \"" + o.metric + "\"", "--runs",
                        "runs that stored " + o.metric);
        }
        const std::int64_t step = s.steps.back();
        double tokens = 0;
        if (r.kind == "imported") {
            const StepAxis axis = store.stepAxis(id, true);
            for (size_t i = 0; i < axis.steps.size(); ++i) {
                if (axis.steps[i] == step) {
                    tokens = static_cast<double>(axis.tokens[i]);
                }
            }
        } else {
            const ExperimentSpec spec = runExperiment(r);
            tokens = static_cast<double>(step + 1) * spec.data.batchSize * spec.model.context;
        }
        const double n = static_cast<double>(o.includeEmbeddings ? r.params : r.paramsNonEmbedding);
        if (!(n > 0) || !(tokens > 0)) {
            throw Error(ErrorCode::InvalidInput, runName(id) + " has no parameter count or token count",
                        "--runs");
        }
        in.n.push_back(n);
        in.d.push_back(tokens);
        in.c.push_back(6.0 * n * tokens);
        in.x.push_back(static_cast<double>(step + 1));
        in.loss.push_back(s.values.back());
        in.labels.push_back(std::to_string(id));
    }
    return in;
}

std::vector<std::int64_t> runsInGroup(const Store& store, const std::string& group) {
    std::vector<std::int64_t> ids;
    std::vector<std::string> groups;
    for (const auto& r : store.listRuns()) {
        if (r.group == group && r.status == RunStatus::Completed) {
            ids.push_back(r.id);
        }
        if (!r.group.empty() && std::find(groups.begin(), groups.end(), r.group) == groups.end()) {
            groups.push_back(r.group);
        }
    }
    if (ids.empty()) {
        std::string list;
        for (const auto& g : groups) {
            list += (list.empty() ? "" : " | ") + g;
        }
        throw Error(ErrorCode::NotFound, "no completed run in group \"" + group + "\"", "--group",
                    list.empty() ? "(no groups in this database)" : list);
    }
    return ids;
}

}  // namespace anneal::fit
