// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Loss tab: train loss, the validation loss of the mix (val_loss: the domains' validation losses
// weighted by data.domain[].weight) and each domain's validation loss, for the selected runs. The
// dashed line is the floor of the mix (RunRecord::entropyFloor, labelled "mix floor (val_loss)"): it
// bounds val_loss, not the per-domain curves, which may well lie below it (an easy domain's loss is
// below the mix's). With one run, each domain's own floor is a dotted line in the domain's colour,
// labelled with the domain: the bound of that domain's curve.

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
