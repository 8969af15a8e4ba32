// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// CompareView: the selected runs side by side. An overlay of one metric aligned by step, tokens,
// FLOPs, wall time or the branch point; a config diff listing only the keys that differ; a sortable
// table of final metrics (exportable to CSV). Configs and final metrics are read on a pool thread
// with progress and cancel.

#include <QWidget>

#include "async_read.h"
#include "final_metrics.h"
#include "plot_options.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QSortFilterProxyModel;
class QToolButton;

namespace anneal::ui {

class RunDataCache;
class ComparePlotView;
class ConfigDiffModel;
class FinalMetricsModel;

class CompareView : public QWidget {
    Q_OBJECT

public:
    explicit CompareView(RunDataCache* cache, QWidget* parent = nullptr);
    ~CompareView() override;

    void setDatabasePath(const QString& path) { m_dbPath = path; }
    void setRuns(const QList<qint64>& runIds);
    QList<qint64> runs() const { return m_runs; }
    /// Smoothing and log axes come from the plot options; the x axis is this view's alignment.
    void setOptions(const PlotOptions& options);
    void setAlignment(XAxisKind kind);
    XAxisKind alignment() const { return m_alignment; }
    void setMetric(const QString& metric);

    ComparePlotView* plotView() const { return m_plot; }
    ConfigDiffModel* configDiffModel() const { return m_diffModel; }
    FinalMetricsModel* finalMetricsModel() const { return m_finalModel; }
    QSortFilterProxyModel* finalMetricsProxy() const { return m_finalProxy; }
    QSplitter* splitter() const { return m_splitter; }
    /// True while configs and final metrics are being read.
    bool loading() const { return m_loading; }
    /// Re-reads configs and final metrics (a compared run finished).
    void refreshTables();
    void cancel();
    bool exportFinalMetricsCsv(const QString& path, QString* error = nullptr) const;

signals:
    /// Configs and final metrics of the current runs are in the tables.
    void tablesLoaded();
    void exportRequested();
    void failed(const QString& source, const QString& message);

private:
    struct Loaded {
        QVector<FinalMetrics> metrics;
        std::vector<std::string> configs;
        QStringList labels;
    };
    void updateMetricChoices();
    void applyLoaded(const ReadResult<Loaded>& loaded);

    RunDataCache* m_cache;
    QString m_dbPath;
    QList<qint64> m_runs;
    XAxisKind m_alignment = XAxisKind::Step;
    PlotOptions m_options;
    QComboBox* m_metric;
    QComboBox* m_align;
    QLabel* m_status;
    QProgressBar* m_progress;
    QToolButton* m_cancel;
    QPushButton* m_export;
    ComparePlotView* m_plot;
    QSplitter* m_splitter;
    QTableView* m_diffTable;
    QTableView* m_finalTable;
    ConfigDiffModel* m_diffModel;
    FinalMetricsModel* m_finalModel;
    QSortFilterProxyModel* m_finalProxy;
    QFuture<ReadResult<Loaded>> m_future;
    bool m_loading = false;
    RequestSequence m_tableRequests;
};

}  // namespace anneal::ui
