// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunDataCache: the series the views plot, one copy for all of them. History is read from SQLite
// on pool threads (each job opens its own read-only Store: a Store is one connection and never
// crosses threads); points of runs this process trains arrive from RunController and are appended.
// A branch's series include its parent's history before the branch step. A long series is first
// read as the store's min/max overview (anneal::metricDecimated: a few thousand points, spikes kept)
// so it shows at once, then replaced by its full rows; Store::metricCount decides which series are
// short enough to read whole at once, and a series too long to hold (more than kFullReadMaxPoints
// rows) stays the overview. Runs trained by another process (anneal-cli on the same file) are
// polled with Store::metricSince.

#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <atomic>
#include <map>
#include <memory>
#include <vector>

#include "anneal/store.h"
#include "async_read.h"
#include "run_events.h"
#include "x_axis.h"

namespace anneal::ui {

/// One metric of one run, steps ascending.
struct Series {
    std::vector<double> steps;
    std::vector<double> values;
    quint64 generation = 0;     ///< bumped when the series is replaced (not when appended to)
    bool loaded = false;        ///< history has been read from the store
    bool preview = false;       ///< for now the store's min/max overview of a long series; full rows follow
    bool overviewOnly = false;  ///< too long to hold: only the overview is kept
};

struct RunData {
    bool recordLoaded = false;
    anneal::RunRecord record;
    StepAxisData axis;
    bool axisLoaded = false;
    QStringList metricNames;  ///< known names (stored and live)
    std::map<QString, Series> series;
    bool live = false;
    LiveRunInfo liveInfo;
};

class RunDataCache : public QObject {
    Q_OBJECT

public:
    explicit RunDataCache(QObject* parent = nullptr);
    ~RunDataCache() override;

    QString databasePath() const { return m_dbPath; }
    /// Forgets everything and reads from another database.
    void setDatabasePath(const QString& path);

    /// Makes sure the runs' records, step axes and the metrics matching the patterns ("train_loss",
    /// "val_loss.*") are loaded; what is missing is read in the background, then runChanged fires.
    void request(const QList<qint64>& runIds, const QStringList& patterns);
    /// Drops a run's loaded data (e.g. it was deleted or re-run) so the next request rereads it.
    void forget(qint64 runId);

    const RunData* run(qint64 runId) const;
    const Series* series(qint64 runId, const QString& metric) const;
    /// Known metric names of a run that match the patterns, sorted.
    QStringList matchingMetrics(qint64 runId, const QStringList& patterns) const;
    static bool matches(const QString& name, const QStringList& patterns);

    bool busy() const { return !m_jobs.empty(); }
    /// Cancels the loads in flight (what they already read is dropped).
    void cancel();
    /// Polling period for runs another process is training.
    void setPollInterval(int ms) { m_pollTimer.setInterval(ms); }

public slots:
    void registerLiveRun(const anneal::ui::LiveRunInfo& info);
    void appendSteps(qint64 runId, const QVector<anneal::StepEvent>& steps);
    void appendEvals(qint64 runId, const QVector<anneal::EvalEvent>& evals);
    /// The run's status changed (reloads its record so status and progress are current).
    void refreshRecord(qint64 runId);
    /// A live run ended: its points are complete; re-read its record.
    void markFinished(qint64 runId);

signals:
    /// Something of the run changed: its record, axis, a series loaded or points appended.
    void runChanged(qint64 runId);
    /// Background loading: done of total items; busy false when everything finished or was cancelled.
    void loadProgress(int done, int total);
    void busyChanged(bool busy);
    /// A load failed (e.g. the database is unreadable): source and message.
    void failed(const QString& source, const QString& message);

public:
    /// What a background job reads (public for the loader in run_data_loader.cpp).
    struct Job {
        qint64 runId = 0;
        QStringList names;     ///< metrics to read (an absent one reads as empty)
        QStringList patterns;  ///< and the stored metrics matching these
        QSet<QString> skip;    ///< already loaded or in flight
        bool wantAxis = false;
        bool since = false;  ///< incremental poll: metricSince from the last known steps
        std::map<QString, double> sinceSteps;
        QSet<QString> full;  ///< names that have their overview already: read every row
    };
    struct Loaded {
        qint64 runId = 0;
        bool ok = false;
        QString error;
        bool since = false;
        anneal::RunRecord record;
        bool recordFound = false;
        QStringList names;
        bool hasAxis = false;
        StepAxisData axis;
        std::map<QString, anneal::MetricSeries> series;
        std::map<QString, anneal::MetricSeries> previews;  ///< overviews of long series
        QSet<QString> overviewOnly;  ///< long series whose full rows are not read (kFullReadMaxPoints)
    };

    /// Buckets of the first overview of a long series (a wide screen's pixels).
    static constexpr int kPreviewBuckets = 2048;
    /// Series up to this many stored rows are read whole at once (no overview first).
    static constexpr std::int64_t kDirectReadMaxPoints = 2 * kPreviewBuckets;
    /// Longest series read whole; a longer one stays the store's overview (about 64 MB of rows).
    static constexpr std::int64_t kFullReadMaxPoints = 4'000'000;

private:
    void startJob(Job job);
    void merge(const Loaded& loaded);
    void appendPoint(RunData& run, const QString& name, double step, double value);
    void poll();
    RunData& entry(qint64 runId);

    QString m_dbPath;
    std::map<qint64, RunData> m_runs;
    std::map<qint64, QSet<QString>> m_inFlight;  ///< metric names, "#record", "#axis"
    std::map<qint64, QStringList> m_patterns;    ///< everything requested of a run so far
    std::shared_ptr<std::atomic<bool>> m_cancelled;
    std::map<int, QFuture<ReadResult<Loaded>>> m_jobs;  ///< by a job number
    int m_nextJob = 0;
    int m_jobsTotal = 0;
    int m_jobsDone = 0;
    quint64 m_epoch = 0;  ///< bumped by setDatabasePath/cancel: results of older jobs are dropped
    QTimer m_pollTimer;
};

}  // namespace anneal::ui
