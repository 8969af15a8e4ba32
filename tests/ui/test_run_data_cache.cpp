// SPDX-License-Identifier: GPL-3.0-or-later
// RunDataCache: a long stored series shows first as the store's min/max overview (bounded, spike
// kept), then as its full rows; live points merge with history without gaps or duplicates.
#include <QSignalSpy>
#include <QtTest>
#include <cmath>
#include <sqlite3.h>

#include "anneal/config.h"
#include "anneal/curve_query.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "run_data_cache.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

class TestRunDataCache : public QObject {
    Q_OBJECT

private slots:
    void longSeriesPreviewThenFull();
    void liveAndHistoryMerge();
    void parentLoopIsReportedNotACrash();
    void liveNamesAreStoredNames();

private:
    test::TempDir m_tmp;
};

namespace {

std::int64_t makeRun(Store& store, std::size_t n, std::size_t spikeAt) {
    NewRun nr;
    nr.name = "imported";
    nr.stepsTotal = static_cast<std::int64_t>(n);
    const std::int64_t id = store.createRun(nr);
    MetricSeries s;
    StepAxis axis;
    for (std::size_t i = 0; i < n; ++i) {
        s.steps.push_back(static_cast<std::int64_t>(i));
        s.values.push_back(2.0 + std::exp(-static_cast<double>(i) / 5e4) +
                           0.01 * std::sin(static_cast<double>(i)));
        axis.steps.push_back(static_cast<std::int64_t>(i));
        axis.tokens.push_back(static_cast<std::int64_t>(i + 1) * 64);
        axis.wall.push_back(static_cast<double>(i) * 0.01);
    }
    s.values[spikeAt] = 25.0;
    store.insertMetrics(id, "train_loss", s);
    store.insertStepAxis(id, axis);
    return id;
}

}  // namespace

void TestRunDataCache::longSeriesPreviewThenFull() {
    const std::string db = m_tmp.path("long.db");
    constexpr std::size_t kPoints = 300000;
    std::int64_t id = 0;
    {
        auto store = Store::open(db);
        id = makeRun(*store, kPoints, 123457);
        rebuildMetricTiles(*store, id);
    }
    RunDataCache cache;
    cache.setDatabasePath(QString::fromStdString(db));
    struct Seen {
        bool preview;
        std::size_t size;
        double max;
    };
    std::vector<Seen> seen;
    connect(&cache, &RunDataCache::runChanged, this, [&](qint64 run) {
        if (const Series* s = cache.series(run, QStringLiteral("train_loss"))) {
            seen.push_back(
                {s->preview, s->steps.size(), *std::max_element(s->values.begin(), s->values.end())});
        }
    });
    cache.request({id}, {QStringLiteral("train_loss")});
    QTRY_VERIFY_WITH_TIMEOUT(cache.series(id, QStringLiteral("train_loss")) &&
                                 cache.series(id, QStringLiteral("train_loss"))->loaded,
                             30000);
    QVERIFY(!seen.empty());
    // First the overview: bounded by the buckets, the one-step spike in it.
    QVERIFY(seen.front().preview);
    QVERIFY2(seen.front().size <= 2 * std::size_t(RunDataCache::kPreviewBuckets) + 2,
             qPrintable(QString::number(seen.front().size)));
    QCOMPARE(seen.front().max, 25.0);
    // Then every row.
    const Series* s = cache.series(id, QStringLiteral("train_loss"));
    QVERIFY(!s->preview);
    QCOMPARE(s->steps.size(), kPoints);
    QCOMPARE(s->values[123457], 25.0);
    QVERIFY(s->generation >= 2);  // replaced once more after the overview
    QCOMPARE(cache.run(id)->axis.steps.size(), kPoints);
}

void TestRunDataCache::liveAndHistoryMerge() {
    const std::string db = m_tmp.path("merge.db");
    std::int64_t id = 0;
    {
        auto store = Store::open(db);
        id = makeRun(*store, 100, 50);  // steps 0..99 are stored
    }
    RunDataCache cache;
    cache.setDatabasePath(QString::fromStdString(db));
    LiveRunInfo info;
    info.runId = id;
    info.domains = {};
    cache.registerLiveRun(info);
    // Live points 90..119 arrive before the history is read: they overlap it by 10 steps.
    QVector<StepEvent> live;
    for (int step = 90; step < 120; ++step) {
        StepEvent p;
        p.step = step;
        p.tokens = (step + 1) * 64;
        p.trainLoss = step >= 100 ? 1.0 : -1.0;  // the overlapping ones differ: history must win
        live << p;
    }
    cache.appendSteps(id, live);
    cache.request({id}, {QStringLiteral("train_loss")});
    QTRY_VERIFY(cache.series(id, QStringLiteral("train_loss"))->loaded);
    const Series* s = cache.series(id, QStringLiteral("train_loss"));
    QCOMPARE(s->steps.size(), std::size_t(120));
    for (std::size_t i = 0; i < s->steps.size(); ++i) {
        QCOMPARE(s->steps[i], double(i));  // no gap, no duplicate
    }
    QVERIFY(s->values[95] > 0);     // from the store
    QCOMPARE(s->values[110], 1.0);  // live, after the stored ones
    QCOMPARE(s->values[50], 25.0);
}

// A database edited outside Anneal whose branch parents form a loop (b -> a -> b): reading the
// branch's curves reports the store's error through failed(), naming runs.parent_id; no crash, no hang.
void TestRunDataCache::parentLoopIsReportedNotACrash() {
    const std::string db = m_tmp.path("loop.db");
    std::int64_t a = 0, b = 0;
    {
        auto store = Store::open(db);
        a = makeRun(*store, 100, 50);
        NewRun br;
        br.name = "branch";
        br.parentId = a;
        br.branchStep = 40;
        b = store->createRun(br);
        MetricSeries s;
        s.steps = {40, 41};
        s.values = {1.0, 1.0};
        store->insertMetrics(b, "train_loss", s);
    }
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    const std::string sql = "UPDATE runs SET parent_id = " + std::to_string(b) +
                            ", branch_step = 20 WHERE id = " + std::to_string(a);
    QCOMPARE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);

    RunDataCache cache;
    cache.setDatabasePath(QString::fromStdString(db));
    QSignalSpy failed(&cache, &RunDataCache::failed);
    cache.request({b}, {QStringLiteral("train_loss")});
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() > 0, 30000);
    const QString message = failed.first().at(1).toString();
    QVERIFY2(
        message.contains(QStringLiteral("form a loop")) && message.contains(QStringLiteral("runs.parent_id")),
        qPrintable(message));
}

// Every metric the store writer stores for a run is delivered live to the desktop and the reverse:
// a run with reweighting, a finite domain (epochs) and a domain that is sometimes absent from a
// batch, its events fed to the cache as RunController does, against the stored names.
void TestRunDataCache::liveNamesAreStoredNames() {
    const std::string db = m_tmp.path("names.db");
    const std::string toml =
        test::tinyExperimentToml(200, 2) + "[reweight]\nstrategy = \"loss_linupper\"\nburnin_steps = 5\n";
    // A finite markov domain: epochs.markov exists only for it.
    LaunchRequest req;
    req.dbPath = db;
    req.specText = toml;
    req.origin = "<test>";
    req.overrides = {"data.domain[0].size=16"};
    auto session = RunSession::launch(req);
    auto queue = std::make_shared<EventQueue>(1 << 16);
    session->bus()->subscribe(queue);

    RunDataCache cache;
    cache.setDatabasePath(QString::fromStdString(db));
    LiveRunInfo info;
    info.runId = session->runId();
    info.facts = runFacts(session->spec());
    cache.registerLiveRun(info);
    session->start();
    std::vector<Event> events;
    while (!(session->run().finished() && queue->size() == 0)) {
        events.clear();
        queue->drain(events, std::chrono::milliseconds(50));
        QVector<StepEvent> steps;
        QVector<EvalEvent> evals;
        for (const Event& e : events) {
            if (const auto* st = std::get_if<StepEvent>(&e.payload)) {
                steps << *st;
            } else if (const auto* ev = std::get_if<EvalEvent>(&e.payload)) {
                evals << *ev;
            }
        }
        cache.appendSteps(info.runId, steps);
        cache.appendEvals(info.runId, evals);
    }
    session->wait();

    QStringList live = cache.run(info.runId)->metricNames;
    QStringList stored;
    for (const std::string& n : Store::open(db, Store::Mode::ReadOnly)->metricNames(info.runId)) {
        stored << QString::fromStdString(n);
    }
    live.sort();
    stored.sort();
    qInfo("%lld metrics: %s", static_cast<long long>(stored.size()),
          qPrintable(stored.join(QStringLiteral(", "))));
    // The run really has each family (else the comparison proves little).
    for (const char* n : {"train_loss_weighted", "grad_share.markov", "epochs.markov", "mix.noise",
                          "val_loss.noise", "val_bpb.noise", "train_loss.markov", "loss_z"}) {
        QVERIFY2(stored.contains(QString::fromLatin1(n)), n);
    }
    QCOMPARE(live, stored);
}

QTEST_MAIN(TestRunDataCache)
#include "test_run_data_cache.moc"
