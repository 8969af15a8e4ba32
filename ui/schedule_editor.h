// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ScheduleEditor: edit an experiment's LR schedule by its parameters (every kind of ScheduleSpec) or
// by dragging its knots (warmup end, decay start, re-warm, cooldown end, anneal start, final LR). The
// curve is anneal::learningRate — the function the trainer applies — and below it the domain mixture
// over training (anneal::mixtureAt). The spec is validated with anneal::parseExperiment; "Run this"
// starts the edited experiment, or branches it from a chosen checkpoint of the run it was loaded
// from. With a stored lr_annealing or mpl fit of the same model and data (chosen in a combo box; the default
// is the newest one whose runs share the experiment's model and domains: prediction_fits.h), the plot
// shows the loss the law predicts for the edited schedule (anneal::fit::predictCurve on
// anneal::learningRates, with the schedule's warmup), recomputed on every edit and drag; once the
// edited schedule runs, its real validation loss (val_loss) arrives over the prediction.
// "Load LR table…" makes the schedule a `table` (any LR sequence from a step,lr file, lr_table.h).
// "Optimize" (ScheduleOptimizePanel) finds the schedule the chosen fit predicts best, draws it and its
// predicted loss beside the current ones, and "Use this" / "Use and run" make it a `table` schedule.
// (schedule_editor_prediction.cpp holds the prediction, the optimiser, the branch source and the
// followed run.)

#include <QList>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "anneal/experiment.h"
#include "anneal/store.h"
#include "prediction_fits.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;

namespace anneal::ui {

class RunDataCache;
class ScheduleForm;
class ScheduleOptimizePanel;
class SchedulePlot;
class SeriesPlot;

class ScheduleEditor : public QWidget {
    Q_OBJECT

public:
    explicit ScheduleEditor(QWidget* parent = nullptr);

    /// The experiment whose schedule is edited (origin names it: "run 3", a file, "default").
    void setExperiment(const ExperimentSpec& spec, const QString& origin);
    const ExperimentSpec& experiment() const { return m_spec; }
    /// The LR of every step, as drawn.
    const std::vector<double>& lrCurve() const;
    /// What the last edit cost (recomputing and redrawing both curves), in ms.
    double lastUpdateMs() const { return m_lastUpdateMs; }
    QString validationError() const { return m_error; }

    /// Applies a knot move as a mouse drag does: step on the x axis, multiplier of the peak LR.
    void moveKnot(const QString& name, double step, double multiplier);
    void moveTableKnot(const QString& name, double step, double multiplier);

    ScheduleForm* form() const { return m_form; }
    SchedulePlot* lrPlot() const { return m_lrPlot; }
    SeriesPlot* mixturePlot() const { return m_mixPlot; }
    QPushButton* runButton() const { return m_run; }

    /// The stored curve-law fits (lr_annealing, mpl) to predict with; selects the default for the experiment
    /// unless the user chose one that is still listed.
    void setPredictionFits(const std::vector<PredictionFit>& fits);
    const std::vector<PredictionFit>& predictionFits() const { return m_fits; }
    /// Predicts with this fit (0: none).
    void selectPredictionFit(qint64 fitId);
    /// The fit the curve is predicted with (nullptr: none).
    const PredictionFit* predictionFit() const;
    QComboBox* fitCombo() const { return m_fitCombo; }
    /// The predicted loss after every update 0..T-1 (NaN where the law is undefined); empty without a fit.
    const std::vector<double>& predictedLoss() const { return m_predicted; }
    /// The LR sequence the prediction used (the parent's before the branch step when branching).
    const std::vector<double>& predictionLr() const { return m_predictionLr; }
    /// What the last prediction cost (predictCurve and handing the curve to the plot), in ms.
    double lastPredictionMs() const { return m_lastPredictionMs; }

    /// The run "Branch from checkpoint" starts from (the run the schedule was loaded from), with
    /// the steps of its checkpoints. An empty list disables branching.
    void setBranchSource(const RunRecord& run, const QList<qint64>& checkpointSteps);
    QCheckBox* branchCheck() const { return m_branchCheck; }
    QComboBox* checkpointCombo() const { return m_checkpointCombo; }
    /// The overrides that turn the parent's config into the edited schedule (train.steps, train.lr
    /// and the schedule's keys; keys the edited kind does not use are removed: "!key").
    QStringList branchOverrides() const;

    /// Makes the schedule a `table` read from a step,lr file; false (and the error shown) when it
    /// cannot be read or does not cover train.steps.
    bool loadLrTable(const QString& path);

    /// The Optimize box; startOptimize() is what its button does (with the chosen fit).
    ScheduleOptimizePanel* optimizePanel() const { return m_optimizer; }
    void startOptimize();
    /// Makes the optimised schedule this experiment's `table` schedule (and starts it when run).
    void useOptimized(bool run);

    /// Draws the validation loss of a run (the one "Run this" started) over the prediction as it
    /// arrives in the cache.
    void followRun(qint64 runId, RunDataCache* cache);
    qint64 followedRun() const { return m_followed; }

public slots:
    /// The loss curve predicted for this schedule (the editor calls it itself with its fit's curve).
    void setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss);

signals:
    /// "Run this": the edited experiment as TOML.
    void runRequested(const QString& tomlText, const QString& origin);
    /// "Run this" with "Branch from checkpoint": a branch of parentId at step with these overrides.
    void branchRequested(qint64 parentId, qint64 step, const QStringList& overrides, const QString& name);
    /// The user asked for the selected run's config / an experiment file / the default.
    void loadRunRequested();
    void loadFileRequested();
    void loadDefaultRequested();

private:
    void onFormEdited();
    void recompute();
    void validate();
    void runThis();
    // schedule_editor_prediction.cpp
    QWidget* buildPredictionBox();
    void updatePrediction();
    void onFollowedRunChanged(qint64 runId);
    void updateBranchControls();
    void showOptimized();
    void dropOptimized();

    ExperimentSpec m_spec;
    QString m_origin;
    ScheduleForm* m_form;
    SchedulePlot* m_lrPlot;
    SeriesPlot* m_mixPlot;
    QLabel* m_originLabel;
    QLabel* m_errorLabel;
    QLabel* m_timing;
    QPushButton* m_run;
    QTimer m_validateTimer;
    QString m_error;
    double m_lastUpdateMs = 0;
    // prediction
    std::vector<PredictionFit> m_fits;
    qint64 m_chosenFit = -1;  ///< the user's choice (-1: the default; 0: none)
    QComboBox* m_fitCombo = nullptr;
    QLabel* m_fitNote = nullptr;
    std::vector<double> m_predicted;
    std::vector<double> m_predictionLr;
    double m_lastPredictionMs = 0;
    ScheduleOptimizePanel* m_optimizer = nullptr;
    // branching
    std::optional<RunRecord> m_branchRun;
    std::vector<double> m_parentLr;
    QCheckBox* m_branchCheck = nullptr;
    QComboBox* m_checkpointCombo = nullptr;
    // the run started from here
    qint64 m_followed = 0;
    RunDataCache* m_cache = nullptr;
};

}  // namespace anneal::ui
