// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Grad norm tab: the global L2 norm of the gradients before clipping, per step.

#include "metric_plot_view.h"

namespace anneal::ui {

class GradNormPlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit GradNormPlotView(RunDataCache* cache, QWidget* parent = nullptr)
        : MetricPlotView(cache, parent) {
        setObjectName(QStringLiteral("gradNormView"));
    }
    QString title() const override { return tr("Grad norm"); }

protected:
    QStringList metricPatterns() const override { return {QStringLiteral("grad_norm")}; }
    QString yLabel() const override { return tr("global gradient norm (before clipping)"); }
};

}  // namespace anneal::ui
