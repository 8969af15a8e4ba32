// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// SchedulePlot: the schedule editor's LR curve with its knots (anneal::scheduleKnots), which the user
// drags with the mouse. On a second y axis: the loss a curve-law fit (lr_annealing, mpl) predicts for the
// schedule (decimated to min/max per pixel column like the LR), and the real validation loss of the run
// started from the editor as it arrives. Without a fit no curve is drawn, and a note says why.

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
    QCPGraph* observedLossGraph() const { return m_observedGraph; }

    /// The predicted loss of this schedule (a curve law's prediction: lr_annealing or mpl); empty clears it.
    void setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss);
    /// The predicted loss after every update 0..n-1 (NaN where undefined), drawn decimated; label
    /// names the fit in the legend.
    void setPredictedCurve(const std::vector<double>& loss, const QString& label);
    /// The real validation loss of a run at its steps (empty clears it).
    void setObservedLoss(const std::vector<double>& steps, const std::vector<double>& loss,
                         const QString& label);
    /// An optimised schedule beside the current one (dashed LR) with its predicted loss (dotted, loss
    /// axis); empty vectors clear both.
    void setOptimizedCurves(const std::vector<double>& lr, const std::vector<double>& loss,
                            const QString& label);
    QCPGraph* optimizedLrGraph() const { return m_optLrGraph; }
    QCPGraph* optimizedLossGraph() const { return m_optLossGraph; }
    /// The note shown while there is no predicted curve.
    void setPredictionNote(const QString& text);

signals:
    /// The user dragged a knot to (step, multiplier of the peak LR).
    void knotDragged(const QString& name, double step, double multiplier);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    int knotAt(const QPointF& pos) const;
    void redrawCurve();
    void rescaleLossAxis();

    QCustomPlot* m_plot;
    QCPGraph* m_lrGraph;
    QCPGraph* m_knotGraph;
    QCPGraph* m_lossGraph;
    QCPGraph* m_observedGraph;
    QCPGraph* m_optLrGraph;
    QCPGraph* m_optLossGraph;
    QCPItemText* m_lossNote;
    std::vector<double> m_lr;
    std::vector<ScheduleKnot> m_knots;
    double m_peak = 1;
    QString m_dragging;  ///< name of the knot being dragged
};

}  // namespace anneal::ui
