// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ScalingLawView: the Scaling laws tab. Pick the points (the selected runs, a sweep group, or an
// imported CSV/JSONL file) and a law with its options (FitOptionsPanel), fit in the background with
// a progress bar and Cancel (FitRunner), then read:
//   - the points with the fitted law: chinchilla/kaplan/steplaw as slices along N at each D (or at
//     each compute budget C for iso-FLOP data), power along its variable, lr_annealing and mpl the fitted
//     curves with the law's prediction over every update;
//   - the bootstrap confidence band (FitResult::bootstrapSamples) around each curve;
//   - the log residuals (held-out points hollow);
//   - the prediction at a typed target (N, D, C or x) with its band, drawn on the plot;
//   - chinchilla: the compute-optimal frontier N_opt(C), D_opt(C) (anneal::fit::computeOptimal).
// The fit is stored in the database with its JSON export and provenance (fit::storeFit, as
// anneal-cli fit does), exported as JSON, CSV, LaTeX or Python, and the stored fits are listed
// (click one to show it).

#include <QList>
#include <QWidget>
#include <vector>

#include "anneal/fit/fit_export.h"
#include "anneal/fit/fit_result.h"
#include "anneal/store.h"
#include "fit_curves.h"
#include "fit_runner.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTabWidget;
class QToolButton;

namespace anneal::ui {

class FitOptionsPanel;
class FitPlot;

class ScalingLawView : public QWidget {
    Q_OBJECT

public:
    explicit ScalingLawView(QWidget* parent = nullptr);

    void setDatabasePath(const QString& path);
    void setSelectedRuns(const QList<qint64>& runIds);
    void setGroups(const QStringList& groups);

    /// Fits what the options panel describes; false (with the reason in the status line) when the
    /// fields are invalid or a fit is running.
    bool startFit();
    void cancelFit();
    bool fitting() const;
    bool hasFit() const { return m_hasFit; }
    const fit::FitResult& fitResult() const { return m_fit; }
    const fit::Provenance& provenance() const { return m_provenance; }
    /// Shows a fit (a finished one, or a stored one).
    /// `heldOut`: runs left out of a curve-law fit and predicted (drawn dashed, with their errors in the
    /// summary).
    void showFit(const fit::FitResult& result, const fit::Provenance& provenance,
                 std::vector<fit::RunPrediction> heldOut = {});
    const std::vector<fit::RunPrediction>& heldOutRuns() const { return m_heldOut; }
    /// Wall time of the last fit (reading the points and fitting), seconds.
    double lastFitSeconds() const { return m_lastSeconds; }

    /// Stores the shown fit in the database in the background (fitSaved follows).
    void saveFit(const QString& name = {});
    /// Writes the shown fit in a format of fit::exportFormats(); false with *error.
    bool exportFit(const QString& format, const QString& path, QString* error = nullptr) const;
    /// Re-reads the list of stored fits (storedFitsLoaded follows).
    void refreshStoredFits();
    const std::vector<FitRecord>& storedFits() const { return m_stored; }
    /// Shows a stored fit by id; false when it is not listed or its JSON does not load.
    bool showStoredFit(qint64 fitId);

    /// The extrapolation target; NaN fields are not given.
    void setTarget(double n, double d, double c, double x);
    /// The prediction at the target (NaN value when the target is incomplete for the law).
    const Prediction& targetPrediction() const { return m_prediction; }

    FitOptionsPanel* options() const { return m_options; }
    FitPlot* fitPlot() const { return m_fitPlot; }
    FitPlot* residualPlot() const { return m_residualPlot; }
    FitPlot* frontierPlot() const { return m_frontierPlot; }
    QTabWidget* plotTabs() const { return m_plotTabs; }
    QProgressBar* progressBar() const { return m_progress; }
    QPushButton* fitButton() const { return m_fitButton; }
    QPushButton* cancelButton() const { return m_cancelButton; }
    QTableWidget* paramsTable() const { return m_params; }
    QTableWidget* storedFitsTable() const { return m_storedTable; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* summaryLabel() const { return m_summary; }
    QLabel* predictionLabel() const { return m_predictionLabel; }

signals:
    /// A fit ended (ok false: failed or cancelled; the status line says which).
    void fitFinished(bool ok);
    void fitSaved(qint64 fitId);
    void storedFitsLoaded();
    /// A stored fit was added (the schedule editor re-reads its fits).
    void fitsChanged();
    void failed(const QString& source, const QString& message);

private:
    void onFitFinished(const FitOutcome& outcome);
    void browseFile();
    void askExport(const QString& format);
    void readTarget();
    // scaling_law_drawing.cpp
    void drawFit();
    void drawPoints();
    void drawResiduals();
    void drawFrontier();
    void fillParams();
    void updatePrediction();

    QString m_dbPath;
    FitOptionsPanel* m_options;
    FitRunner* m_runner;
    FitPlot* m_fitPlot;
    FitPlot* m_residualPlot;
    FitPlot* m_frontierPlot;
    QTabWidget* m_plotTabs;
    QProgressBar* m_progress;
    QPushButton* m_fitButton;
    QPushButton* m_cancelButton;
    QLabel* m_status;
    QTableWidget* m_params;
    QLabel* m_summary;
    QLineEdit* m_targetN;
    QLineEdit* m_targetD;
    QLineEdit* m_targetC;
    QLineEdit* m_targetX;
    QLabel* m_predictionLabel;
    QLineEdit* m_saveName;
    QPushButton* m_saveButton;
    QToolButton* m_exportButton;
    QTableWidget* m_storedTable;
    std::vector<FitRecord> m_stored;
    bool m_hasFit = false;
    fit::FitResult m_fit;
    fit::Provenance m_provenance;
    std::vector<fit::RunPrediction> m_heldOut;
    FitRequest m_lastRequest;
    double m_lastSeconds = 0;
    fit::Point m_target;
    Prediction m_prediction;
};

}  // namespace anneal::ui
