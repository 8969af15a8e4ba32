// SPDX-License-Identifier: GPL-3.0-or-later
#include "final_metrics.h"

#include <algorithm>
#include <cmath>

#include "anneal/store.h"

namespace anneal::ui {

namespace {

/// Last finite value and the lowest finite value of a series (NaN when there is none).
std::pair<double, double> lastAndBest(const MetricSeries& s) {
    double last = std::nan(""), best = std::nan("");
    for (double v : s.values) {
        if (std::isfinite(v)) {
            last = v;
            best = std::isnan(best) ? v : std::min(best, v);
        }
    }
    return {last, best};
}

}  // namespace

FinalMetrics computeFinalMetrics(const Store& store, qint64 runId) {
    const RunRecord r = store.run(runId);
    FinalMetrics m;
    m.runId = runId;
    m.name = QString::fromStdString(r.name);
    m.status = QString::fromLatin1(runStatusName(r.status));
    m.steps = r.stepsDone;
    m.tokens = r.tokensDone;
    m.wallSeconds = r.wallSeconds;
    // A branch's own points only: its final numbers are its own, not its parent's.
    const MetricSeries train = store.metric(runId, "train_loss");
    double sum = 0;
    int count = 0;
    for (std::size_t i = train.values.size(); i > 0 && count < kTrainWindow; --i) {
        if (std::isfinite(train.values[i - 1])) {
            sum += train.values[i - 1];
            ++count;
        }
    }
    m.finalTrain = count > 0 ? sum / count : std::nan("");
    std::tie(m.finalVal, m.bestVal) = lastAndBest(store.metric(runId, "val_loss"));
    for (const DomainRecord& d : r.domains) {
        m.domains << QString::fromStdString(d.name);
        const auto [last, best] = lastAndBest(store.metric(runId, "val_loss." + d.name));
        m.finalDomain << last;
        m.bestDomain << best;
    }
    return m;
}

}  // namespace anneal::ui
