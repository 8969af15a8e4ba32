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

CurveStyle ComparePlotView::styleFor(qint64 runId, const QString& metric, int runIndex,
                                     int metricIndex) const {
    CurveStyle s;
    s.color = curveColor(runIndex);
    s.label = runLabel(runId);
    s.width = 1.7;
    const bool sparse =
        metric.startsWith(QLatin1String("val_loss")) || metric.startsWith(QLatin1String("val_bpb"));
    s.smoothable = !sparse;
    s.markers = sparse;
    return s;
}

QString ComparePlotView::yLabel() const {
    if (m_metric == QLatin1String("val_loss")) {
        return tr("validation loss, mean over domains (nats/token)");
    }
    if (m_metric.startsWith(QLatin1String("val_loss."))) {
        return tr("validation loss on %1 (nats/token)").arg(m_metric.mid(9));
    }
    if (m_metric.startsWith(QLatin1String("val_bpb."))) {
        return tr("validation bits per byte on %1").arg(m_metric.mid(8));
    }
    if (m_metric == QLatin1String("train_loss")) {
        return tr("train loss (nats/token)");
    }
    if (m_metric.startsWith(QLatin1String("train_loss."))) {
        return tr("train loss on %1 (nats/token)").arg(m_metric.mid(11));
    }
    return metricLabel(m_metric);
}

}  // namespace anneal::ui
