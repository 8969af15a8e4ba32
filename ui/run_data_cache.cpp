// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one class; its load job, merge and poll share the Job and Loaded types.
#include "run_data_cache.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "anneal/curve_query.h"

namespace anneal::ui {

namespace {

constexpr int kPollIntervalMs = 2000;

RunDataCache::Loaded load(const std::string& dbPath, const RunDataCache::Job& job,
                          const std::shared_ptr<std::atomic<bool>>& cancelled) {
    RunDataCache::Loaded out;
    out.runId = job.runId;
    out.since = job.since;
    // One connection for this job, on this thread (a Store never crosses threads).
    auto store = Store::open(dbPath, Store::Mode::ReadOnly);
    if (auto rec = store->findRun(job.runId)) {
        out.record = *rec;
        out.recordFound = true;
    } else {
        out.error = QStringLiteral("run %1 is not in the database").arg(job.runId);
        return out;
    }
    for (const std::string& n : store->metricNames(job.runId)) {
        out.names << QString::fromStdString(n);
    }
    if (job.wantAxis) {
        const StepAxis a = store->stepAxis(job.runId, true);
        out.hasAxis = true;
        for (size_t i = 0; i < a.steps.size(); ++i) {
            out.axis.append(static_cast<double>(a.steps[i]), static_cast<double>(a.tokens[i]), a.wall[i]);
        }
    }
    QStringList wanted = job.names;
    for (const QString& name : out.names) {
        if (RunDataCache::matches(name, job.patterns) && !job.skip.contains(name) && !wanted.contains(name)) {
            wanted << name;
        }
    }
    for (const QString& name : wanted) {
        if (*cancelled) {
            return out;
        }
        if (job.since) {
            auto it = job.sinceSteps.find(name);
            const auto from = static_cast<std::int64_t>(it == job.sinceSteps.end() ? -1.0 : it->second);
            out.series[name] = store->metricSince(job.runId, name.toStdString(), from);
        } else if (job.full.contains(name)) {
            if (store->metricCount(job.runId, name.toStdString()) > RunDataCache::kFullReadMaxPoints) {
                out.overviewOnly.insert(name);
                continue;
            }
            out.series[name] = store->metric(job.runId, name.toStdString(), true);
        } else if (!out.record.parentId &&
                   store->metricCount(job.runId, name.toStdString()) <= RunDataCache::kDirectReadMaxPoints) {
            // Short (and no parent history before it): all of it in one read, no overview first.
            out.series[name] = store->metric(job.runId, name.toStdString(), true);
        } else {
            // The overview first: when the series is short it is the whole series.
            CurveQuery q;
            q.buckets = RunDataCache::kPreviewBuckets;
            const DecimatedCurve d = metricDecimated(*store, job.runId, name.toStdString(), q);
            MetricSeries& target = d.decimated ? out.previews[name] : out.series[name];
            target.steps = d.steps;
            target.values = d.values;
        }
    }
    out.ok = true;
    return out;
}

/// history followed by the points of `current` after its last step.
void mergeSeries(Series& s, const MetricSeries& history) {
    std::vector<double> steps(history.steps.begin(), history.steps.end());
    std::vector<double> values(history.values.begin(), history.values.end());
    const double last = steps.empty() ? -INFINITY : steps.back();
    auto it = std::upper_bound(s.steps.begin(), s.steps.end(), last);
    const auto from = static_cast<size_t>(it - s.steps.begin());
    steps.insert(steps.end(), s.steps.begin() + static_cast<std::ptrdiff_t>(from), s.steps.end());
    values.insert(values.end(), s.values.begin() + static_cast<std::ptrdiff_t>(from), s.values.end());
    s.steps = std::move(steps);
    s.values = std::move(values);
    s.loaded = true;
    ++s.generation;
}

}  // namespace

RunDataCache::RunDataCache(QObject* parent)
    : QObject(parent), m_cancelled(std::make_shared<std::atomic<bool>>(false)) {
    m_pollTimer.setInterval(kPollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &RunDataCache::poll);
    m_pollTimer.start();
}

RunDataCache::~RunDataCache() {
    *m_cancelled = true;
    for (auto& [n, f] : m_jobs) {
        f.waitForFinished();
    }
}

void RunDataCache::setDatabasePath(const QString& path) {
    cancel();
    m_dbPath = path;
    m_runs.clear();
    m_patterns.clear();
}

void RunDataCache::cancel() {
    *m_cancelled = true;
    m_cancelled = std::make_shared<std::atomic<bool>>(false);
    ++m_epoch;
    m_inFlight.clear();
    m_jobs.clear();  // their watchers still fire, and see an old epoch
    m_jobsTotal = m_jobsDone = 0;
    emit loadProgress(0, 0);
    emit busyChanged(false);
}

void RunDataCache::forget(qint64 runId) {
    m_runs.erase(runId);
    m_inFlight.erase(runId);
}

RunData& RunDataCache::entry(qint64 runId) { return m_runs[runId]; }

const RunData* RunDataCache::run(qint64 runId) const {
    auto it = m_runs.find(runId);
    return it == m_runs.end() ? nullptr : &it->second;
}

const Series* RunDataCache::series(qint64 runId, const QString& metric) const {
    const RunData* r = run(runId);
    if (!r) {
        return nullptr;
    }
    auto it = r->series.find(metric);
    return it == r->series.end() ? nullptr : &it->second;
}

bool RunDataCache::matches(const QString& name, const QStringList& patterns) {
    for (const QString& p : patterns) {
        if (p.endsWith(QLatin1Char('*')) ? name.startsWith(p.left(p.size() - 1)) : name == p) {
            return true;
        }
    }
    return false;
}

QStringList RunDataCache::matchingMetrics(qint64 runId, const QStringList& patterns) const {
    QStringList out;
    if (const RunData* r = run(runId)) {
        for (const QString& n : r->metricNames) {
            if (matches(n, patterns)) {
                out << n;
            }
        }
    }
    out.sort();
    return out;
}

void RunDataCache::request(const QList<qint64>& runIds, const QStringList& patterns) {
    if (m_dbPath.isEmpty()) {
        return;
    }
    for (qint64 id : runIds) {
        QStringList& all = m_patterns[id];
        for (const QString& p : patterns) {
            if (!all.contains(p)) {
                all << p;
            }
        }
        RunData& r = entry(id);
        QSet<QString>& flight = m_inFlight[id];
        Job job;
        job.runId = id;
        job.patterns = all;
        job.wantAxis = !r.axisLoaded && !flight.contains(QStringLiteral("#axis"));
        const bool needRecord = !r.recordLoaded && !flight.contains(QStringLiteral("#record"));
        for (const auto& [name, s] : r.series) {
            if (s.loaded) {
                job.skip.insert(name);
            }
        }
        job.skip.unite(flight);
        for (const QString& n : r.metricNames) {
            if (matches(n, all) && !job.skip.contains(n)) {
                job.names << n;
                auto it = r.series.find(n);
                if (it != r.series.end() && it->second.preview) {
                    job.full.insert(n);
                }
            }
        }
        if (!needRecord && !job.wantAxis && job.names.isEmpty()) {
            continue;  // loaded, or on its way
        }
        for (const QString& n : job.names) {
            flight.insert(n);
        }
        flight.insert(QStringLiteral("#record"));
        if (job.wantAxis) {
            flight.insert(QStringLiteral("#axis"));
        }
        startJob(job);
    }
}

void RunDataCache::startJob(Job job) {
    const std::string db = m_dbPath.toStdString();
    auto cancelled = m_cancelled;
    const int number = m_nextJob++;
    const quint64 epoch = m_epoch;
    m_jobs[number] = readAsync(
        this, [db, job, cancelled] { return load(db, job, cancelled); },
        [this, number, epoch, runId = job.runId, since = job.since](const ReadResult<Loaded>& r) {
            if (epoch != m_epoch) {
                return;  // cancelled, or another database was opened meanwhile
            }
            m_jobs.erase(number);
            ++m_jobsDone;
            if (r.ok()) {
                merge(r.value);
            } else {
                Loaded failed;
                failed.runId = runId;
                failed.since = since;
                failed.error = r.error;
                merge(failed);
            }
            emit loadProgress(m_jobsDone, m_jobsTotal);
            if (m_jobs.empty()) {
                m_jobsTotal = m_jobsDone = 0;
                emit busyChanged(false);
            }
        });
    ++m_jobsTotal;
    if (m_jobs.size() == 1) {
        emit busyChanged(true);
    }
    emit loadProgress(m_jobsDone, m_jobsTotal);
}

void RunDataCache::merge(const Loaded& loaded) {
    RunData& r = entry(loaded.runId);
    QSet<QString>& flight = m_inFlight[loaded.runId];
    if (!loaded.since) {
        flight.remove(QStringLiteral("#record"));
        flight.remove(QStringLiteral("#axis"));
        for (const auto& [name, s] : loaded.series) {
            flight.remove(name);
        }
        for (const auto& [name, s] : loaded.previews) {
            flight.remove(name);
        }
        for (const QString& name : loaded.overviewOnly) {
            flight.remove(name);
        }
    }
    if (!loaded.ok && !loaded.since) {
        // Let a later request try again instead of waiting for a job that is gone.
        flight.clear();
    }
    if (!loaded.ok) {
        if (!loaded.error.isEmpty()) {
            emit failed(tr("reading run %1 from %2").arg(loaded.runId).arg(m_dbPath), loaded.error);
        }
        return;
    }
    if (loaded.recordFound) {
        r.record = loaded.record;
        r.recordLoaded = true;
    }
    for (const QString& n : loaded.names) {
        if (!r.metricNames.contains(n)) {
            r.metricNames << n;
        }
    }
    if (loaded.hasAxis) {
        StepAxisData axis = loaded.axis;
        for (size_t i = 0; i < r.axis.steps.size(); ++i) {
            axis.append(r.axis.steps[i], r.axis.tokens[i], r.axis.wall[i]);
        }
        r.axis = std::move(axis);
        r.axisLoaded = true;
    }
    for (const auto& [name, ms] : loaded.series) {
        Series& s = r.series[name];
        if (loaded.since) {
            for (size_t i = 0; i < ms.steps.size(); ++i) {
                appendPoint(r, name, static_cast<double>(ms.steps[i]), ms.values[i]);
            }
        } else {
            mergeSeries(s, ms);
            s.preview = false;
        }
    }
    for (const QString& name : loaded.overviewOnly) {
        Series& s = r.series[name];
        s.loaded = true;  // nothing more will be read: the overview stays
        s.overviewOnly = true;
    }
    for (const auto& [name, ms] : loaded.previews) {
        Series& s = r.series[name];
        mergeSeries(s, ms);
        s.loaded = false;  // the full rows are read next (request() below asks for them)
        s.preview = true;
    }
    emit runChanged(loaded.runId);
    if (!loaded.since) {
        // Names unknown when the job started (a run's first load) may match what was asked for.
        request({loaded.runId}, {});
    }
}

void RunDataCache::appendPoint(RunData& run, const QString& name, double step, double value) {
    Series& s = run.series[name];
    if (!s.steps.empty() && step <= s.steps.back()) {
        return;
    }
    s.steps.push_back(step);
    s.values.push_back(value);
    if (s.steps.size() == 1 && !run.metricNames.contains(name)) {
        run.metricNames << name;
    }
}

void RunDataCache::registerLiveRun(const LiveRunInfo& info) {
    RunData& r = entry(info.runId);
    r.live = true;
    r.liveInfo = info;
    emit runChanged(info.runId);
}

void RunDataCache::appendSteps(qint64 runId, const QVector<StepEvent>& steps) {
    RunData& r = entry(runId);
    for (const StepEvent& e : steps) {
        const double x = static_cast<double>(e.step);
        r.axis.append(x, static_cast<double>(e.tokens), e.wallSeconds);
        forEachStepMetric(e, r.liveInfo.facts, [&](const std::string& name, double v) {
            appendPoint(r, QString::fromStdString(name), x, v);
        });
    }
    if (!steps.isEmpty()) {
        r.record.stepsDone = steps.back().step + 1;
        r.record.tokensDone = steps.back().tokens;
        emit runChanged(runId);
    }
}

void RunDataCache::appendEvals(qint64 runId, const QVector<EvalEvent>& evals) {
    RunData& r = entry(runId);
    for (const EvalEvent& e : evals) {
        const double x = static_cast<double>(e.step);
        forEachEvalMetric(e, r.liveInfo.facts, [&](const std::string& name, double v) {
            appendPoint(r, QString::fromStdString(name), x, v);
        });
    }
    if (!evals.isEmpty()) {
        emit runChanged(runId);
    }
}

void RunDataCache::refreshRecord(qint64 runId) {
    auto it = m_runs.find(runId);
    if (it == m_runs.end() || m_dbPath.isEmpty()) {
        return;
    }
    Job job;
    job.runId = runId;
    job.since = true;  // record and names only: no pattern matches
    startJob(job);
}

void RunDataCache::markFinished(qint64 runId) {
    auto it = m_runs.find(runId);
    if (it != m_runs.end()) {
        it->second.live = false;
        refreshRecord(runId);
    }
}

void RunDataCache::poll() {
    if (m_dbPath.isEmpty() || busy()) {
        return;
    }
    for (auto& [id, r] : m_runs) {
        if (r.live || !r.recordLoaded || r.record.status != RunStatus::Running) {
            continue;
        }
        Job job;
        job.runId = id;
        job.since = true;
        job.wantAxis = true;
        for (const auto& [name, s] : r.series) {
            if (s.loaded) {
                job.names << name;
                job.sinceSteps[name] = s.steps.empty() ? -1.0 : s.steps.back();
            }
        }
        startJob(job);
    }
}

}  // namespace anneal::ui
