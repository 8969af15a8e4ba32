// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The LR tab: the learning rate each update used (the trainer's anneal::learningRate).

#include "metric_plot_view.h"

namespace anneal::ui {

class LrPlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit LrPlotView(RunDataCache* cache, QWidget* parent = nullptr) : MetricPlotView(cache, parent) {
        setObjectName(QStringLiteral("lrView"));
    }
    QString title() const override { return tr("LR"); }

protected:
    QStringList metricPatterns() const override { return {QStringLiteral("lr")}; }
    QString yLabel() const override { return tr("learning rate"); }
    /// The LR is a deterministic function of the step: smoothing it would only shift its knees.
    CurveStyle styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const override {
        CurveStyle s = MetricPlotView::styleFor(runId, metric, runIndex, metricIndex);
        s.smoothable = false;
        s.label = drawnRuns().size() <= 1 ? s.label : runLabel(runId);
        return s;
    }
};

}  // namespace anneal::ui
