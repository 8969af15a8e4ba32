// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_controller.h"

#include <QtConcurrent>
#include <cmath>
#include <exception>

#include "anneal/error.h"
#include "anneal/run_session.h"

namespace anneal::ui {

namespace {

/// Most events handled per run in one tick, so a backlog never stalls the GUI thread.
constexpr std::size_t kMaxEventsPerTick = 20000;
/// The progress rate is measured over this much recent training time.
constexpr double kRateWindowSeconds = 20.0;

std::vector<Override> toOverrides(const QStringList& list) {
    std::vector<Override> out;
    for (const QString& s : list) {
        if (!s.trimmed().isEmpty()) {
            out.push_back(s.trimmed().toStdString());
        }
    }
    return out;
}

LiveRunInfo infoOf(RunSession& s) {
    LiveRunInfo info;
    info.runId = s.runId();
    info.name = QString::fromStdString(s.spec().name);
    info.facts = runFacts(s.spec());
    for (const auto& d : info.facts.domains) {
        info.domains << QString::fromStdString(d);
    }
    info.stepsTotal = s.spec().train.steps;
    info.startStep = s.startStep();
    return info;
}

}  // namespace

RunController::RunController(const QString& dbPath, QObject* parent) : QObject(parent), m_dbPath(dbPath) {
    qRegisterMetaType<StepEvent>();
    qRegisterMetaType<EvalEvent>();
    qRegisterMetaType<RunNotice>();
    qRegisterMetaType<LiveRunInfo>();
    qRegisterMetaType<anneal::RunStatus>();
    m_drainTimer.setInterval(kDrainIntervalMs);
    m_drainTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_drainTimer, &QTimer::timeout, this, &RunController::drain);
}

RunController::~RunController() {
    m_drainTimer.stop();
    // Sessions still being set up: wait for them (no event loop) and stop them like the others.
    for (auto& [n, f] : m_pending) {
        f.waitForFinished();
        if (f.resultCount() > 0) {
            const Started s = f.result().value;
            if (s.session) {
                s.session->stop();
            }
        }
    }
    for (auto& [id, live] : m_runs) {
        live.session->stop();
    }
    // RunSession's destructor joins the training thread and drains the store writer.
    m_runs.clear();
    m_pending.clear();
    for (QFuture<void>& f : m_retiring) {
        f.waitForFinished();
    }
}

void RunController::setDatabasePath(const QString& path) { m_dbPath = path; }

DataProgress RunController::preparingCallback(const QString& what) {
    // Called on the pool thread that builds the data; the destructor waits for that work, so `this`
    // outlives it.
    return [this, what](const std::string& stage, std::int64_t done, std::int64_t total) {
        emit preparing(what, QString::fromStdString(stage), done, total);
    };
}

QList<qint64> RunController::liveRunIds() const {
    QList<qint64> ids;
    for (const auto& [id, live] : m_runs) {
        ids << id;
    }
    return ids;
}

template <typename Fn>
void RunController::startAsync(const QString& source, Fn setUp) {
    // Everything that may touch the disk (parsing includes building the data sources; the run's row;
    // the store writer's connection) runs on a pool thread.
    const int number = m_nextLaunch++;
    m_pending[number] = readAsync(
        this,
        [source, setUp] {
            Started s;
            s.source = source;
            std::unique_ptr<RunSession> session = setUp();
            s.queue = std::make_shared<EventQueue>(1 << 16);
            session->bus()->subscribe(s.queue);
            session->start();
            s.session = std::move(session);
            return s;
        },
        [this, number, source](const ReadResult<Started>& r) {
            m_pending.erase(number);
            Started s = r.value;
            s.source = source;
            s.error = r.error;
            adopt(s);
        });
}

void RunController::launch(const QString& specText, const QString& origin, const QStringList& overrides,
                           const QString& name, const QString& group) {
    LaunchRequest req;
    req.dbPath = m_dbPath.toStdString();
    req.specText = specText.toStdString();
    req.origin = origin.toStdString();
    req.overrides = toOverrides(overrides);
    req.name = name.toStdString();
    req.group = group.toStdString();
    const QString what = tr("experiment %1").arg(origin);
    req.progress = preparingCallback(what);
    startAsync(what, [req] { return RunSession::launch(req); });
}

void RunController::branch(qint64 parentId, qint64 atStep, const QStringList& overrides,
                           const QString& name) {
    const std::string db = m_dbPath.toStdString();
    const std::vector<Override> ov = toOverrides(overrides);
    const std::string n = name.toStdString();
    const QString what = tr("branch of run %1 at step %2").arg(parentId).arg(atStep);
    startAsync(what, [db, parentId, atStep, ov, n, progress = preparingCallback(what)] {
        return RunSession::branch(db, parentId, atStep, ov, n, progress);
    });
}

void RunController::resume(qint64 runId) {
    const std::string db = m_dbPath.toStdString();
    startAsync(tr("resume of run %1").arg(runId), [db, runId] { return RunSession::resume(db, runId); });
}

void RunController::adopt(const Started& started) {
    if (!started.session) {
        emit failed(started.source, started.error);
        return;
    }
    Live live;
    live.session = started.session;
    live.queue = started.queue;
    live.info = infoOf(*started.session);
    live.stepsDone = live.info.startStep;
    const qint64 id = live.info.runId;
    const LiveRunInfo info = live.info;
    m_runs[id] = std::move(live);
    if (!m_drainTimer.isActive()) {
        m_drainTimer.start();
    }
    emit runStarted(info);
}

void RunController::stop(qint64 runId) {
    auto it = m_runs.find(runId);
    if (it != m_runs.end()) {
        it->second.session->stop();  // sets a flag; never blocks
        if (it->second.paused) {
            setPaused(runId, false);  // a paused run must wake up to see the stop
        }
    }
}

void RunController::stopAll() {
    for (qint64 id : liveRunIds()) {
        stop(id);
    }
}

void RunController::setPaused(qint64 runId, bool paused) {
    auto it = m_runs.find(runId);
    if (it == m_runs.end() || it->second.paused == paused) {
        return;
    }
    try {
        paused ? it->second.session->run().pause() : it->second.session->run().resume();
    } catch (const std::exception& e) {
        emit failed(tr("run %1").arg(runId), QString::fromStdString(e.what()));
        return;
    }
    it->second.paused = paused;
    it->second.recent.clear();  // the rate restarts after a pause
    emit pausedChanged(runId, paused);
}

bool RunController::isPaused(qint64 runId) const {
    auto it = m_runs.find(runId);
    return it != m_runs.end() && it->second.paused;
}

LiveRunInfo RunController::info(qint64 runId) const {
    auto it = m_runs.find(runId);
    return it == m_runs.end() ? LiveRunInfo{} : it->second.info;
}

LiveProgress RunController::progress(qint64 runId) const {
    LiveProgress p;
    auto it = m_runs.find(runId);
    if (it == m_runs.end()) {
        return p;
    }
    const Live& l = it->second;
    p.stepsDone = l.stepsDone;
    p.stepsTotal = l.info.stepsTotal;
    p.paused = l.paused;
    if (l.recent.size() >= 2) {
        const double dt = l.recent.back().second - l.recent.front().second;
        const double ds = static_cast<double>(l.recent.back().first - l.recent.front().first);
        if (dt > 0 && ds > 0) {
            p.stepsPerSecond = ds / dt;
            p.etaSeconds = l.paused ? -1 : static_cast<double>(p.stepsTotal - p.stepsDone) / p.stepsPerSecond;
        }
    }
    return p;
}

quint64 RunController::droppedEvents(qint64 runId) const {
    auto it = m_runs.find(runId);
    return it == m_runs.end() ? 0 : it->second.queue->dropped();
}

void RunController::drain() {
    QList<qint64> done;
    for (auto& [id, live] : m_runs) {
        m_buffer.clear();
        live.queue->drain(m_buffer, std::chrono::milliseconds(0), kMaxEventsPerTick);
        if (!m_buffer.empty()) {
            dispatch(live, m_buffer);
        }
        // finished() is read after the drain: every event was published before the thread ended.
        if (live.session->run().finished() && live.queue->size() == 0) {
            done << id;
        }
    }
    for (qint64 id : done) {
        retire(id);
    }
    // Prune the teardown futures that have completed.
    m_retiring.erase(std::remove_if(m_retiring.begin(), m_retiring.end(),
                                    [](const QFuture<void>& f) { return f.isFinished(); }),
                     m_retiring.end());
    if (m_runs.empty()) {
        m_drainTimer.stop();
    }
}

void RunController::dispatch(Live& live, std::vector<Event>& events) {
    const qint64 id = live.info.runId;
    QVector<StepEvent> steps;
    QVector<EvalEvent> evals;
    // Keep the order across kinds where it matters to a reader: points before the status that ends
    // the run, so a view that reacts to the status has every point.
    auto flush = [&] {
        if (!steps.isEmpty()) {
            emit stepsArrived(id, steps);
            steps.clear();
        }
        if (!evals.isEmpty()) {
            emit evalArrived(id, evals);
            evals.clear();
        }
    };
    for (Event& e : events) {
        if (const auto* s = std::get_if<StepEvent>(&e.payload)) {
            steps.push_back(*s);
            live.stepsDone = s->step + 1;
            live.recent.emplace_back(s->step, s->wallSeconds);
        } else if (const auto* v = std::get_if<EvalEvent>(&e.payload)) {
            evals.push_back(*v);
        } else if (const auto* st = std::get_if<StatusEvent>(&e.payload)) {
            flush();
            emit statusChanged(id, st->status, QString::fromStdString(st->message));
        } else if (const auto* n = std::get_if<NoticeEvent>(&e.payload)) {
            flush();
            emit noticeArrived(id, RunNotice{n->step, QString::fromStdString(n->kind),
                                             QString::fromStdString(n->message), n->value});
        } else if (const auto* c = std::get_if<CheckpointEvent>(&e.payload)) {
            flush();
            emit checkpointSaved(id, c->step);
        } else if (const auto* p = std::get_if<PrepareEvent>(&e.payload)) {
            emit preparing(tr("run %1").arg(id), QString::fromStdString(p->stage), p->done, p->total);
        }
        // Weight snapshots are read from the store by the weights explorer, not streamed.
    }
    flush();
    while (live.recent.size() > 2 &&
           live.recent.back().second - live.recent.front().second > kRateWindowSeconds) {
        live.recent.pop_front();
    }
}

void RunController::retire(qint64 runId) {
    auto it = m_runs.find(runId);
    if (it == m_runs.end()) {
        return;
    }
    std::shared_ptr<RunSession> session = std::move(it->second.session);
    m_runs.erase(it);
    const RunStatus status = session->run().status();
    // The destructor joins a thread that has already ended and drains the store writer: off the GUI
    // thread all the same, since the writer may still be committing its last batch.
    m_retiring << QtConcurrent::run([s = std::move(session)]() mutable { s.reset(); });
    emit runFinished(runId, status);
}

}  // namespace anneal::ui
