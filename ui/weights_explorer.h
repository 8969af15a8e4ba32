// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// WeightsExplorer: the Weights tab. For the first selected run it shows
//   - the distribution of per-sample weights over training as a heatmap (WeightHeatmap), for all
//     domains or one;
//   - each domain's effective share of the gradient (WeightStatsRow::share, solid) beside its share
//     of the samples drawn (dashed) at every snapshot;
//   - the mean weight of planted-noise and of clean samples over training, when the run has noise;
//   - the highest- and lowest-weighted samples trained on at a chosen step (Store::weightsAtStep),
//     with their bytes regenerated from the run's config (SampleDecoder) as text;
//   - a selected sample's weight at every step it was trained on (Store::sampleWeightHistory).
// Weights are relative to plain averaging: 1.0 is what every sample gets without reweighting.
// Everything is read on pool threads (readAsync, async_read.h); a result for a run or step no
// longer shown is dropped. A running run is re-read every few seconds.

#include <QTimer>
#include <QWidget>
#include <cstdint>
#include <memory>

#include "weights_data.h"

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTableView;

namespace anneal::ui {

class SeriesPlot;
class WeightHeatmap;
class WeightSampleModel;

class WeightsExplorer : public QWidget {
    Q_OBJECT

public:
    /// Samples listed from each end of the weight order.
    static constexpr int kExtremes = 10;

    explicit WeightsExplorer(QWidget* parent = nullptr);
    ~WeightsExplorer() override;

    void setDatabasePath(const QString& path);
    /// The run to explore (0: none). Re-reads it when it is the shown one already.
    void setRun(qint64 runId);
    qint64 runId() const { return m_runId; }
    /// The domain shown by the heatmap, the noise plot and the table (-1: all).
    void setDomain(int domain);
    int domain() const { return m_domain; }
    /// Lists the extreme samples trained on at this step.
    void showStep(qint64 step);
    qint64 shownStep() const { return m_step; }
    /// Selects a sample of the table and reads its weight history.
    void selectSample(std::uint64_t sampleId);

    const WeightsOverview& overview() const { return m_overview; }
    const StepSamples& stepSamples() const { return m_samples; }
    const SampleHistory& history() const { return m_history; }

    WeightHeatmap* heatmap() const { return m_heatmap; }
    SeriesPlot* sharePlot() const { return m_sharePlot; }
    SeriesPlot* noisePlot() const { return m_noisePlot; }
    SeriesPlot* historyPlot() const { return m_historyPlot; }
    QComboBox* domainCombo() const { return m_domainCombo; }
    QSpinBox* stepBox() const { return m_stepBox; }
    QTableView* sampleTable() const { return m_table; }
    WeightSampleModel* sampleModel() const { return m_model; }
    QPlainTextEdit* previewView() const { return m_preview; }

signals:
    void overviewLoaded();
    void samplesLoaded();
    void historyLoaded();
    void failed(const QString& source, const QString& message);

private:
    void reloadOverview();
    void applyOverview(const WeightsOverview& o);
    void drawOverview();
    void drawShares();
    void drawNoise();
    void fillTable();
    void applyHistory(const SampleHistory& h);
    void showPreview(int row);
    void onSelectionChanged();

    QString m_dbPath;
    qint64 m_runId = 0;
    int m_domain = -1;
    qint64 m_step = -1;
    quint64 m_generation = 0;  ///< bumped when the run or database changes: older results are dropped
    WeightsOverview m_overview;
    StepSamples m_samples;
    SampleHistory m_history;
    QLabel* m_title;
    QComboBox* m_domainCombo;
    QSpinBox* m_stepBox;
    WeightHeatmap* m_heatmap;
    SeriesPlot* m_sharePlot;
    SeriesPlot* m_noisePlot;
    SeriesPlot* m_historyPlot;
    QTableView* m_table;
    WeightSampleModel* m_model;
    QPlainTextEdit* m_preview;
    QTimer m_refresh;
};

}  // namespace anneal::ui
