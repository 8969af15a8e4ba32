// SPDX-License-Identifier: GPL-3.0-or-later
#include "mixture_plot_view.h"

#include <algorithm>

#include "anneal/mixture.h"
#include "anneal/run_experiment.h"
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

CurveStyle MixturePlotView::styleFor(qint64 runId, const QString& metric, int runIndex,
                                     int metricIndex) const {
    CurveStyle s;
    s.label = metricLabel(metric);
    s.color = curveColor(1 + metricIndex);  // the same colour as the domain's curve on the Loss tab
    s.width = 1.0;
    return s;
}

QString MixturePlotView::plannedKey(qint64 runId, int boundary) {
    return QStringLiteral("%1/planned/%2").arg(runId).arg(boundary);
}

void MixturePlotView::syncExtras(qint64 runId, const XAxisMapper& mapper, int runIndex) {
    const RunData* r = cache()->run(runId);
    if (!r || !r->recordLoaded || plot()->hasCurve(plannedKey(runId, 0))) {
        return;  // computed once per run and x axis (a rebuild clears it)
    }
    ExperimentSpec spec;
    try {
        spec = runExperiment(r->record);
    } catch (const std::exception&) {
        return;  // an imported curve has no config to plan from
    }
    const std::int64_t total = spec.train.steps;
    const std::int64_t stride = std::max<std::int64_t>(1, total / 2000);
    std::vector<std::int64_t> steps;
    for (std::int64_t t = 0; t < total; t += stride) {
        steps.push_back(t);
    }
    if (spec.mixture.upsample.enabled) {
        const std::int64_t u = upsampleStartStep(spec);
        steps.insert(steps.end(), {u - 1, u});
    }
    if (spec.mixture.replay.enabled) {
        steps.insert(steps.end(), {spec.mixture.replay.startStep - 1, spec.mixture.replay.startStep});
    }
    steps.push_back(total - 1);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    steps.erase(
        std::remove_if(steps.begin(), steps.end(), [total](std::int64_t t) { return t < 0 || t >= total; }),
        steps.end());
    const std::size_t domains = spec.data.domains.size();
    std::vector<std::vector<double>> bound(domains > 0 ? domains - 1 : 0);
    std::vector<double> stepsD;
    for (std::int64_t t : steps) {
        const std::vector<double> p = mixtureAt(spec, t);
        double acc = 0;
        for (std::size_t d = 0; d + 1 < domains && d < p.size(); ++d) {
            acc += p[d];
            bound[d].push_back(acc);
        }
        stepsD.push_back(static_cast<double>(t));
    }
    std::vector<double> x;
    mapper.mapAll(stepsD.data(), stepsD.size(), x);
    QColor ink = palette().color(QPalette::WindowText);
    ink.setAlphaF(0.75);
    for (std::size_t d = 0; d < bound.size(); ++d) {
        CurveStyle s;
        s.label = tr("planned mix");
        s.color = ink;
        s.penStyle = Qt::DashLine;
        s.width = 1.3;
        s.inLegend = d == 0;
        s.smoothable = false;
        s.overlay = true;
        const QString key = plannedKey(runId, static_cast<int>(d));
        plot()->setCurve(key, s);
        plot()->setCurveData(key, x, bound[d]);
    }
}

}  // namespace anneal::ui
