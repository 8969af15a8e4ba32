// SPDX-License-Identifier: GPL-3.0-or-later
#include "main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "anneal/error.h"
#include "anneal/store.h"
#include "async_read.h"
#include "compare_view.h"
#include "grad_norm_plot_view.h"
#include "loss_plot_view.h"
#include "lr_plot_view.h"
#include "mixture_plot_view.h"
#include "plot_options_bar.h"
#include "recent_files.h"
#include "resources.h"
#include "run_browser.h"
#include "run_controller.h"
#include "run_data_cache.h"
#include "run_filter_proxy.h"
#include "run_list_model.h"
#include "run_property_panel.h"
#include "scaling_law_view.h"
#include "schedule_editor.h"
#include "throughput_plot_view.h"
#include "weights_explorer.h"

namespace anneal::ui {

namespace {

/// The backend's message for a database that does not open, with what the user can do about it.
QString describeOpenError(const std::string& path, const std::exception& e) {
    QString message = QString::fromStdString(e.what());
    const auto* err = dynamic_cast<const Error*>(&e);
    const QFileInfo file(QString::fromStdString(path));
    if (err && err->code() == ErrorCode::SchemaTooNew) {
        message += QObject::tr(
            "\n\nThe file was written by a newer Anneal; open it with that version. It was "
            "not changed.");
    } else if ((file.exists() && !file.isWritable()) ||
               (!QFileInfo(file.absolutePath()).isWritable() && QFileInfo(file.absolutePath()).exists())) {
        message += QObject::tr(
                       "\n\n%1 is read-only (or its folder is): Anneal writes runs and a write-ahead log "
                       "beside the database. Copy it to a writable folder, or make it writable.")
                       .arg(file.exists() && !file.isWritable() ? file.fileName() : file.absolutePath());
    }
    return message;
}

}  // namespace

MainWindow::MainWindow(const Options& options, QWidget* parent)
    : QMainWindow(parent),
      m_options(options),
      m_controller(new RunController(options.dbPath, this)),
      m_cache(new RunDataCache(this)) {
    m_recent = new RecentFiles(options.restoreSettings, this);
    setObjectName(QStringLiteral("mainWindow"));
    setAcceptDrops(true);
    setWindowIcon(appIcon());
    m_startupPending = !options.runFile.isEmpty() || options.startDefaultIfEmpty;
    createViews();
    createActions();
    wireController();
    if (options.restoreSettings) {
        restoreSettings();
    }
    m_selectWhenListed = options.select;
    if (!options.view.isEmpty() && !showView(options.view)) {
        m_pendingDialog = options.view;  // a dialog: opened once the runs are listed
    }
    openDatabase(options.dbPath);
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews() {
    m_browser = new RunBrowser(this);
    m_browserDock = new QDockWidget(tr("Runs"), this);
    m_browserDock->setObjectName(QStringLiteral("runsDock"));
    m_browserDock->setWidget(m_browser);
    addDockWidget(Qt::LeftDockWidgetArea, m_browserDock);
    resizeDocks({m_browserDock}, {430}, Qt::Horizontal);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_optionsBar = new PlotOptionsBar(central);
    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("plotTabs"));
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_optionsBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_lossView = new LossPlotView(m_cache, m_tabs);
    m_plotViews = {m_lossView, new LrPlotView(m_cache, m_tabs), new MixturePlotView(m_cache, m_tabs),
                   new GradNormPlotView(m_cache, m_tabs), new ThroughputPlotView(m_cache, m_tabs)};
    const QStringList names = {QStringLiteral("loss"), QStringLiteral("lr"), QStringLiteral("mixture"),
                               QStringLiteral("grad-norm"), QStringLiteral("throughput")};
    for (int i = 0; i < m_plotViews.size(); ++i) {
        MetricPlotView* v = m_plotViews[i];
        m_tabs->addTab(v, v->title());
        v->setOptions(m_optionsBar->options());
        m_viewWidgets.insert(names[i], v);
    }
    createLabViews();

    m_dbLabel = new QLabel(this);
    m_dbLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_liveLabel = new QLabel(this);
    m_loadProgress = new QProgressBar(this);
    m_loadProgress->setMaximumWidth(160);
    m_loadProgress->setFormat(tr("loading %v/%m"));
    m_loadProgress->hide();
    m_loadCancel = new QToolButton(this);
    m_loadCancel->setText(tr("Cancel"));
    m_loadCancel->setToolTip(tr("Stop reading history from the database"));
    m_loadCancel->hide();
    statusBar()->addWidget(m_liveLabel, 1);
    statusBar()->addPermanentWidget(m_loadProgress);
    statusBar()->addPermanentWidget(m_loadCancel);
    statusBar()->addPermanentWidget(m_dbLabel);

    connect(m_browser, &RunBrowser::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_browser, &RunBrowser::currentRunChanged, this, &MainWindow::onCurrentRunChanged);
    connect(m_browser, &RunBrowser::runsLoaded, this, &MainWindow::onRunsLoaded);
    connect(m_browser, &RunBrowser::failed, this, &MainWindow::showError);
    connect(m_cache, &RunDataCache::failed, this, &MainWindow::showError);
    connect(m_cache, &RunDataCache::loadProgress, this, [this](int done, int total) {
        m_loadProgress->setRange(0, std::max(1, total));
        m_loadProgress->setValue(done);
    });
    connect(m_cache, &RunDataCache::busyChanged, this, [this](bool busy) {
        m_loadProgress->setVisible(busy);
        m_loadCancel->setVisible(busy);
    });
    connect(m_loadCancel, &QToolButton::clicked, m_cache, &RunDataCache::cancel);
    connect(m_optionsBar, &PlotOptionsBar::optionsChanged, this, [this](const PlotOptions& o) {
        for (MetricPlotView* v : m_plotViews) {
            v->setOptions(o);
        }
        m_compare->setOptions(o);
    });
    connect(m_optionsBar, &PlotOptionsBar::fitRequested, this, [this] {
        if (SeriesPlot* p = currentSeriesPlot()) {
            p->followData();
        }
    });
    connect(m_optionsBar, &PlotOptionsBar::exportRequested, this, &MainWindow::exportCurrent);
}

void MainWindow::wireController() {
    connect(m_controller, &RunController::runStarted, this, [this](const LiveRunInfo& info) {
        m_cache->registerLiveRun(info);
        if (m_followNextRun) {
            // Started by the schedule editor: its real validation curve arrives over the prediction.
            m_followNextRun = false;
            m_scheduleEditor->followRun(info.runId, m_cache);
        }
        m_selectWhenListed = {info.runId};
        m_browser->reload();
        statusBar()->showMessage(tr("Started run %1 (%2)").arg(info.runId).arg(info.name), 5000);
        updateActions();
    });
    connect(m_controller, &RunController::stepsArrived, m_cache, &RunDataCache::appendSteps);
    connect(m_controller, &RunController::evalArrived, m_cache, &RunDataCache::appendEvals);
    connect(m_controller, &RunController::stepsArrived, this, [this](qint64 runId) {
        m_browser->model()->setLiveProgress(runId, m_controller->progress(runId));
        updateLiveStatus();
    });
    connect(m_controller, &RunController::statusChanged, this,
            [this](qint64 runId, anneal::RunStatus status, const QString& message) {
                m_browser->reload();
                if (status == RunStatus::Failed) {
                    showError(tr("run %1").arg(runId), message);
                }
            });
    connect(m_controller, &RunController::pausedChanged, this, [this](qint64 runId) {
        m_browser->model()->setLiveProgress(runId, m_controller->progress(runId));
        updateActions();
        updateLiveStatus();
    });
    connect(m_controller, &RunController::noticeArrived, this, [this](qint64 runId, const RunNotice& n) {
        if (n.kind != QLatin1String("spike")) {
            statusBar()->showMessage(tr("Run %1, step %2: %3").arg(runId).arg(n.step).arg(n.message), 10000);
        }
    });
    connect(m_controller, &RunController::preparing, this,
            [this](const QString& what, const QString& stage, qint64 done, qint64 total) {
                const QString count = total > 1 ? tr(" %1 of %2").arg(done).arg(total) : QString();
                statusBar()->showMessage(
                    tr("Preparing the data of %1: %2%3 (the first run of a corpus tokenises it once)")
                        .arg(what, stage, count),
                    done >= total ? 3000 : 0);
            });
    connect(m_controller, &RunController::runFinished, this, [this](qint64 runId, anneal::RunStatus status) {
        m_browser->model()->clearLiveProgress(runId);
        m_cache->markFinished(runId);
        if (m_compare->runs().contains(runId)) {
            m_compare->refreshTables();
        }
        m_browser->reload();
        statusBar()->showMessage(tr("Run %1 %2").arg(runId).arg(QString::fromLatin1(runStatusName(status))),
                                 5000);
        updateActions();
        updateLiveStatus();
    });
    connect(m_controller, &RunController::failed, this,
            [this](const QString& source, const QString& message) {
                m_followNextRun = false;
                showError(source, message);
            });
}

void MainWindow::openDatabase(const QString& path) {
    if (!m_controller->liveRunIds().isEmpty() && path != m_dbPath) {
        showError(tr("opening %1").arg(path),
                  tr("stop the runs that are training before opening another database"));
        return;
    }
    m_dbPath = path;
    m_controller->setDatabasePath(path);
    m_cache->setDatabasePath(path);
    m_dbLabel->setText(path);
    m_compare->setDatabasePath(path);
    m_properties->setDatabasePath(path);
    m_weights->setDatabasePath(path);
    m_dbLabel->setToolTip(tr("The database this window reads and writes"));
    setWindowTitle(tr("Anneal — %1").arg(QFileInfo(path).fileName()));
    // Create or migrate the file and mark runs whose process died as interrupted, off the GUI thread;
    // the run browser reads the list afterwards.
    const std::string db = path.toStdString();
    readAsync(
        this,
        [db]() -> QString {
            try {
                Store::open(db, Store::Mode::ReadWrite)->recoverInterruptedRuns();
                return {};
            } catch (const std::exception& e) {
                return describeOpenError(db, e);  // says what to do about a locked, newer or foreign file
            }
        },
        [this, path](const ReadResult<QString>& r) {
            if (path != m_dbPath) {
                return;  // another database was opened meanwhile
            }
            const QString error = r.ok() ? r.value : r.error;
            if (!error.isEmpty()) {
                showError(tr("the database %1").arg(path), error);
                return;
            }
            m_recent->add(RecentFiles::Kind::Database, path);
            m_browser->setDatabasePath(path);
            m_scaling->setDatabasePath(path);
            reloadPredictionFits();
        });
}

void MainWindow::onRunsLoaded(int count) {
    if (m_startupPending) {
        m_startupPending = false;
        if (!m_options.runFile.isEmpty()) {
            QFile f(m_options.runFile);
            if (f.open(QIODevice::ReadOnly)) {
                launchExperiment(QString::fromUtf8(f.readAll()), m_options.runFile, m_options.overrides);
            } else {
                showError(tr("experiment %1").arg(m_options.runFile), f.errorString());
            }
        } else if (m_options.startDefaultIfEmpty && count == 0) {
            launchExperiment(defaultExperimentText(), QStringLiteral("default.toml (built in)"),
                             m_options.overrides);
        }
    }
    if (!m_selectWhenListed.isEmpty() && m_browser->model()->record(m_selectWhenListed.front())) {
        m_browser->selectRuns(m_selectWhenListed);
        m_selectWhenListed.clear();
    } else if (m_browser->selectedRunIds().isEmpty() && count > 0 && m_selectWhenListed.isEmpty()) {
        // Show something: the newest run (the list is sorted newest first by default).
        const qint64 newest = m_browser->proxy()->index(0, 0).data(RunListModel::RunIdRole).toLongLong();
        if (newest) {
            m_browser->selectRuns({newest});
        }
    }
    onCurrentRunChanged(m_browser->currentRunId());  // status and progress of the shown run
    updateGroups();
    updateActions();
    if (m_options.view == QLatin1String("schedule") && m_browser->currentRunId() && m_startupView) {
        loadScheduleFromRun();  // opened on the schedule of the selected run
    }
    m_startupView = false;
    if (!m_options.experimentFile.isEmpty()) {
        openExperimentFile(m_options.experimentFile);
        m_options.experimentFile.clear();
    } else if (m_pendingDialog == QLatin1String("new-experiment")) {
        openExperimentDialog();
    } else if (m_pendingDialog == QLatin1String("about")) {
        showAbout();
    } else if (m_pendingDialog == QLatin1String("branch")) {
        // After the property panel has the current run's checkpoints.
        connect(m_properties, &RunPropertyPanel::checkpointsLoaded, this, &MainWindow::branchCurrent,
                Qt::SingleShotConnection);
        m_properties->refreshCheckpoints();
    }
    m_pendingDialog.clear();
}

QStringList MainWindow::viewNames() {
    return {QStringLiteral("loss"),           QStringLiteral("lr"),        QStringLiteral("mixture"),
            QStringLiteral("weights"),        QStringLiteral("grad-norm"), QStringLiteral("throughput"),
            QStringLiteral("compare"),        QStringLiteral("schedule"),  QStringLiteral("scaling"),
            QStringLiteral("new-experiment"), QStringLiteral("branch"),    QStringLiteral("about")};
}

bool MainWindow::showView(const QString& name) {
    QWidget* w = m_viewWidgets.value(name);
    if (!w) {
        return false;
    }
    m_tabs->setCurrentWidget(w);
    return true;
}

void MainWindow::launchExperiment(const QString& text, const QString& origin, const QStringList& overrides) {
    m_controller->launch(text, origin, overrides);
}

void MainWindow::onSelectionChanged(const QList<qint64>& runIds) {
    for (MetricPlotView* v : m_plotViews) {
        v->setRuns(runIds);
    }
    m_compare->setRuns(runIds);
    m_weights->setRun(runIds.isEmpty() ? 0 : runIds.front());
    m_scaling->setSelectedRuns(runIds);
    updateActions();
    updateLiveStatus();
}

MetricPlotView* MainWindow::currentPlotView() const {
    return qobject_cast<MetricPlotView*>(m_tabs->currentWidget());
}

void MainWindow::showError(const QString& source, const QString& message) {
    m_lastError = source + QStringLiteral(": ") + message;
    statusBar()->showMessage(m_lastError, 15000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Anneal"), tr("Problem with %1").arg(source),
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("errorDialog"));
    box->setInformativeText(message);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // window-modal, not exec(): no nested event loop, and tests can find and read it
}

QList<QMessageBox*> MainWindow::errorDialogs() const {
    QList<QMessageBox*> out;
    for (QMessageBox* b :
         findChildren<QMessageBox*>(QStringLiteral("errorDialog"), Qt::FindDirectChildrenOnly)) {
        out << b;
    }
    return out;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    m_controller->stopAll();
    QMainWindow::closeEvent(event);
}

}  // namespace anneal::ui
