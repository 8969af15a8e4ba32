// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// MainWindow: creates the views and wires them together; it holds no logic of its own beyond
// routing signals (RunController -> RunDataCache -> views; RunBrowser selection -> views) and the
// menu actions. Dialogs are opened with open()/show(), never exec(): no nested event loops; an error
// is a non-modal warning box (objectName "errorDialog") naming the file or field.
// (main_window_actions.cpp: menus and settings; main_window_lab.cpp: the lab views;
// main_window_files.cpp: recent files, drag and drop, imports, the About dialog.)

#include <QList>
#include <QMap>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>

class QDragEnterEvent;
class QDropEvent;
class QLabel;
class QMessageBox;
class QProgressBar;
class QTabWidget;
class QToolButton;
class QDockWidget;
class QMenu;

namespace anneal::ui {

class RunController;
class RunDataCache;
class RunBrowser;
class MetricPlotView;
class LossPlotView;
class PlotOptionsBar;
class RunPropertyPanel;
class CompareView;
class ScheduleEditor;
class SeriesPlot;
class ExperimentDialog;
class BranchDialog;
class AboutDialog;
class RecentFiles;
class CorpusPrepareJob;
class WeightsExplorer;
class ScalingLawView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    struct Options {
        QString dbPath;                   ///< database to open
        QString runFile;                  ///< experiment file to start at once ("" = none)
        QStringList overrides;            ///< --set K=V for runFile or the default experiment
        bool startDefaultIfEmpty = true;  ///< start the embedded default when the database has no runs
        bool restoreSettings = true;      ///< window layout and plot options from QSettings
        QList<qint64> select;             ///< runs to select once listed (default: the newest)
        QString experimentFile;           ///< an experiment file to open in the New-experiment dialog
        /// The view to show: loss, lr, mixture, weights, grad-norm, throughput, compare, schedule,
        /// scaling; or a dialog to open once the runs are listed: new-experiment, branch (the current
        /// run's last checkpoint), about.
        QString view;
    };

    /// Names accepted by Options::view.
    static QStringList viewNames();
    /// Shows a view by name; false for an unknown name.
    bool showView(const QString& name);

    explicit MainWindow(const Options& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    void openDatabase(const QString& path);
    QString databasePath() const { return m_dbPath; }
    /// Starts a run from an experiment's text (origin names it in messages).
    void launchExperiment(const QString& text, const QString& origin, const QStringList& overrides = {});

    RunController* controller() const { return m_controller; }
    RunDataCache* cache() const { return m_cache; }
    RunBrowser* browser() const { return m_browser; }
    LossPlotView* lossView() const { return m_lossView; }
    QTabWidget* tabs() const { return m_tabs; }
    PlotOptionsBar* plotOptionsBar() const { return m_optionsBar; }
    /// The plot view of the current tab (nullptr on a tab that is not a plot).
    MetricPlotView* currentPlotView() const;
    /// The plot the options bar's Fit and Export act on (the compare overlay on the Compare tab).
    SeriesPlot* currentSeriesPlot() const;
    RunPropertyPanel* propertyPanel() const { return m_properties; }
    CompareView* compareView() const { return m_compare; }
    ScheduleEditor* scheduleEditor() const { return m_scheduleEditor; }
    /// Opens the branch dialog for a run's checkpoint (non-modal); returns it (tests).
    BranchDialog* openBranchDialog(qint64 runId, qint64 step);
    /// Opens the new-experiment dialog (non-modal); returns it (tests).
    ExperimentDialog* openExperimentDialog();
    /// Opens an experiment file in the New-experiment dialog (an error dialog names the field when it
    /// does not parse); returns the dialog, nullptr on error.
    ExperimentDialog* openExperimentFile(const QString& path);
    /// Imports a loss curve (CSV or JSONL) as a run of the database, as `anneal-cli import` does, in
    /// the background: curveImported or an error dialog naming the line and column follows.
    void importCurve(const QString& path);
    /// Opens a dropped file by its kind: .toml experiment, .csv/.jsonl curve, .db database.
    void openDroppedFile(const QString& path);
    /// Help ▸ About (non-modal); returns it (tests).
    AboutDialog* showAbout();
    RecentFiles* recentFiles() const { return m_recent; }
    WeightsExplorer* weightsExplorer() const { return m_weights; }
    ScalingLawView* scalingLawView() const { return m_scaling; }
    /// The error dialogs open now, oldest first (tests).
    QList<QMessageBox*> errorDialogs() const;
    QList<MetricPlotView*> plotViews() const { return m_plotViews; }
    /// The last error shown to the user ("source: message"), for tests and the status bar.
    QString lastError() const { return m_lastError; }

signals:
    /// A dropped or chosen curve file became run runId.
    void curveImported(qint64 runId);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createViews();
    void createLabViews();
    void createLabActions(QMenu* fileMenu, QMenu* runMenu);
    void onCurrentRunChanged(qint64 runId);
    void onTabChanged();
    void resumeSelected();
    void branchCurrent();
    void loadScheduleFromRun();
    void loadScheduleFromFile();
    void exportCompareTable();
    void createFileActions(QMenu* fileMenu);
    void createHelpMenu();
    void reloadPredictionFits();
    void readBranchCheckpoints(qint64 runId);
    void updateGroups();
    void createActions();
    void wireController();
    void showError(const QString& source, const QString& message);
    void onSelectionChanged(const QList<qint64>& runIds);
    void onRunsLoaded(int count);
    void updateActions();
    void updateLabActions();
    void updateLiveStatus();
    void askOpenDatabase();
    void askNewRun();
    void stopSelected();
    void togglePauseSelected();
    void exportCurrent(const QString& format);
    void saveSettings() const;
    void restoreSettings();
    QList<qint64> targetRuns() const;

    Options m_options;
    QString m_dbPath;
    QString m_lastError;
    bool m_startupPending = true;
    QPointer<CorpusPrepareJob> m_corpusJob;  ///< File ▸ Prepare real-text corpus, while it runs
    QString m_pendingDialog;
    bool m_startupView = true;
    QList<qint64> m_selectWhenListed;
    RunController* m_controller;
    RunDataCache* m_cache;
    RunBrowser* m_browser = nullptr;
    QDockWidget* m_browserDock = nullptr;
    QTabWidget* m_tabs = nullptr;
    PlotOptionsBar* m_optionsBar = nullptr;
    LossPlotView* m_lossView = nullptr;
    QList<MetricPlotView*> m_plotViews;
    QLabel* m_dbLabel = nullptr;
    QLabel* m_liveLabel = nullptr;
    QProgressBar* m_loadProgress = nullptr;
    QToolButton* m_loadCancel = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_resumeAction = nullptr;
    QAction* m_branchAction = nullptr;
    RunPropertyPanel* m_properties = nullptr;
    QDockWidget* m_propertiesDock = nullptr;
    CompareView* m_compare = nullptr;
    ScheduleEditor* m_scheduleEditor = nullptr;
    WeightsExplorer* m_weights = nullptr;
    ScalingLawView* m_scaling = nullptr;
    RecentFiles* m_recent = nullptr;
    QMap<QString, QWidget*> m_viewWidgets;  ///< view name -> tab
    bool m_followNextRun = false;           ///< the next started run came from the schedule editor
};

}  // namespace anneal::ui
