// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ScheduleEditor: edit an experiment's LR schedule by its parameters (every kind of ScheduleSpec) or
// by dragging its knots (warmup end, decay start, re-warm, cooldown end, anneal start, final LR). The
// curve is anneal::learningRate — the function the trainer applies — and below it the domain mixture
// over training (anneal::mixtureAt). The spec is validated with anneal::parseExperiment; "Run this"
// starts the edited experiment. setPredictedLoss() is the slot for the loss curve an lr_annealing fit
// will predict (not available yet: no curve is invented meanwhile).

#include <QTimer>
#include <QWidget>

#include "anneal/experiment.h"

class QLabel;
class QPushButton;

namespace anneal::ui {

class ScheduleForm;
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

    ScheduleForm* form() const { return m_form; }
    SchedulePlot* lrPlot() const { return m_lrPlot; }
    SeriesPlot* mixturePlot() const { return m_mixPlot; }
    QPushButton* runButton() const { return m_run; }

public slots:
    /// The loss curve predicted for this schedule by a fitted lr_annealing law (later step).
    void setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss);

signals:
    /// "Run this": the edited experiment as TOML.
    void runRequested(const QString& tomlText, const QString& origin);
    /// The user asked for the selected run's config / an experiment file / the default.
    void loadRunRequested();
    void loadFileRequested();
    void loadDefaultRequested();

private:
    void onFormEdited();
    void recompute();
    void validate();

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
};

}  // namespace anneal::ui
