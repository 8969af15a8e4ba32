// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// ScheduleOptimizePanel: the schedule editor's "Optimize" box. It runs anneal::fit::optimizeSchedule (the
// schedule a curve-law fit predicts best, METHODS 2.1) on a worker thread (QtConcurrent, the future's
// watcher parented to the panel) with a progress bar and Cancel, then shows the optimised final loss next
// to the current schedule's, cosine's and WSD's. "Use this" / "Use and run" hand the schedule to the
// editor, which makes it a `table` schedule (anneal::applyLrTable).

#include <QFutureWatcher>
#include <QGroupBox>
#include <QTimer>
#include <atomic>
#include <memory>
#include <optional>

#include "anneal/fit/schedule_optimizer.h"

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace anneal::ui {

class ScheduleOptimizePanel : public QGroupBox {
    Q_OBJECT

public:
    explicit ScheduleOptimizePanel(QWidget* parent = nullptr);
    ~ScheduleOptimizePanel() override;

    /// Starts optimising (cancelling a run in progress). currentLoss: the edited schedule's predicted
    /// final loss, shown beside the result. fitId names the fit in the result line.
    void start(const fit::FitResult& fit, const fit::ScheduleProblem& problem, double currentLoss,
               qint64 fitId);
    /// Cancels a run in progress (its result is dropped).
    void cancel();
    bool running() const { return m_watcher.isRunning(); }
    /// Whether Optimize can be clicked (a curve-law fit is chosen), and why not.
    void setAvailable(bool available, const QString& reason);

    /// The last result (none before the first one finishes, and after clear()).
    const std::optional<fit::OptimizedSchedule>& result() const { return m_result; }
    qint64 resultFitId() const { return m_resultFit; }
    void clear();

    QPushButton* optimizeButton() const { return m_optimize; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* useButton() const { return m_use; }
    QPushButton* useAndRunButton() const { return m_useAndRun; }
    QLabel* resultLabel() const { return m_label; }
    QLineEdit* minLrEdit() const { return m_minLr; }
    /// The minimum LR after warmup the user gave (0 when empty); false when it is not a number >= 0.
    bool minLr(double* value) const;

signals:
    /// The user clicked Optimize (the editor then calls start() with its fit and problem).
    void optimizeRequested();
    /// A result arrived (result() holds it).
    void finished();
    /// "Use this" (run = false) or "Use and run" (run = true) with the optimised LR of every update.
    void useRequested(bool run);

private:
    struct Outcome {
        std::optional<fit::OptimizedSchedule> result;
        QString error;
    };
    void onFinished();

    QPushButton* m_optimize;
    QPushButton* m_cancel;
    QPushButton* m_use;
    QPushButton* m_useAndRun;
    QProgressBar* m_progress;
    QLabel* m_label;
    QLineEdit* m_minLr;
    QFutureWatcher<Outcome> m_watcher;
    QTimer m_poll;  ///< reads the worker's progress (an atomic) into the bar, 10 times a second
    std::shared_ptr<std::atomic<bool>> m_stop;
    std::shared_ptr<std::atomic<double>> m_fraction;
    std::optional<fit::OptimizedSchedule> m_result;
    double m_currentLoss = 0;
    qint64 m_pendingFit = 0;
    qint64 m_resultFit = 0;
};

}  // namespace anneal::ui
