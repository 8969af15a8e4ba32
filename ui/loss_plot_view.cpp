// SPDX-License-Identifier: GPL-3.0-or-later
#include "loss_plot_view.h"

#include <cmath>

#include "run_data_cache.h"

namespace anneal::ui {

LossPlotView::LossPlotView(RunDataCache* cache, QWidget* parent) : MetricPlotView(cache, parent) {
    setObjectName(QStringLiteral("lossView"));
}

QStringList LossPlotView::metricPatterns() const {
    return {QStringLiteral("train_loss"), QStringLiteral("val_loss"), QStringLiteral("val_loss.*")};
}

QStringList LossPlotView::domainsOf(qint64 runId) const {
    QStringList out;
    const RunData* r = cache()->run(runId);
    if (!r) {
        return out;
    }
    if (r->recordLoaded && !r->record.domains.empty()) {
        for (const auto& d : r->record.domains) {
            out << QString::fromStdString(d.name);
        }
    } else {
        out = r->liveInfo.domains;
    }
    return out;
}

QStringList LossPlotView::metricsFor(qint64 runId) const {
    // Domain order (not alphabetical) so colours stay with domains as their curves appear.
    const QStringList known = MetricPlotView::metricsFor(runId);
    QStringList out;
    if (known.contains(QStringLiteral("train_loss"))) {
        out << QStringLiteral("train_loss");
    }
    if (known.contains(QStringLiteral("val_loss"))) {
        out << QStringLiteral("val_loss");  // the mix's validation loss: what the mix floor bounds
    }
    for (const QString& d : domainsOf(runId)) {
        const QString name = QStringLiteral("val_loss.") + d;
        if (known.contains(name)) {
            out << name;
        }
    }
    for (const QString& n : known) {
        if (!out.contains(n)) {
            out << n;
        }
    }
    return out;
}

CurveStyle LossPlotView::styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const {
    CurveStyle s = MetricPlotView::styleFor(runId, metric, runIndex, metricIndex);
    const bool val = metric.startsWith(QLatin1String("val_loss"));
    const bool mix = metric == QLatin1String("val_loss");
    const int domain = static_cast<int>(domainsOf(runId).indexOf(metric.mid(9)));
    if (drawnRuns().size() <= 1) {
        s.color = mix   ? palette().color(QPalette::WindowText)
                  : val ? curveColor(1 + std::max(0, domain))
                        : curveColor(0);
    }
    if (val) {
        // Validation points are means over a fixed set every val_every steps: no smoothing, and a
        // marker on each so the sparse points read as measurements.
        s.smoothable = false;
        s.markers = true;
        s.width = mix ? 2.2 : 1.2;
    } else {
        s.width = 1.8;
    }
    return s;
}

QVector<ReferenceLine> LossPlotView::referenceLines() const {
    QVector<ReferenceLine> lines;
    const QList<qint64> runs = drawnRuns();
    QPalette pal = palette();
    QColor neutral = pal.color(QPalette::WindowText);
    neutral.setAlphaF(0.7);
    QList<double> floors;
    for (int i = 0; i < runs.size(); ++i) {
        const RunData* r = cache()->run(runs[i]);
        if (!r || !r->recordLoaded || !std::isfinite(r->record.entropyFloor) || r->record.entropyFloor <= 0) {
            continue;
        }
        const double f = r->record.entropyFloor;
        if (floors.contains(f)) {
            continue;
        }
        floors << f;
        ReferenceLine l;
        l.y = f;
        l.color = runs.size() <= 1 ? neutral : curveColor(i);
        l.penStyle = Qt::DashLine;
        // The floor of the mix bounds val_loss (the mix mean), not the per-domain curves.
        l.label = runs.size() <= 1 ? tr("mix floor (val_loss) %1").arg(f, 0, 'f', 3)
                                   : tr("#%1 mix floor (val_loss) %2").arg(runs[i]).arg(f, 0, 'f', 3);
        lines << l;
    }
    if (runs.size() == 1) {
        const RunData* r = cache()->run(runs.front());
        if (r && r->recordLoaded) {
            for (std::size_t d = 0; d < r->record.domains.size(); ++d) {
                const double f = r->record.domains[d].entropyFloor;
                if (!std::isfinite(f) || f <= 0) {
                    continue;
                }
                ReferenceLine l;
                l.y = f;
                QColor c = curveColor(1 + static_cast<int>(d));
                c.setAlphaF(0.8);
                l.color = c;
                l.penStyle = Qt::DotLine;
                l.label = tr("floor %1 %2")
                              .arg(QString::fromStdString(r->record.domains[d].name))
                              .arg(f, 0, 'f', 3);
                l.labelRight = true;
                lines << l;
            }
        }
    }
    return lines;
}

}  // namespace anneal::ui
