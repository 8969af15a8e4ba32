// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Mixture tab: the share of each domain among the samples drawn (metrics mix.<domain>) over
// time, as stacked areas, with the planned mix of the run's config (anneal::mixtureAt: temperature
// schedules, end-of-training upsampling, replay) as dashed boundaries over the whole run. Stacked
// areas of several runs cannot be overlaid, so this view draws the first selected run.

#include "metric_plot_view.h"

namespace anneal::ui {

class MixturePlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit MixturePlotView(RunDataCache* cache, QWidget* parent = nullptr);
    QString title() const override { return tr("Mixture"); }

protected:
    QStringList metricPatterns() const override { return {QStringLiteral("mix.*")}; }
    QStringList metricsFor(qint64 runId) const override;
    CurveStyle styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const override;
    QString yLabel() const override { return tr("share of samples drawn"); }
    bool stacked() const override { return true; }
    QList<qint64> drawnRuns() const override;
    /// The planned mix (anneal::mixtureAt of the run's config) as dashed boundaries over the stack.
    void syncExtras(qint64 runId, const XAxisMapper& mapper, int runIndex) override;

public:
    static QString plannedKey(qint64 runId, int boundary);
};

}  // namespace anneal::ui
