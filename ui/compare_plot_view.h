// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The compare view's overlay: one metric of every compared run, one colour per run. The x axis is
// the compare view's alignment (step, tokens, FLOPs, wall time, or steps from the branch point, where
// a branch's first step is at 0 and its parent is shifted by the same branch step).

#include "metric_plot_view.h"

namespace anneal::ui {

class ComparePlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit ComparePlotView(RunDataCache* cache, QWidget* parent = nullptr);
    QString title() const override { return tr("Compare"); }

    void setMetric(const QString& metric);
    QString metric() const { return m_metric; }

protected:
    QStringList metricPatterns() const override { return {m_metric}; }
    CurveStyle styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const override;
    QString yLabel() const override;

private:
    QString m_metric = QStringLiteral("val_loss");
};

}  // namespace anneal::ui
