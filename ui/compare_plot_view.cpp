// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare_plot_view.h"

#include "run_data_cache.h"

namespace anneal::ui {

ComparePlotView::ComparePlotView(RunDataCache* cache, QWidget* parent) : MetricPlotView(cache, parent) {
    setObjectName(QStringLiteral("comparePlotView"));
}

void ComparePlotView::setMetric(const QString& metric) {
    if (metric == m_metric || metric.isEmpty()) {
        return;
    }
    m_metric = metric;
    cache()->request(runs(), metricPatterns());
    rebuild();
}

CurveStyle ComparePlotView::styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const {
    CurveStyle s;
    s.color = curveColor(runIndex);
    s.label = runLabel(runId);
    s.width = 1.7;
    const bool sparse = metric.startsWith(QLatin1String("val_loss"));
    s.smoothable = !sparse;
    s.markers = sparse;
    return s;
}

QString ComparePlotView::yLabel() const {
    if (m_metric.contains(QLatin1String("loss"))) {
        return metricLabel(m_metric) + tr(" loss (nats/token)");
    }
    return metricLabel(m_metric);
}

}  // namespace anneal::ui
