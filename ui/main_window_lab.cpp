// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow's wiring of the lab views: the property panel, the weights explorer, the compare view,
// the schedule editor with its predicted loss, the scaling-law view, and the branch and
// new-experiment dialogs.
#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QMenu>
#include <QStatusBar>
#include <QTabWidget>

#include "anneal/config.h"
#include "anneal/run_experiment.h"
#include "anneal/store.h"
#include "async_read.h"
#include "branch_dialog.h"
#include "compare_plot_view.h"
#include "compare_view.h"
#include "experiment_dialog.h"
#include "loss_plot_view.h"
#include "main_window.h"
#include "metric_plot_view.h"
#include "plot_options_bar.h"
#include "recent_files.h"
#include "resources.h"
#include "run_browser.h"
#include "run_controller.h"
#include "run_list_model.h"
#include "run_property_panel.h"
#include "scaling_law_view.h"
#include "schedule_editor.h"
#include "weights_explorer.h"

namespace anneal::ui {

void MainWindow::createLabViews() {
    m_properties = new RunPropertyPanel(this);
    m_propertiesDock = new QDockWidget(tr("Properties"), this);
    m_propertiesDock->setObjectName(QStringLiteral("propertiesDock"));
    m_propertiesDock->setWidget(m_properties);
    addDockWidget(Qt::LeftDockWidgetArea, m_propertiesDock);
    splitDockWidget(m_browserDock, m_propertiesDock, Qt::Vertical);
    resizeDocks({m_browserDock, m_propertiesDock}, {420, 380}, Qt::Vertical);

    m_weights = new WeightsExplorer(m_tabs);
    m_tabs->insertTab(m_tabs->indexOf(m_viewWidgets.value(QStringLiteral("mixture"))) + 1, m_weights,
                      tr("Weights"));
    m_compare = new CompareView(m_cache, m_tabs);
    m_compare->setOptions(m_optionsBar->options());
    m_tabs->addTab(m_compare, tr("Compare"));
    m_scheduleEditor = new ScheduleEditor(m_tabs);
    m_tabs->addTab(m_scheduleEditor, tr("Schedule"));
    m_scaling = new ScalingLawView(m_tabs);
    m_tabs->addTab(m_scaling, tr("Scaling laws"));
    m_viewWidgets.insert(QStringLiteral("weights"), m_weights);
    m_viewWidgets.insert(QStringLiteral("compare"), m_compare);
    m_viewWidgets.insert(QStringLiteral("schedule"), m_scheduleEditor);
    m_viewWidgets.insert(QStringLiteral("scaling"), m_scaling);
    m_scheduleEditor->setExperiment(parseExperiment(defaultExperimentText().toStdString(), "default.toml"),
                                    tr("built-in default"));

    connect(m_properties, &RunPropertyPanel::branchRequested, this, &MainWindow::openBranchDialog);
    connect(m_compare, &CompareView::failed, this, &MainWindow::showError);
    connect(m_compare, &CompareView::exportRequested, this, &MainWindow::exportCompareTable);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::onTabChanged);
    connect(m_weights, &WeightsExplorer::failed, this, &MainWindow::showError);
    connect(m_scaling, &ScalingLawView::failed, this, &MainWindow::showError);
    connect(m_scaling, &ScalingLawView::fitsChanged, this, &MainWindow::reloadPredictionFits);
    connect(m_scheduleEditor, &ScheduleEditor::runRequested, this,
            [this](const QString& toml, const QString& origin) {
                m_followNextRun = true;
                launchExperiment(toml, origin);
            });
    connect(m_scheduleEditor, &ScheduleEditor::branchRequested, this,
            [this](qint64 parentId, qint64 step, const QStringList& overrides, const QString& name) {
                m_followNextRun = true;
                m_controller->branch(parentId, step, overrides, name);
            });
    connect(m_scheduleEditor, &ScheduleEditor::loadRunRequested, this, &MainWindow::loadScheduleFromRun);
    connect(m_scheduleEditor, &ScheduleEditor::loadFileRequested, this, &MainWindow::loadScheduleFromFile);
    connect(m_scheduleEditor, &ScheduleEditor::loadDefaultRequested, this, [this] {
        m_scheduleEditor->setExperiment(
            parseExperiment(defaultExperimentText().toStdString(), "default.toml"), tr("built-in default"));
        m_scheduleEditor->setBranchSource(RunRecord{}, {});  // nothing to branch from
    });
}

void MainWindow::createLabActions(QMenu* fileMenu, QMenu* runMenu) {
    QAction* experiment =
        fileMenu->addAction(tr("New &experiment…"), this, [this] { openExperimentDialog(); });
    experiment->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    m_resumeAction =
        runMenu->addAction(tr("&Resume from last checkpoint"), this, &MainWindow::resumeSelected);
    m_resumeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));  // Ctrl+R may be Refresh
    m_branchAction = runMenu->addAction(tr("&Branch from checkpoint…"), this, &MainWindow::branchCurrent);
    m_branchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    runMenu->addSeparator();
}

SeriesPlot* MainWindow::currentSeriesPlot() const {
    if (MetricPlotView* v = currentPlotView()) {
        return v->plot();
    }
    if (m_tabs->currentWidget() == m_compare) {
        return m_compare->plotView()->plot();
    }
    return nullptr;
}

void MainWindow::onTabChanged() {
    // The compare view aligns by its own selector; the schedule editor has no shared plot.
    m_optionsBar->setEnabled(currentSeriesPlot() != nullptr);
    m_optionsBar->setXAxisEnabled(currentPlotView() != nullptr);
    m_optionsBar->setLossUnitsEnabled(m_tabs->currentWidget() == m_lossView);
}

void MainWindow::onCurrentRunChanged(qint64 runId) {
    const RunRecord* r = runId ? m_browser->model()->record(runId) : nullptr;
    m_properties->setRun(r ? std::optional<RunRecord>(*r) : std::nullopt);
    updateLabActions();
}

void MainWindow::updateLabActions() {
    if (!m_resumeAction) {
        return;
    }
    const RunRecord* r = m_browser->model()->record(m_browser->currentRunId());
    const bool resumable = r && r->kind == "trained" && !m_controller->isLive(r->id) &&
                           (r->status == RunStatus::Interrupted || r->status == RunStatus::Stopped ||
                            r->status == RunStatus::Failed);
    m_resumeAction->setEnabled(resumable);
    m_branchAction->setEnabled(r && r->kind == "trained");
}

void MainWindow::resumeSelected() {
    const qint64 id = m_browser->currentRunId();
    if (id) {
        m_controller->resume(id);
    }
}

void MainWindow::branchCurrent() {
    const qint64 id = m_browser->currentRunId();
    if (!id) {
        return;
    }
    const auto& cps = m_properties->checkpoints();
    openBranchDialog(id, cps.empty() ? 0 : cps.back().step);
}

BranchDialog* MainWindow::openBranchDialog(qint64 runId, qint64 step) {
    const RunRecord* r = m_browser->model()->record(runId);
    if (!r) {
        return nullptr;
    }
    QList<qint64> steps;
    if (m_properties->runId() == runId) {
        for (const CheckpointRecord& c : m_properties->checkpoints()) {
            steps << c.step;
        }
    }
    auto* dialog = new BranchDialog(*r, steps, step, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &BranchDialog::branchRequested, m_controller, &RunController::branch);
    dialog->open();
    return dialog;
}

ExperimentDialog* MainWindow::openExperimentDialog() {
    auto* dialog = new ExperimentDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExperimentDialog::runRequested, this,
            [this](const QString& toml, const QString& origin) { launchExperiment(toml, origin); });
    dialog->open();
    return dialog;
}

void MainWindow::loadScheduleFromRun() {
    const RunRecord* r = m_browser->model()->record(m_browser->currentRunId());
    if (!r) {
        statusBar()->showMessage(tr("Select a run first"), 5000);
        return;
    }
    try {
        m_scheduleEditor->setExperiment(runExperiment(*r), tr("run %1").arg(r->id));
    } catch (const std::exception& e) {
        showError(tr("the config of run %1").arg(r->id), QString::fromStdString(e.what()));
        return;
    }
    readBranchCheckpoints(r->id);
}

void MainWindow::readBranchCheckpoints(qint64 runId) {
    const std::string db = m_dbPath.toStdString();
    readAsync(
        this,
        [db, runId] {
            QList<qint64> steps;
            for (const CheckpointRecord& c : Store::open(db, Store::Mode::ReadOnly)->checkpoints(runId)) {
                steps << c.step;
            }
            return steps;
        },
        [this, runId](const ReadResult<QList<qint64>>& r) {
            // On an error r.value is empty: no checkpoints to offer, the editor launches a new run only.
            if (const RunRecord* run = m_browser->model()->record(runId)) {
                m_scheduleEditor->setBranchSource(*run, r.value);
            }
        });
}

void MainWindow::reloadPredictionFits() {
    const std::string db = m_dbPath.toStdString();
    const QString path = m_dbPath;
    using Fits = std::pair<std::vector<PredictionFit>, QString>;  // the fits that load, and why others do not
    readAsync(
        this,
        [db] {
            QString bad;
            std::vector<PredictionFit> fits = loadPredictionFits(db, &bad);
            return Fits{std::move(fits), bad};
        },
        [this, path](const ReadResult<Fits>& r) {
            if (path != m_dbPath) {
                return;
            }
            m_scheduleEditor->setPredictionFits(r.value.first);
            const QString bad = r.ok() ? r.value.second : r.error;
            if (!bad.isEmpty()) {
                statusBar()->showMessage(tr("Some stored fits do not load: %1").arg(bad), 10000);
            }
        });
}

void MainWindow::updateGroups() {
    QStringList groups;
    for (std::int64_t id : m_browser->model()->runIds()) {
        const RunRecord* r = m_browser->model()->record(id);
        const QString g = r ? QString::fromStdString(r->group) : QString();
        if (!g.isEmpty() && !groups.contains(g)) {
            groups << g;
        }
    }
    groups.sort();
    m_scaling->setGroups(groups);
}

void MainWindow::loadScheduleFromFile() {
    auto* dialog = new QFileDialog(this, tr("Open experiment"), QString(), tr("Experiment files (*.toml)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        try {
            m_scheduleEditor->setExperiment(loadExperiment(path.toStdString()), path);
            m_scheduleEditor->setBranchSource(RunRecord{}, {});  // nothing to branch from
            m_recent->add(RecentFiles::Kind::Experiment, path);
        } catch (const std::exception& e) {
            showError(tr("experiment %1").arg(path), QString::fromStdString(e.what()));
        }
    });
    dialog->open();
}

void MainWindow::exportCompareTable() {
    auto* dialog = new QFileDialog(this, tr("Export final metrics"), QString(), tr("CSV (*.csv)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QString error;
        if (!m_compare->exportFinalMetricsCsv(path, &error)) {
            showError(tr("export of the final metrics"), error);
        } else {
            statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        }
    });
    dialog->open();
}

}  // namespace anneal::ui
