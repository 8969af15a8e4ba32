// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow's menus and actions, its status line and the settings it keeps.
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>

#include "compare_view.h"
#include "main_window.h"
#include "metric_plot_view.h"
#include "plot_options_bar.h"
#include "recent_files.h"
#include "run_browser.h"
#include "run_controller.h"
#include "run_list_model.h"
#include "series_plot.h"

namespace anneal::ui {

namespace {

/// Opens a file dialog without blocking (no exec(), so no nested event loop) and calls done with
/// the chosen path.
template <typename Fn>
void openFileDialog(QWidget* parent, const QString& title, const QString& filter,
                    QFileDialog::AcceptMode mode, const QString& suffix, Fn done) {
    auto* dialog = new QFileDialog(parent, title, QString(), filter);
    dialog->setAcceptMode(mode);
    dialog->setFileMode(mode == QFileDialog::AcceptOpen ? QFileDialog::ExistingFile : QFileDialog::AnyFile);
    if (!suffix.isEmpty()) {
        dialog->setDefaultSuffix(suffix);
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(dialog, &QFileDialog::fileSelected, parent, done);
    dialog->open();
}

}  // namespace

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open database…"), this, &MainWindow::askOpenDatabase);
    open->setShortcut(QKeySequence::Open);
    QAction* newRun = file->addAction(tr("&New run from file…"), this, &MainWindow::askNewRun);
    newRun->setShortcut(QKeySequence::New);
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    createLabActions(file, run);
    createFileActions(file);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    m_stopAction = run->addAction(tr("&Stop"), this, &MainWindow::stopSelected);
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_stopAction->setToolTip(tr("Stop the selected runs after their current step (a checkpoint is written)"));
    m_pauseAction = run->addAction(tr("&Pause"), this, &MainWindow::togglePauseSelected);
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Space));
    QAction* refresh = run->addAction(tr("&Refresh list"), m_browser, &RunBrowser::reload);
    refresh->setShortcuts(QKeySequence::Refresh);  // F5 (and Ctrl+R where the desktop binds it)
    m_browser->setContextActions({m_stopAction, m_pauseAction, m_resumeAction, m_branchAction});

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_browserDock->toggleViewAction());
    view->addAction(m_propertiesDock->toggleViewAction());
    QAction* fit = view->addAction(tr("&Fit plot to data"), m_optionsBar, &PlotOptionsBar::fitRequested);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    QAction* filter = view->addAction(tr("Filter &runs"), this, [this] {
        m_browserDock->show();
        m_browser->filterEdit()->setFocus();
        m_browser->filterEdit()->selectAll();
    });
    filter->setShortcut(QKeySequence::Find);
    QAction* fullScreen = view->addAction(tr("F&ull screen"), this,
                                          [this] { setWindowState(windowState() ^ Qt::WindowFullScreen); });
    fullScreen->setShortcut(QKeySequence::FullScreen);
    view->addSeparator();
    for (int i = 0; i < m_tabs->count() && i < 9; ++i) {
        QAction* tab = view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        tab->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }
    createHelpMenu();
    updateActions();
}

QList<qint64> MainWindow::targetRuns() const {
    QList<qint64> live;
    for (qint64 id : m_browser->selectedRunIds()) {
        if (m_controller->isLive(id)) {
            live << id;
        }
    }
    // Nothing live selected: act on the only live run, if there is exactly one.
    if (live.isEmpty() && m_controller->liveRunIds().size() == 1) {
        live = m_controller->liveRunIds();
    }
    return live;
}

void MainWindow::updateActions() {
    if (!m_stopAction) {
        return;
    }
    const QList<qint64> targets = targetRuns();
    m_stopAction->setEnabled(!targets.isEmpty());
    m_pauseAction->setEnabled(!targets.isEmpty());
    const bool allPaused =
        !targets.isEmpty() &&
        std::all_of(targets.begin(), targets.end(), [this](qint64 id) { return m_controller->isPaused(id); });
    m_pauseAction->setText(allPaused ? tr("Continue (&unpause)") : tr("&Pause"));
    updateLabActions();
}

void MainWindow::updateLiveStatus() {
    QStringList parts;
    for (qint64 id : m_controller->liveRunIds()) {
        const LiveProgress p = m_controller->progress(id);
        QString s = tr("run %1: %2/%3").arg(id).arg(p.stepsDone).arg(p.stepsTotal);
        if (p.paused) {
            s += tr(" (paused)");
        } else if (p.stepsPerSecond > 0) {
            s += tr(", %1 steps/s, ETA %2")
                     .arg(p.stepsPerSecond, 0, 'f', p.stepsPerSecond < 10 ? 1 : 0)
                     .arg(RunListModel::formatDuration(p.etaSeconds));
        }
        parts << s;
    }
    m_liveLabel->setText(parts.join(QStringLiteral("   ·   ")));
}

void MainWindow::askOpenDatabase() {
    openFileDialog(this, tr("Open database"), tr("Anneal databases (*.db *.sqlite);;All files (*)"),
                   QFileDialog::AcceptOpen, {}, [this](const QString& path) { openDatabase(path); });
}

void MainWindow::askNewRun() {
    openFileDialog(this, tr("New run from experiment file"), tr("Experiment files (*.toml);;All files (*)"),
                   QFileDialog::AcceptOpen, {}, [this](const QString& path) {
                       QFile f(path);
                       if (!f.open(QIODevice::ReadOnly)) {
                           showError(tr("experiment %1").arg(path), f.errorString());
                           return;
                       }
                       m_recent->add(RecentFiles::Kind::Experiment, path);
                       launchExperiment(QString::fromUtf8(f.readAll()), path);
                   });
}

void MainWindow::stopSelected() {
    for (qint64 id : targetRuns()) {
        m_controller->stop(id);
    }
}

void MainWindow::togglePauseSelected() {
    const QList<qint64> targets = targetRuns();
    const bool allPaused =
        std::all_of(targets.begin(), targets.end(), [this](qint64 id) { return m_controller->isPaused(id); });
    for (qint64 id : targets) {
        m_controller->setPaused(id, !allPaused);
    }
}

void MainWindow::exportCurrent(const QString& format) {
    SeriesPlot* plot = currentSeriesPlot();
    if (!plot) {
        return;
    }
    const QString title = m_tabs->tabText(m_tabs->currentIndex()).remove(QLatin1Char('&'));
    const QString filter = format == QLatin1String("csv")
                               ? tr("CSV (*.csv)")
                               : format.toUpper() + QStringLiteral(" (*.") + format + QLatin1Char(')');
    openFileDialog(this, tr("Export %1").arg(title), filter, QFileDialog::AcceptSave, format,
                   [this, plot, title, format](const QString& path) {
                       QString error;
                       const bool ok = format == QLatin1String("csv") ? plot->exportCsv(path, &error)
                                                                      : plot->exportImage(path, &error);
                       if (!ok) {
                           showError(tr("export of %1").arg(title), error);
                       } else {
                           statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
                       }
                   });
}

void MainWindow::saveSettings() const {
    if (!m_options.restoreSettings) {
        return;
    }
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("compare/splitter"), m_compare->splitter()->saveState());
    s.setValue(QStringLiteral("compare/alignment"), xAxisKey(m_compare->alignment()));
    const PlotOptions o = m_optionsBar->options();
    s.setValue(QStringLiteral("plot/xAxis"), xAxisKey(o.xAxis));
    s.setValue(QStringLiteral("plot/logX"), o.logX);
    s.setValue(QStringLiteral("plot/logY"), o.logY);
    s.setValue(QStringLiteral("plot/smoothing"), o.smoothing);
    s.setValue(QStringLiteral("plot/lossUnits"), QString::fromLatin1(lossUnitsKey(o.lossUnits)));
}

void MainWindow::restoreSettings() {
    QSettings s;
    if (s.contains(QStringLiteral("window/geometry"))) {
        restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
        restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    } else {
        resize(1400, 860);
    }
    m_tabs->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
    m_compare->splitter()->restoreState(s.value(QStringLiteral("compare/splitter")).toByteArray());
    m_compare->setAlignment(xAxisFromKey(s.value(QStringLiteral("compare/alignment")).toString()));
    PlotOptions o;
    o.xAxis = xAxisFromKey(s.value(QStringLiteral("plot/xAxis"), xAxisKey(o.xAxis)).toString());
    o.logX = s.value(QStringLiteral("plot/logX"), o.logX).toBool();
    o.logY = s.value(QStringLiteral("plot/logY"), o.logY).toBool();
    o.smoothing = s.value(QStringLiteral("plot/smoothing"), o.smoothing).toDouble();
    o.lossUnits = lossUnitsFromKey(s.value(QStringLiteral("plot/lossUnits")).toString());
    m_optionsBar->setOptions(o);
    for (MetricPlotView* v : m_plotViews) {
        v->setOptions(o);
    }
    m_compare->setOptions(o);
}

}  // namespace anneal::ui
