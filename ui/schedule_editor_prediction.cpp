// SPDX-License-Identifier: GPL-3.0-or-later
// ScheduleEditor: the predicted loss (a stored lr_annealing or mpl fit applied to the edited schedule), the
// run or checkpoint "Run this" starts from, and the validation loss of the run it started.
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <map>

#include "anneal/config.h"
#include "anneal/run_experiment.h"
#include "anneal/fit/fit.h"
#include "anneal/schedule.h"
#include "run_data_cache.h"
#include "schedule_editor.h"
#include "schedule_form.h"
#include "anneal/lr_table.h"
#include "schedule_optimize_panel.h"
#include "schedule_plot.h"

namespace anneal::ui {

QWidget* ScheduleEditor::buildPredictionBox() {
    auto* box = new QGroupBox(tr("Predicted loss and launch"), this);
    auto* form = new QFormLayout(box);
    m_fitCombo = new QComboBox(box);
    m_fitCombo->setObjectName(QStringLiteral("predictionFit"));
    m_fitCombo->setToolTip(
        tr("A stored lr_annealing or mpl fit (Scaling laws tab, or anneal-cli fit) that predicts "
           "the loss curve of any schedule of the same model and data"));
    m_fitNote = new QLabel(box);
    m_fitNote->setWordWrap(true);
    m_fitNote->setForegroundRole(QPalette::PlaceholderText);
    m_branchCheck = new QCheckBox(tr("Branch from checkpoint"), box);
    m_branchCheck->setToolTip(
        tr("Start the edited schedule from a checkpoint of the run it was loaded from, "
           "sharing that run's history before the checkpoint"));
    m_checkpointCombo = new QComboBox(box);
    m_checkpointCombo->setObjectName(QStringLiteral("branchCheckpoint"));
    form->addRow(tr("Fit"), m_fitCombo);
    form->addRow(m_fitNote);
    form->addRow(m_branchCheck, m_checkpointCombo);
    connect(m_fitCombo, &QComboBox::activated, this, [this] {
        m_chosenFit = m_fitCombo->currentData().toLongLong();
        updatePrediction();
    });
    connect(m_branchCheck, &QCheckBox::toggled, this, [this] {
        updateBranchControls();
        updatePrediction();
    });
    connect(m_checkpointCombo, &QComboBox::activated, this, [this] { updatePrediction(); });
    m_fitCombo->addItem(tr("none"), qint64(0));
    updateBranchControls();
    return box;
}

void ScheduleEditor::setPredictionFits(const std::vector<PredictionFit>& fits) {
    m_fits = fits;
    m_fitCombo->clear();
    m_fitCombo->addItem(tr("none"), qint64(0));
    for (const PredictionFit& f : m_fits) {
        m_fitCombo->addItem(tr("#%1 %2").arg(f.id).arg(f.name), f.id);
        m_fitCombo->setItemData(m_fitCombo->count() - 1, f.source, Qt::ToolTipRole);
    }
    bool listed = false;
    for (const PredictionFit& f : m_fits) {
        listed = listed || f.id == m_chosenFit;
    }
    if (m_chosenFit > 0 && !listed) {
        m_chosenFit = -1;
    }
    updatePrediction();
}

void ScheduleEditor::selectPredictionFit(qint64 fitId) {
    m_chosenFit = fitId;
    updatePrediction();
}

namespace {

/// The laws describe the loss from the end of warmup on (METHODS 2, S_W); before it their value grows
/// without bound as the LR area goes to 0 (1e14 at update 0 of a 2000-step mpl fit), which would
/// stretch the loss axis and flatten every drawn curve. The plot draws them from update W on.
std::vector<double> drawnFromWarmupEnd(std::vector<double> loss, std::int64_t warmupSteps) {
    for (std::size_t t = 0; t < loss.size() && static_cast<std::int64_t>(t) < warmupSteps; ++t) {
        loss[t] = fit::kNaN;
    }
    return loss;
}

}  // namespace

const PredictionFit* ScheduleEditor::predictionFit() const {
    if (m_chosenFit == 0) {
        return nullptr;
    }
    if (m_chosenFit > 0) {
        for (const PredictionFit& f : m_fits) {
            if (f.id == m_chosenFit) {
                return &f;
            }
        }
        return nullptr;
    }
    const int i = defaultPredictionFit(m_fits, m_spec);
    return i < 0 ? nullptr : &m_fits[static_cast<std::size_t>(i)];
}

void ScheduleEditor::updatePrediction() {
    if (!m_fitCombo) {
        return;  // during construction
    }
    QElapsedTimer timer;
    timer.start();
    const PredictionFit* fit = predictionFit();
    const int index = m_fitCombo->findData(fit ? fit->id : qint64(0));
    if (index >= 0 && index != m_fitCombo->currentIndex()) {
        m_fitCombo->setCurrentIndex(index);
    }
    m_predicted.clear();
    m_predictionLr.clear();
    if (m_optimizer) {
        m_optimizer->setAvailable(fit != nullptr, tr("Choose an lr_annealing or mpl fit above first"));
    }
    if (!fit) {
        m_lrPlot->setPredictedCurve({}, {});
        const bool any = !m_fits.empty();
        const QString note =
            any ? tr("No lr_annealing or mpl fit of this model and data is chosen (%n stored).", nullptr,
                     static_cast<int>(m_fits.size()))
                : tr("No lr_annealing or mpl fit in this database: fit one in the Scaling laws tab "
                     "on runs of this model and data.");
        m_fitNote->setText(note);
        m_lrPlot->setPredictionNote(
            tr("predicted loss: needs a stored lr_annealing or mpl fit of this model and data"));
        m_lastPredictionMs = 0;
        return;
    }
    // The LR the run will apply: the edited schedule's, except before the branch step of a branch,
    // where it is the parent's (a branch shares its parent's history).
    m_predictionLr = m_lrPlot->curve();
    if (m_branchRun && m_branchCheck->isChecked() && m_checkpointCombo->count() > 0 && !m_parentLr.empty()) {
        const auto step = static_cast<std::size_t>(m_checkpointCombo->currentData().toLongLong());
        for (std::size_t t = 0; t < step && t < m_predictionLr.size() && t < m_parentLr.size(); ++t) {
            m_predictionLr[t] = m_parentLr[t];
        }
    }
    try {
        m_predicted = fit::predictCurve(fit->fit, m_predictionLr, m_spec.schedule.warmupSteps);
    } catch (const std::exception& e) {
        m_fitNote->setText(
            tr("The fit cannot predict this schedule: %1").arg(QString::fromStdString(e.what())));
        m_lrPlot->setPredictedCurve({}, {});
        return;
    }
    const bool matches = fitMatches(*fit, experimentSignature(m_spec));
    m_lrPlot->setPredictedCurve(drawnFromWarmupEnd(m_predicted, m_spec.schedule.warmupSteps),
                                tr("predicted by fit #%1").arg(fit->id));
    m_lastPredictionMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    const double last = m_predicted.empty() ? fit::kNaN : m_predicted.back();
    QString note =
        tr("Predicted final loss %1 (fit #%2: %3).").arg(last, 0, 'f', 4).arg(fit->id).arg(fit->source);
    if (!matches) {
        note += tr(" ⚠ Fitted on runs of another model or data mix: the prediction may not apply.");
    }
    m_fitNote->setText(note);
}

void ScheduleEditor::startOptimize() {
    const PredictionFit* fit = predictionFit();
    if (!fit) {
        return;
    }
    fit::ScheduleProblem p;
    p.steps = m_spec.train.steps;
    p.peakLr = m_spec.train.lr;
    p.warmupSteps = m_spec.schedule.warmupSteps;
    p.warmupStartFraction = m_spec.schedule.warmupStartFraction;
    if (!m_optimizer->minLr(&p.minLr) || p.minLr >= p.peakLr) {
        m_optimizer->resultLabel()->setText(tr("Minimum LR: '%1' is not an LR in [0, the peak LR %2)")
                                                .arg(m_optimizer->minLrEdit()->text().trimmed())
                                                .arg(p.peakLr));
        return;
    }
    const double current = m_predicted.empty() ? fit::kNaN : m_predicted.back();
    dropOptimized();
    m_optimizer->start(fit->fit, p, current, fit->id);
}

void ScheduleEditor::showOptimized() {
    const auto& r = m_optimizer->result();
    const PredictionFit* fit = predictionFit();
    if (!r || !fit || fit->id != m_optimizer->resultFitId()) {
        return;
    }
    std::vector<double> loss;
    try {
        loss = fit::predictCurve(fit->fit, r->best.lr, m_spec.schedule.warmupSteps);
    } catch (const std::exception&) {
        // The LR is still drawn; the label has the final loss.
    }
    m_lrPlot->setOptimizedCurves(r->best.lr, drawnFromWarmupEnd(loss, m_spec.schedule.warmupSteps),
                                 tr("optimised schedule's predicted loss (fit #%1)").arg(fit->id));
}

void ScheduleEditor::dropOptimized() {
    if (!m_optimizer) {
        return;
    }
    m_optimizer->cancel();
    if (m_optimizer->result()) {
        m_optimizer->clear();
    }
    m_lrPlot->setOptimizedCurves({}, {}, {});
}

void ScheduleEditor::useOptimized(bool run) {
    const auto& r = m_optimizer->result();
    if (!r) {
        return;
    }
    try {
        ExperimentSpec edited = m_spec;
        applyLrTable(edited, lrTableFromSequence(r->best.lr),
                     "schedule optimizer, fit #" + std::to_string(m_optimizer->resultFitId()));
        m_spec = edited;
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
        m_errorLabel->setText(m_error);
        return;
    }
    dropOptimized();
    m_form->load(m_spec);
    recompute();
    validate();
    if (run) {
        runThis();
    }
}

void ScheduleEditor::setPredictedLoss(const QVector<double>& steps, const QVector<double>& loss) {
    m_lrPlot->setPredictedLoss(steps, loss);
}

void ScheduleEditor::setBranchSource(const RunRecord& run, const QList<qint64>& checkpointSteps) {
    m_branchRun = run;
    m_parentLr.clear();
    try {
        m_parentLr = learningRates(runExperiment(run));
    } catch (const std::exception&) {
        // An imported run or an unreadable config: the prediction uses the edited schedule throughout.
    }
    m_checkpointCombo->clear();
    for (qint64 step : checkpointSteps) {
        m_checkpointCombo->addItem(tr("run %1 at step %2").arg(run.id).arg(step), step);
    }
    updateBranchControls();
    updatePrediction();
}

void ScheduleEditor::updateBranchControls() {
    const bool can = m_branchRun.has_value() && m_checkpointCombo->count() > 0;
    m_branchCheck->setEnabled(can);
    if (!can) {
        m_branchCheck->setChecked(false);
    }
    m_checkpointCombo->setEnabled(can && m_branchCheck->isChecked());
    m_run->setText(can && m_branchCheck->isChecked() ? tr("&Run this (branch)") : tr("&Run this"));
}

QStringList ScheduleEditor::branchOverrides() const {
    if (!m_branchRun) {
        return {};
    }
    auto relevant = [](const std::string& key) {
        return key.rfind("schedule.", 0) == 0 || key == "train.steps" || key == "train.lr";
    };
    std::map<std::string, std::string> parent, edited;
    try {
        for (const auto& [k, v] : flattenToml(m_branchRun->configToml)) {
            if (relevant(k)) {
                parent[k] = v;
            }
        }
        for (const auto& [k, v] : flattenToml(toToml(m_spec))) {
            if (relevant(k)) {
                edited[k] = v;
            }
        }
    } catch (const std::exception&) {
        return {};
    }
    QStringList out;
    for (const auto& [k, v] : parent) {
        if (!edited.count(k)) {
            out << QStringLiteral("!") + QString::fromStdString(k);
        }
    }
    for (const auto& [k, v] : edited) {
        auto it = parent.find(k);
        if (it == parent.end() || it->second != v) {
            out << QString::fromStdString(k + "=" + v);
        }
    }
    return out;
}

void ScheduleEditor::followRun(qint64 runId, RunDataCache* cache) {
    if (m_cache && m_cache != cache) {
        disconnect(m_cache, nullptr, this, nullptr);
    }
    if (cache && m_cache != cache) {
        connect(cache, &RunDataCache::runChanged, this, &ScheduleEditor::onFollowedRunChanged);
    }
    m_cache = cache;
    m_followed = runId;
    m_lrPlot->setObservedLoss({}, {}, {});
    if (m_cache && runId > 0) {
        m_cache->request({runId}, {QStringLiteral("val_loss")});
        onFollowedRunChanged(runId);
    }
}

void ScheduleEditor::onFollowedRunChanged(qint64 runId) {
    if (runId != m_followed || !m_cache) {
        return;
    }
    m_cache->request({runId}, {QStringLiteral("val_loss")});
    const Series* s = m_cache->series(runId, QStringLiteral("val_loss"));
    if (!s) {
        return;
    }
    m_lrPlot->setObservedLoss(s->steps, s->values, tr("validation loss of run %1 (val_loss)").arg(runId));
}

}  // namespace anneal::ui
