// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Throughput tab: training tokens per second.

#include "metric_plot_view.h"

namespace anneal::ui {

class ThroughputPlotView : public MetricPlotView {
    Q_OBJECT

public:
    explicit ThroughputPlotView(RunDataCache* cache, QWidget* parent = nullptr)
        : MetricPlotView(cache, parent) {
        setObjectName(QStringLiteral("throughputView"));
    }
    QString title() const override { return tr("Throughput"); }

protected:
    QStringList metricPatterns() const override { return {QStringLiteral("tokens_per_s")}; }
    QString yLabel() const override { return tr("tokens / second"); }
};

}  // namespace anneal::ui
