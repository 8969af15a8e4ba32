// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Loss tab: train loss, the validation loss of the mix (val_loss: the domains' validation losses
// weighted by data.domain[].weight) and each domain's validation loss, for the selected runs. The
// dashed line is the floor of the mix (RunRecord::entropyFloor, labelled "mix floor (val_loss)"): it
// bounds val_loss, not the per-domain curves, which may well lie below it (an easy domain's loss is
// below the mix's). With one run, each domain's own floor is a dotted line in the domain's colour,
// labelled with the domain: the bound of that domain's curve. Real text has no known floor
// (NaN): no line is drawn for it.
//
// In bits per byte (PlotOptions::lossUnits) the tab shows each domain's val_bpb.<domain> instead:
// the loss over the bytes of text the tokens stand for, which compares across tokenizers. Train loss
// (nats per token of the batch, with no byte count stored) and the mix's val_loss (no val_bpb of the
// mix is stored) are not drawn then. A domain's floor converts exactly only with the byte tokenizer
// (one token is one byte: floor / ln 2); with a subword tokenizer no floor is drawn.

#include <map>
#include <string>

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
    QString yLabel() const override;
    QString emptyText() const override;

private:
    bool bitsPerByte() const { return options().lossUnits == LossUnits::BitsPerByte; }
    /// The run's domain names in experiment order.
    QStringList domainsOf(qint64 runId) const;
    /// Whether the run's tokenizer is the byte tokenizer (its config's [tokenizer] kind), so that a
    /// floor in nats per token is floor / ln 2 bits per byte. False when the config does not parse.
    bool byteTokenizer(qint64 runId) const;
    /// The mix's floor line(s) and, with one run, each domain's (nats per token).
    QVector<ReferenceLine> natsFloors() const;
    /// Each domain's floor in bits per byte, for one run with the byte tokenizer.
    QVector<ReferenceLine> bpbFloors() const;
    /// One dotted line per domain with a known floor (nats/token × `scale`), labelled with `unit`.
    QVector<ReferenceLine> domainFloors(const RunData* r, double scale, const QString& unit) const;

    /// By run uuid (ids repeat across databases; a run's config never changes).
    mutable std::map<std::string, bool> m_byteTokenizer;
};

}  // namespace anneal::ui
