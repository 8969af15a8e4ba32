// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunController: the one owner of running sessions and the live path from the backend's event bus
// to Qt (the views read stored data through readAsync, async_read.h, and never hold a session). It
// launches, branches, resumes, stops and pauses runs through anneal::RunSession, subscribes an
// EventQueue to each session's bus and drains the queues from a 25 Hz timer on the GUI thread,
// emitting the events as typed, batched Qt signals. Launching (parsing, the run's row, starting the
// threads, through readAsync) and tearing a finished session down happen on worker threads, so the
// GUI thread never waits for training or storage. Exceptions from the backend stop here and become
// failed(source, message). The destructor stops and joins every session it owns.

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <deque>
#include <map>
#include <memory>

#include "anneal/dataset.h"
#include "anneal/events.h"
#include "async_read.h"
#include "run_events.h"

namespace anneal {
class RunSession;
}

namespace anneal::ui {

class RunController : public QObject {
    Q_OBJECT

public:
    explicit RunController(const QString& dbPath, QObject* parent = nullptr);
    ~RunController() override;

    QString databasePath() const { return m_dbPath; }
    /// Where the next launch writes. Runs already live keep writing to their own database.
    void setDatabasePath(const QString& path);

    /// Starts a new run from an experiment file's text (origin names it in messages; overrides are
    /// "key.path=value" or "!key.path"). Asynchronous: runStarted or failed follows.
    void launch(const QString& specText, const QString& origin, const QStringList& overrides = {},
                const QString& name = {}, const QString& group = {});
    /// A new run from a parent's checkpoint at atStep with the parent's config plus overrides.
    void branch(qint64 parentId, qint64 atStep, const QStringList& overrides, const QString& name = {});
    /// Continues an interrupted, stopped or failed run from its newest valid checkpoint.
    void resume(qint64 runId);
    /// Asks a live run to stop after its current step (it writes a checkpoint). Does not wait.
    void stop(qint64 runId);
    void stopAll();
    void setPaused(qint64 runId, bool paused);

    bool isLive(qint64 runId) const { return m_runs.count(runId) > 0; }
    bool isPaused(qint64 runId) const;
    QList<qint64> liveRunIds() const;
    /// Launches whose session is still being set up on a worker thread.
    int pendingLaunches() const { return static_cast<int>(m_pending.size()); }
    LiveRunInfo info(qint64 runId) const;
    LiveProgress progress(qint64 runId) const;
    /// Events that could not be delivered to the GUI because its queue was full.
    quint64 droppedEvents(qint64 runId) const;

    /// The drain period (40 ms: 25 Hz).
    static constexpr int kDrainIntervalMs = 40;

signals:
    /// A run of this process started (its first events may already be queued).
    void runStarted(const anneal::ui::LiveRunInfo& info);
    /// The step events drained in one tick, in step order.
    void stepsArrived(qint64 runId, const QVector<anneal::StepEvent>& steps);
    /// The validation events drained in one tick.
    void evalArrived(qint64 runId, const QVector<anneal::EvalEvent>& evals);
    void statusChanged(qint64 runId, anneal::RunStatus status, const QString& message);
    void noticeArrived(qint64 runId, const anneal::ui::RunNotice& notice);
    /// A checkpoint's file is complete (its database row follows shortly from the store writer).
    void checkpointSaved(qint64 runId, qint64 step);
    /// Data being prepared before step 0 (training a tokenizer, tokenising a domain): `what` is
    /// "experiment X" or "branch of run N at step S" while it is set up, "run N" when a resumed run
    /// builds it. Emitted from the thread that builds the data (queued to receivers on others).
    void preparing(const QString& what, const QString& stage, qint64 done, qint64 total);
    void pausedChanged(qint64 runId, bool paused);
    /// The run's thread ended and every event of it was delivered; the session is being released.
    void runFinished(qint64 runId, anneal::RunStatus status);
    /// Something the backend refused or that went wrong, with where it came from ("experiment file
    /// x.toml", "branch of run 3 at step 500") and the backend's message (which names the field).
    void failed(const QString& source, const QString& message);

private:
    /// A DataProgress that emits preparing(what, ...).
    DataProgress preparingCallback(const QString& what);

    struct Started {
        std::shared_ptr<RunSession> session;
        std::shared_ptr<EventQueue> queue;
        QString source;
        QString error;
    };
    struct Live {
        std::shared_ptr<RunSession> session;
        std::shared_ptr<EventQueue> queue;
        LiveRunInfo info;
        qint64 stepsDone = 0;
        std::deque<std::pair<qint64, double>> recent;  ///< (step, wall seconds) for the rate
        bool paused = false;
    };

    template <typename Fn>
    void startAsync(const QString& source, Fn setUp);
    void adopt(const Started& started);
    void drain();
    void dispatch(Live& live, std::vector<Event>& events);
    void retire(qint64 runId);

    QString m_dbPath;
    QTimer m_drainTimer;
    std::map<qint64, Live> m_runs;
    std::map<int, QFuture<ReadResult<Started>>> m_pending;  ///< by a launch number
    int m_nextLaunch = 0;
    QList<QFuture<void>> m_retiring;
    std::vector<Event> m_buffer;
};

}  // namespace anneal::ui
