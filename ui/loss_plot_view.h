// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Loss tab: train loss and per-domain validation loss of the selected runs, with the entropy
// floor of the run's mix (the irreducible loss, RunRecord::entropyFloor) as a dashed line and, for
// a single run, each domain's floor as a dotted line in its colour.

#include "metric_plot_view.h"

namespace anneal::ui {

class LossPlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit LossPlotView(RunDataCache* cache, QWidget* parent = nullptr);
    QString title() const override { return tr("Loss"); }

protected:
    QStringList metricPatterns() const override;
    QStringList metricsFor(qint64 runId) const override;
    CurveStyle styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const override;
    QVector<ReferenceLine> referenceLines() const override;
    QString yLabel() const override { return tr("loss (nats/token)"); }

private:
    /// The run's domain names in experiment order.
    QStringList domainsOf(qint64 runId) const;
};

}  // namespace anneal::ui
