// SPDX-License-Identifier: GPL-3.0-or-later
#include "loss_plot_view.h"

#include <cmath>
#include <algorithm>

#include "anneal/run_experiment.h"
#include "run_data_cache.h"

namespace anneal::ui {

namespace {
const QString kValLoss = QStringLiteral("val_loss.");
const QString kValBpb = QStringLiteral("val_bpb.");
}  // namespace

LossPlotView::LossPlotView(RunDataCache* cache, QWidget* parent) : MetricPlotView(cache, parent) {
    setObjectName(QStringLiteral("lossView"));
}

QStringList LossPlotView::metricPatterns() const {
    // Both units are read, so switching them redraws at once.
    return {QStringLiteral("train_loss"), QStringLiteral("val_loss"), QStringLiteral("val_loss.*"),
            QStringLiteral("val_bpb.*")};
}

QString LossPlotView::yLabel() const {
    return bitsPerByte() ? tr("validation loss (bits/byte)") : tr("loss (nats/token)");
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
    const QString prefix = bitsPerByte() ? kValBpb : kValLoss;
    QStringList out;
    if (!bitsPerByte()) {
        if (known.contains(QStringLiteral("train_loss"))) {
            out << QStringLiteral("train_loss");
        }
        if (known.contains(QStringLiteral("val_loss"))) {
            out << QStringLiteral("val_loss");  // the mix's validation loss: what the mix floor bounds
        }
    }
    for (const QString& d : domainsOf(runId)) {
        if (known.contains(prefix + d)) {
            out << prefix + d;
        }
    }
    for (const QString& n : known) {
        if (n.startsWith(prefix) && !out.contains(n)) {
            out << n;
        }
    }
    return out;
}

CurveStyle LossPlotView::styleFor(qint64 runId, const QString& metric, int runIndex, int metricIndex) const {
    const bool bpb = metric.startsWith(kValBpb);
    // A val_bpb.<domain> curve is labelled like its val_loss.<domain> ("val licenses"): the axis
    // says the units.
    const QString named = bpb ? kValLoss + metric.mid(kValBpb.size()) : metric;
    CurveStyle s = MetricPlotView::styleFor(runId, named, runIndex, metricIndex);
    const bool val = named.startsWith(QLatin1String("val_loss"));
    const bool mix = named == QLatin1String("val_loss");
    const int domain = static_cast<int>(domainsOf(runId).indexOf(named.mid(kValLoss.size())));
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
    return bitsPerByte() ? bpbFloors() : natsFloors();
}

bool LossPlotView::byteTokenizer(qint64 runId) const {
    const RunData* r = cache()->run(runId);
    if (!r || !r->recordLoaded) {
        return false;  // not known yet: asked again when the record arrives
    }
    const auto it = m_byteTokenizer.find(r->record.uuid);
    if (it != m_byteTokenizer.end()) {
        return it->second;
    }
    bool bytes = false;
    try {
        bytes = runExperiment(r->record).tokenizer.kind == "bytes";
    } catch (const std::exception&) {
        bytes = false;  // a config this version cannot read: no floor rather than a wrong one
    }
    m_byteTokenizer[r->record.uuid] = bytes;
    return bytes;
}

QVector<ReferenceLine> LossPlotView::bpbFloors() const {
    // Only per-domain floors (there is no val_bpb of the mix to bound), one run only, and only where
    // a token is one byte. A real domain's floor is NaN ("unknown"): never drawn.
    QVector<ReferenceLine> lines;
    const QList<qint64> runs = drawnRuns();
    if (runs.size() != 1 || !byteTokenizer(runs.front())) {
        return lines;
    }
    const RunData* r = cache()->run(runs.front());
    return domainFloors(r, 1.0 / std::log(2.0), tr(" bits/byte"));
}

QVector<ReferenceLine> LossPlotView::domainFloors(const RunData* r, double scale, const QString& unit) const {
    QVector<ReferenceLine> lines;
    if (!r || !r->recordLoaded) {
        return lines;
    }
    for (std::size_t d = 0; d < r->record.domains.size(); ++d) {
        const double f = r->record.domains[d].entropyFloor;
        if (!std::isfinite(f) || f <= 0) {
            continue;  // unknown (real data) or none
        }
        ReferenceLine l;
        l.y = f * scale;
        QColor c = curveColor(1 + static_cast<int>(d));
        c.setAlphaF(0.8);
        l.color = c;
        l.penStyle = Qt::DotLine;
        l.label = tr("floor %1 %2%3")
                      .arg(QString::fromStdString(r->record.domains[d].name))
                      .arg(l.y, 0, 'f', 3)
                      .arg(unit);
        l.labelRight = true;
        lines << l;
    }
    return lines;
}

QVector<ReferenceLine> LossPlotView::natsFloors() const {
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
        lines += domainFloors(cache()->run(runs.front()), 1.0, QString());
    }
    return lines;
}

QString LossPlotView::emptyText() const {
    if (bitsPerByte()) {
        // Runs recorded before val_bpb was stored have val_loss.<domain> only: say so.
        QStringList without;
        for (qint64 id : drawnRuns()) {
            const QStringList known = MetricPlotView::metricsFor(id);
            const bool hasVal = std::any_of(known.begin(), known.end(),
                                            [](const QString& n) { return n.startsWith(kValLoss); });
            if (hasVal) {
                without << QStringLiteral("#%1").arg(id);
            }
        }
        if (!without.isEmpty()) {
            return tr("No bits-per-byte curves: run %1 stored no val_bpb.<domain> metrics\n"
                      "(recorded before they existed). Set Loss units to nats/token to see its "
                      "validation loss.")
                .arg(without.join(QStringLiteral(", ")));
        }
    }
    return MetricPlotView::emptyText();
}

}  // namespace anneal::ui
