// SPDX-License-Identifier: GPL-3.0-or-later
#include "mixture_plot_view.h"

#include "run_data_cache.h"

namespace anneal::ui {

MixturePlotView::MixturePlotView(RunDataCache* cache, QWidget* parent) : MetricPlotView(cache, parent) {
    setObjectName(QStringLiteral("mixtureView"));
}

QList<qint64> MixturePlotView::drawnRuns() const {
    const QList<qint64> all = runs();
    return all.isEmpty() ? all : QList<qint64>{all.front()};
}

QStringList MixturePlotView::metricsFor(qint64 runId) const {
    // Experiment order, so the stack reads like the experiment file.
    const QStringList known = MetricPlotView::metricsFor(runId);
    const RunData* r = cache()->run(runId);
    QStringList order;
    if (r && r->recordLoaded) {
        for (const auto& d : r->record.domains) {
            order << QStringLiteral("mix.") + QString::fromStdString(d.name);
        }
    } else if (r) {
        for (const QString& d : r->liveInfo.domains) {
            order << QStringLiteral("mix.") + d;
        }
    }
    QStringList out;
    for (const QString& n : order) {
        if (known.contains(n)) {
            out << n;
        }
    }
    for (const QString& n : known) {
        if (!out.contains(n)) {
            out << n;
        }
    }
    return out;
}

CurveStyle MixturePlotView::styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const {
    CurveStyle s;
    s.label = metricLabel(metric);
    s.color = curveColor(1 + metricIndex);   // the same colour as the domain's curve on the Loss tab
    s.width = 1.0;
    return s;
}

}  // namespace anneal::ui
