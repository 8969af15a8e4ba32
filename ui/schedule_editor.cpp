// SPDX-License-Identifier: GPL-3.0-or-later
#include "schedule_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>
#include <cmath>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/mixture.h"
#include "anneal/schedule.h"
#include "anneal/lr_table.h"
#include "schedule_form.h"
#include "schedule_optimize_panel.h"
#include "schedule_plot.h"
#include "series_plot.h"

namespace anneal::ui {

namespace {

/// Mixture samples drawn per curve: every step for short runs, else this many plus the change points.
constexpr std::int64_t kMixtureSamples = 2000;
constexpr int kValidateDelayMs = 150;

std::int64_t roundStep(double x, std::int64_t lo, std::int64_t hi) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::llround(x)), lo, hi);
}

}  // namespace

ScheduleEditor::ScheduleEditor(QWidget* parent)
    : QWidget(parent),
      m_form(new ScheduleForm(true, this)),
      m_lrPlot(new SchedulePlot(this)),
      m_mixPlot(new SeriesPlot(this)),
      m_originLabel(new QLabel(this)),
      m_errorLabel(new QLabel(this)),
      m_timing(new QLabel(this)),
      m_run(new QPushButton(tr("&Run this"), this)) {
    setObjectName(QStringLiteral("scheduleEditor"));
    m_originLabel->setWordWrap(true);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setObjectName(QStringLiteral("scheduleError"));
    QPalette pal = m_errorLabel->palette();
    pal.setColor(QPalette::WindowText, QColor(0xc0, 0x39, 0x2b));
    m_errorLabel->setPalette(pal);
    m_timing->setForegroundRole(QPalette::PlaceholderText);
    m_run->setToolTip(tr("Start a run of this experiment with the edited schedule"));

    auto* fromRun = new QPushButton(tr("From selected run"), this);
    auto* fromFile = new QPushButton(tr("Open file…"), this);
    auto* fromDefault = new QPushButton(tr("Default"), this);
    auto* sources = new QHBoxLayout;
    sources->addWidget(fromRun);
    sources->addWidget(fromFile);
    sources->addWidget(fromDefault);
    auto* table = new QPushButton(tr("Load LR table…"), this);
    table->setObjectName(QStringLiteral("loadLrTable"));
    table->setToolTip(
        tr("Any LR sequence: a step,lr file (absolute LRs at knots, linear between them) becomes "
           "a table schedule, stored by content with the run"));
    m_optimizer = new ScheduleOptimizePanel(this);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(m_originLabel);
    leftLayout->addLayout(sources);
    leftLayout->addWidget(m_form);
    leftLayout->addWidget(table);
    leftLayout->addWidget(m_errorLabel);
    leftLayout->addStretch(1);
    leftLayout->addWidget(buildPredictionBox());
    leftLayout->addWidget(m_optimizer);
    leftLayout->addWidget(m_timing);
    leftLayout->addWidget(m_run);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(330);

    m_mixPlot->setStacked(true);
    m_mixPlot->setSmoothing(0);
    m_mixPlot->setAxisLabels(tr("step"), tr("mixture (share of each batch)"));
    auto* plots = new QSplitter(Qt::Vertical, this);
    plots->addWidget(m_lrPlot);
    plots->addWidget(m_mixPlot);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(scroll);
    split->addWidget(plots);
    split->setStretchFactor(1, 1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(kValidateDelayMs);
    connect(&m_validateTimer, &QTimer::timeout, this, &ScheduleEditor::validate);
    connect(m_form, &SpecForm::edited, this, &ScheduleEditor::onFormEdited);
    connect(m_lrPlot, &SchedulePlot::knotDragged, this, &ScheduleEditor::moveKnot);
    connect(fromRun, &QPushButton::clicked, this, &ScheduleEditor::loadRunRequested);
    connect(fromFile, &QPushButton::clicked, this, &ScheduleEditor::loadFileRequested);
    connect(fromDefault, &QPushButton::clicked, this, &ScheduleEditor::loadDefaultRequested);
    connect(m_run, &QPushButton::clicked, this, &ScheduleEditor::runThis);
    connect(table, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("LR table (step,lr)"), QString(),
                                                          tr("CSV files (*.csv);;All files (*)"));
        if (!path.isEmpty()) {
            loadLrTable(path);
        }
    });
    connect(m_optimizer, &ScheduleOptimizePanel::optimizeRequested, this, &ScheduleEditor::startOptimize);
    connect(m_optimizer, &ScheduleOptimizePanel::finished, this, &ScheduleEditor::showOptimized);
    connect(m_optimizer, &ScheduleOptimizePanel::useRequested, this, &ScheduleEditor::useOptimized);
}

bool ScheduleEditor::loadLrTable(const QString& path) {
    try {
        ExperimentSpec edited = m_spec;
        applyLrTable(edited, readLrTableFile(path.toStdString()), path.toStdString());
        m_spec = edited;
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
        m_errorLabel->setText(m_error);
        return false;
    }
    dropOptimized();
    m_form->load(m_spec);
    recompute();
    validate();
    return true;
}

void ScheduleEditor::runThis() {
    validate();
    if (!m_error.isEmpty()) {
        return;
    }
    if (m_branchRun && m_branchCheck->isChecked() && m_checkpointCombo->count() > 0) {
        const qint64 step = m_checkpointCombo->currentData().toLongLong();
        emit branchRequested(
            m_branchRun->id, step, branchOverrides(),
            tr("%1 (edited schedule from step %2)").arg(QString::fromStdString(m_branchRun->name)).arg(step));
        return;
    }
    emit runRequested(QString::fromStdString(toToml(m_spec)), tr("schedule editor (%1)").arg(m_origin));
}

void ScheduleEditor::setExperiment(const ExperimentSpec& spec, const QString& origin) {
    m_spec = spec;
    m_origin = origin;
    m_originLabel->setText(
        tr("Editing the schedule of <b>%1</b> (%2)")
            .arg(QString::fromStdString(spec.name).toHtmlEscaped(), origin.toHtmlEscaped()));
    m_form->load(m_spec);
    recompute();
    validate();
}

const std::vector<double>& ScheduleEditor::lrCurve() const { return m_lrPlot->curve(); }

void ScheduleEditor::onFormEdited() {
    QString error;
    if (!m_form->store(m_spec, &error)) {
        m_error = error;
        m_errorLabel->setText(error);
        m_run->setEnabled(false);
        return;
    }
    dropOptimized();
    recompute();
    m_validateTimer.start();
}

void ScheduleEditor::moveTableKnot(const QString& name, double step, double multiplier) {
    // Knot i of a table: between its neighbours (the first stays at step 0, the last at its step, so
    // the table still covers the run), LR = multiplier x the peak LR, clamped to [0, peak]. The table
    // is the experiment's now (stored by content, as every table), no longer its file's.
    ScheduleSpec& s = m_spec.schedule;
    bool ok = false;
    const int i = name.startsWith(QLatin1String("table:")) ? name.mid(6).toInt(&ok) : -1;
    const int n = static_cast<int>(s.tableSteps.size());
    if (!ok || i < 0 || i >= n) {
        return;  // warmup_end / end of a long table only mark it
    }
    LrTable table{s.tableSteps, s.tableLrs};
    if (i > 0 && i < n - 1) {
        table.steps[static_cast<size_t>(i)] =
            std::clamp<std::int64_t>(std::llround(step), table.steps[static_cast<size_t>(i - 1)] + 1,
                                     table.steps[static_cast<size_t>(i + 1)] - 1);
    }
    table.lrs[static_cast<size_t>(i)] = std::clamp(multiplier, 0.0, 1.0) * m_spec.train.lr;
    const std::string source = s.tableSource.rfind("edited in the schedule editor", 0) == 0
                                   ? s.tableSource
                                   : "edited in the schedule editor" +
                                         (s.tableSource.empty() ? "" : " (from " + s.tableSource + ")");
    try {
        applyLrTable(m_spec, table, source);
    } catch (const Error&) {
        return;  // cannot happen: the last knot keeps its step
    }
    m_form->load(m_spec);
    dropOptimized();
    recompute();
    m_validateTimer.start();
}

void ScheduleEditor::moveKnot(const QString& name, double step, double multiplier) {
    ScheduleSpec& s = m_spec.schedule;
    if (s.kind == "table") {
        moveTableKnot(name, step, multiplier);
        return;
    }
    const std::int64_t total = m_spec.train.steps;
    const double m = std::clamp(multiplier, 0.0, 1.0);
    auto fractionFromEnd = [&](double x) {
        return static_cast<double>(total - roundStep(x, 0, total)) / static_cast<double>(total);
    };
    if (name == QLatin1String("warmup_end")) {
        s.warmupSteps = roundStep(step, 1, total);
    } else if (name == QLatin1String("decay_start")) {
        s.decayFraction = fractionFromEnd(step);
    } else if (name == QLatin1String("rewarm_at")) {
        s.rewarmAt = roundStep(step, s.warmupSteps, total);
    } else if (name == QLatin1String("cooldown_end")) {
        s.cooldownSteps = roundStep(step, s.warmupSteps, total) - s.warmupSteps;
        s.constantLrFraction = std::max(m, 1e-6);
    } else if (name == QLatin1String("anneal_start")) {
        s.annealFraction = fractionFromEnd(step);
    } else if (name == QLatin1String("end")) {
        s.finalLrFraction = m;
    } else {
        return;
    }
    m_form->load(m_spec);
    dropOptimized();
    recompute();
    m_validateTimer.start();
}

void ScheduleEditor::recompute() {
    QElapsedTimer timer;
    timer.start();
    const std::int64_t total = std::max<std::int64_t>(1, m_spec.train.steps);
    m_lrPlot->setCurve(learningRates(m_spec), scheduleKnots(m_spec.schedule, total), m_spec.train.lr);

    // The mixture: every step of a short run; else evenly spaced samples plus the steps where it jumps.
    std::vector<std::int64_t> steps;
    const std::int64_t stride = std::max<std::int64_t>(1, total / kMixtureSamples);
    for (std::int64_t t = 0; t < total; t += stride) {
        steps.push_back(t);
    }
    if (m_spec.mixture.upsample.enabled) {
        const std::int64_t u = upsampleStartStep(m_spec);
        steps.push_back(std::max<std::int64_t>(0, u - 1));
        steps.push_back(u);
    }
    if (m_spec.mixture.replay.enabled) {
        steps.push_back(std::max<std::int64_t>(0, m_spec.mixture.replay.startStep - 1));
        steps.push_back(m_spec.mixture.replay.startStep);
    }
    steps.push_back(total - 1);
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    const std::size_t domains = m_spec.data.domains.size();
    std::vector<double> x;
    std::vector<std::vector<double>> share(domains);
    for (std::int64_t t : steps) {
        if (t < 0 || t >= total) {
            continue;
        }
        const std::vector<double> p = mixtureAt(m_spec, t);
        x.push_back(static_cast<double>(t));
        for (std::size_t d = 0; d < domains; ++d) {
            share[d].push_back(d < p.size() ? p[d] : 0.0);
        }
    }
    QStringList keys;
    for (std::size_t d = 0; d < domains; ++d) {
        const QString key = QString::fromStdString(m_spec.data.domains[d].name);
        keys << key;
        m_mixPlot->setCurve(key, CurveStyle{key, curveColor(1 + static_cast<int>(d))});
        m_mixPlot->setCurveData(key, x, share[d]);
    }
    for (const QString& k : m_mixPlot->curveKeys()) {
        if (!keys.contains(k)) {
            m_mixPlot->removeCurve(k);
        }
    }
    m_mixPlot->followData();
    updatePrediction();
    m_lastUpdateMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    m_timing->setText(m_predicted.empty()
                          ? tr("%1 steps, updated in %2 ms").arg(total).arg(m_lastUpdateMs, 0, 'f', 1)
                          : tr("%1 steps, updated in %2 ms (prediction %3 ms)")
                                .arg(total)
                                .arg(m_lastUpdateMs, 0, 'f', 1)
                                .arg(m_lastPredictionMs, 0, 'f', 1));
}

void ScheduleEditor::validate() {
    m_validateTimer.stop();
    m_form->clearErrors();
    m_error.clear();
    try {
        parseExperiment(toToml(m_spec), m_origin.toStdString());
    } catch (const Error& e) {
        m_error = QString::fromStdString(e.what());
        if (!m_form->showError(QString::fromStdString(e.field()), QString::fromStdString(e.detail()))) {
            // A field outside this form (e.g. a domain): the message names it.
        }
    } catch (const std::exception& e) {
        m_error = QString::fromStdString(e.what());
    }
    m_errorLabel->setText(m_error);
    m_run->setEnabled(m_error.isEmpty());
}

}  // namespace anneal::ui
