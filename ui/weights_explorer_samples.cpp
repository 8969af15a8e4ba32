// SPDX-License-Identifier: GPL-3.0-or-later
// WeightsExplorer, its samples table: the highest- and lowest-weighted samples of a step, a
// selected sample's text preview, and the read of its weight history (drawn by applyHistory).
#include <QItemSelectionModel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QTableView>

#include "async_read.h"
#include "sample_decoder.h"
#include "weight_heatmap.h"
#include "weight_sample_model.h"
#include "weights_explorer.h"

namespace anneal::ui {

void WeightsExplorer::showStep(qint64 step) {
    if (m_runId <= 0 || m_dbPath.isEmpty()) {
        return;
    }
    m_step = step;
    m_stepBox->blockSignals(true);
    m_stepBox->setValue(static_cast<int>(step));
    m_stepBox->blockSignals(false);
    m_heatmap->setMarkedStep(step);
    const std::string db = m_dbPath.toStdString();
    const qint64 id = m_runId;
    const quint64 gen = m_generation;
    const auto decoder = m_overview.decoder;
    readAsync(
        this, [db, id, step, decoder] { return loadStepSamples(db, id, step, decoder); },
        [this, gen, step](const ReadResult<StepSamples>& r) {
            const StepSamples s = valueOf(r);
            if (gen != m_generation || step != m_step) {
                return;
            }
            if (!s.error.isEmpty()) {
                emit failed(tr("the weights of run %1 at step %2").arg(s.runId).arg(s.step), s.error);
                return;
            }
            m_samples = s;
            fillTable();
            emit samplesLoaded();
        });
}

void WeightsExplorer::fillTable() {
    const std::vector<std::size_t> picked = extremeSamples(m_samples.samples, m_domain, kExtremes);
    std::size_t inDomain = 0;
    for (const SampleWeight& w : m_samples.samples) {
        inDomain += (m_domain < 0 || w.domain == m_domain) ? 1 : 0;
    }
    std::vector<WeightSampleModel::Row> rows;
    for (std::size_t i = 0; i < picked.size(); ++i) {
        WeightSampleModel::Row r;
        const bool bottom = picked.size() == 2 * static_cast<std::size_t>(kExtremes) &&
                            inDomain > picked.size() && i >= static_cast<std::size_t>(kExtremes);
        const std::size_t rank = bottom ? inDomain - picked.size() + i + 1 : i + 1;
        r.rank = QString::number(rank);
        r.sample = m_samples.samples[picked[i]];
        if (picked[i] < m_samples.bytes.size()) {
            // Real text as decoded UTF-8; synthetic bytes one character each, so bytes line up.
            r.preview = m_overview.decoder
                            ? m_overview.decoder->preview(r.sample.domain, m_samples.bytes[picked[i]])
                            : printableBytes(m_samples.bytes[picked[i]]);
        }
        rows.push_back(r);
    }
    m_model->setRows(std::move(rows));
    m_table->resizeColumnsToContents();
    if (m_history.sampleId != 0 || !m_history.rows.empty()) {
        selectSample(m_history.sampleId);  // keeps the selected sample when it is still listed
    }
}

void WeightsExplorer::onSelectionChanged() {
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        return;
    }
    const int row = rows.front().row();
    showPreview(row);
    const std::uint64_t id = m_model->rows()[static_cast<std::size_t>(row)].sample.sampleId;
    if (id == m_history.sampleId && !m_history.rows.empty()) {
        return;
    }
    const std::string db = m_dbPath.toStdString();
    const qint64 run = m_runId;
    const quint64 gen = m_generation;
    readAsync(
        this, [db, run, id] { return loadSampleHistory(db, run, id); },
        [this, gen](const ReadResult<SampleHistory>& r) {
            if (gen == m_generation) {
                applyHistory(valueOf(r));
            }
        });
}

void WeightsExplorer::selectSample(std::uint64_t sampleId) {
    for (std::size_t i = 0; i < m_model->rows().size(); ++i) {
        if (m_model->rows()[i].sample.sampleId == sampleId) {
            m_table->selectRow(static_cast<int>(i));
            return;
        }
    }
}

void WeightsExplorer::showPreview(int row) {
    const WeightSampleModel::Row& r = m_model->rows()[static_cast<std::size_t>(row)];
    const SampleWeight& s = r.sample;
    const QString domain =
        s.domain < m_overview.domains.size() ? m_overview.domains[s.domain] : QString::number(s.domain);
    QString text = tr("sample %1 (%2, index %3), trained at step %4: weight %5, loss %6%7\n")
                       .arg(s.sampleId)
                       .arg(domain)
                       .arg(s.sampleId & ((std::uint64_t{1} << 48) - 1))
                       .arg(s.step)
                       .arg(static_cast<double>(s.weight), 0, 'f', 4)
                       .arg(static_cast<double>(s.loss), 0, 'f', 3)
                       .arg(s.noisy ? tr(", PLANTED NOISE (its second half is random bytes)") : QString());
    text += r.preview.isEmpty() ? tr("(its bytes cannot be regenerated: %1)").arg(m_overview.decoderError)
                                : r.preview;
    m_preview->setPlainText(text);
}

}  // namespace anneal::ui
