// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule_optimize_panel.h"

#include <cmath>

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "anneal/error.h"

namespace anneal::ui {

ScheduleOptimizePanel::ScheduleOptimizePanel(QWidget* parent)
    : QGroupBox(tr("Optimize the schedule"), parent),
      m_optimize(new QPushButton(tr("&Optimize"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_use(new QPushButton(tr("Use this"), this)),
      m_useAndRun(new QPushButton(tr("Use and run"), this)),
      m_progress(new QProgressBar(this)),
      m_label(new QLabel(this)),
      m_minLr(new QLineEdit(this)) {
    setObjectName(QStringLiteral("scheduleOptimize"));
    m_optimize->setToolTip(
        tr("Find the LR schedule with the lowest final loss the chosen fit predicts: same steps, "
           "peak LR and warmup, non-increasing after warmup (METHODS 2.1)"));
    m_use->setToolTip(tr("Make the optimised schedule this experiment's schedule (kind = table)"));
    m_useAndRun->setToolTip(tr("Make it this experiment's schedule and start a run of it"));
    m_minLr->setObjectName(QStringLiteral("optimizeMinLr"));
    m_minLr->setPlaceholderText(tr("0"));
    m_minLr->setToolTip(
        tr("Lower bound of the LR after warmup (the CLI's --min-lr). Keep it at or above the smallest LR "
           "the fit's curves applied: below, the law is extrapolated"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setRange(0, 1000);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_optimize);
    buttons->addWidget(m_cancel);
    auto* use = new QHBoxLayout;
    use->addWidget(m_use);
    use->addWidget(m_useAndRun);
    auto* minRow = new QHBoxLayout;
    minRow->addWidget(new QLabel(tr("Minimum LR"), this));
    minRow->addWidget(m_minLr, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(minRow);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_label);
    layout->addLayout(use);
    m_progress->hide();
    m_cancel->hide();
    setAvailable(false, tr("Choose an lr_annealing or mpl fit above first"));
    m_use->setEnabled(false);
    m_useAndRun->setEnabled(false);

    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_fraction) {
            m_progress->setValue(static_cast<int>(1000 * m_fraction->load()));
        }
    });
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &ScheduleOptimizePanel::onFinished);
    connect(m_optimize, &QPushButton::clicked, this, &ScheduleOptimizePanel::optimizeRequested);
    connect(m_cancel, &QPushButton::clicked, this, &ScheduleOptimizePanel::cancel);
    connect(m_use, &QPushButton::clicked, this, [this] { emit useRequested(false); });
    connect(m_useAndRun, &QPushButton::clicked, this, [this] { emit useRequested(true); });
}

bool ScheduleOptimizePanel::minLr(double* value) const {
    const QString text = m_minLr->text().trimmed();
    if (text.isEmpty()) {
        *value = 0.0;
        return true;
    }
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok && std::isfinite(*value) && *value >= 0.0;
}

ScheduleOptimizePanel::~ScheduleOptimizePanel() {
    // The worker only reads its own copies; stop it and wait, so nothing outlives the panel.
    if (m_stop) {
        m_stop->store(true);
    }
    m_watcher.waitForFinished();
}

void ScheduleOptimizePanel::setAvailable(bool available, const QString& reason) {
    m_optimize->setEnabled(available && !running());
    m_optimize->setToolTip(
        available ? tr("Find the LR schedule with the lowest final loss the chosen fit predicts: "
                       "same steps, peak LR and warmup, non-increasing after warmup (METHODS 2.1)")
                  : reason);
}

void ScheduleOptimizePanel::start(const fit::FitResult& fitResult, const fit::ScheduleProblem& problem,
                                  double currentLoss, qint64 fitId) {
    cancel();
    m_watcher.waitForFinished();
    m_stop = std::make_shared<std::atomic<bool>>(false);
    m_fraction = std::make_shared<std::atomic<double>>(0.0);
    m_currentLoss = currentLoss;
    m_pendingFit = fitId;
    auto stop = m_stop;
    auto fraction = m_fraction;
    m_watcher.setFuture(QtConcurrent::run([fitResult, problem, stop, fraction]() -> Outcome {
        Outcome out;
        try {
            out.result = fit::optimizeSchedule(fitResult, problem, {}, [stop, fraction](double f) {
                fraction->store(f);
                return !stop->load();
            });
        } catch (const Error& e) {
            out.error = e.code() == ErrorCode::Cancelled ? QString() : QString::fromStdString(e.what());
        } catch (const std::exception& e) {
            out.error = QString::fromStdString(e.what());
        }
        return out;
    }));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    m_optimize->setEnabled(false);
    m_label->setText(tr("Optimising %1 steps with fit #%2…").arg(problem.steps).arg(fitId));
    m_poll.start();
}

void ScheduleOptimizePanel::cancel() {
    if (m_stop && running()) {
        m_stop->store(true);
        m_label->setText(tr("Cancelled."));
    }
}

void ScheduleOptimizePanel::clear() {
    m_result.reset();
    m_resultFit = 0;
    m_use->setEnabled(false);
    m_useAndRun->setEnabled(false);
    m_label->clear();
}

void ScheduleOptimizePanel::onFinished() {
    m_poll.stop();
    m_progress->hide();
    m_cancel->hide();
    setAvailable(false, tr("Choose an lr_annealing or mpl fit above first"));
    m_optimize->setEnabled(true);
    const Outcome out = m_watcher.result();
    if (!out.result) {
        if (!out.error.isEmpty()) {
            m_label->setText(tr("The optimiser failed: %1").arg(out.error));
        }
        return;
    }
    m_result = out.result;
    m_resultFit = m_pendingFit;
    const fit::OptimizedSchedule& r = *m_result;
    QString text = tr("Predicted final loss (fit #%1): <b>optimised %2</b>, current schedule %3")
                       .arg(m_resultFit)
                       .arg(r.best.finalLoss, 0, 'f', 5)
                       .arg(m_currentLoss, 0, 'f', 5);
    for (const auto& c : r.references) {
        text += tr(", %1 %2").arg(QString::fromStdString(c.name)).arg(c.finalLoss, 0, 'f', 5);
    }
    text += tr(". %1 iterations%2.").arg(r.iterations).arg(r.converged ? tr(", converged") : QString());
    for (const std::string& w : r.warnings) {
        text += tr("<br>⚠ %1").arg(QString::fromStdString(w).toHtmlEscaped());
    }
    m_label->setText(text);
    m_use->setEnabled(true);
    m_useAndRun->setEnabled(true);
    emit finished();
}

}  // namespace anneal::ui
