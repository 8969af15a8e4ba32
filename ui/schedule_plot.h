// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SchedulePlot: the schedule editor's LR curve with its knots (anneal::scheduleKnots), which the user
// drags with the mouse. It also holds the slot for a predicted loss curve on a second y axis: empty
// until the loss-vs-step law with LR annealing can be fitted (backend/include/anneal/fit/, a later
// step) — no curve is drawn without a fit.

#include <QString>
#include <QVector>
#include <QWidget>
#include <vector>

#include "anneal/schedule.h"

class QCustomPlot;
class QCPGraph;
class QCPItemText;

namespace anneal::ui {

class SchedulePlot : public QWidget {
    Q_OBJECT

public:
    explicit SchedulePlot(QWidget* parent = nullptr);

    /// The LR of every step 0..T-1 and the knots (multipliers are scaled by peakLr).
    void setCurve(const std::vector<double>& lr, const std::vector<ScheduleKnot>& knots, double peakLr);
    const std::vector<double>& curve() const { return m_lr; }
    const std::vector<ScheduleKnot>& knots() const { return m_knots; }
    QCustomPlot* plot() const { return m_plot; }
    QCPGraph* lrGraph() const { return m_lrGraph; }
    QCPGraph* predictedLossGraph() const { return m_lossGraph; }

    /// The predicted loss of this schedule (the lr_annealing law's prediction); empty clears it.
    void setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss);

signals:
    /// The user dragged a knot to (step, multiplier of the peak LR).
    void knotDragged(const QString& name, double step, double multiplier);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    int knotAt(const QPointF& pos) const;
    void redrawCurve();

    QCustomPlot* m_plot;
    QCPGraph* m_lrGraph;
    QCPGraph* m_knotGraph;
    QCPGraph* m_lossGraph;
    QCPItemText* m_lossNote;
    std::vector<double> m_lr;
    std::vector<ScheduleKnot> m_knots;
    double m_peak = 1;
    QString m_dragging;  ///< name of the knot being dragged
};

}  // namespace anneal::ui
