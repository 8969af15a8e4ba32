// SPDX-License-Identifier: GPL-3.0-or-later
// The SQLite store: round trips, readers during writes (no "database is locked"), interrupted runs
// recovered on open, bad databases refused without being changed, per-sample weight snapshots.
#include <QtTest>
#include <QCryptographicHash>
#include <atomic>
#include <fstream>
#include <sqlite3.h>
#include <thread>

#include "anneal/error.h"
#include "anneal/store.h"
#include "anneal/store_writer.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

NewRun sampleRun() {
    NewRun r;
    r.name = "r";
    r.configToml = test::tinyExperimentToml(10);
    r.specToml = r.configToml;
    r.seed = 9;
    r.device = "cpu";
    r.stepsTotal = 10;
    r.entropyFloor = 1.25;
    r.tags = {"a", "b"};
    r.domains = {{"markov", "synthetic:markov", 0.7, 1.0, 1.0, "m"},
                 {"noise", "synthetic:noise", 0.3, 5.545, 5.545, "n"}};
    return r;
}

}  // namespace

class TestStore : public QObject {
    Q_OBJECT
private slots:
    void runRoundTrip() {
        test::TempDir dir;
        auto s = Store::open(dir.path("a.db"));
        QCOMPARE(s->schemaVersion(), kSchemaVersion);
        const auto id = s->createRun(sampleRun());
        const RunRecord r = s->run(id);
        QCOMPARE(r.name, std::string("r"));
        QCOMPARE(r.seed, std::uint64_t{9});
        QCOMPARE(r.status, RunStatus::Created);
        QCOMPARE(r.entropyFloor, 1.25);
        QCOMPARE(r.tags, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(r.domains.size(), size_t{2});
        QCOMPARE(r.domains[1].name, std::string("noise"));
        QCOMPARE(r.uuid.size(), size_t{36});
        s->setRunStatus(id, RunStatus::Failed, "boom", 3);
        QCOMPARE(s->run(id).message, std::string("boom"));
        QCOMPARE(s->run(id).messageStep.value_or(-1), std::int64_t{3});
        QVERIFY(s->run(id).endedAt > 0);
        try {
            s->run(id + 100);
            QFAIL("found a run that does not exist");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::NotFound);
        }
    }

    void writerRoundTripsEvents() {
        test::TempDir dir;
        const std::string db = dir.path("w.db");
        const auto id = Store::open(db)->createRun(sampleRun());
        auto q = std::make_shared<EventQueue>();
        {
            StoreWriter w(db, q);
            for (int t = 0; t < 100; ++t) {
                StepEvent e;
                e.step = t;
                e.tokens = (t + 1) * 64;
                e.trainLoss = 5.0 - t * 0.01;
                e.lr = 1e-3;
                e.domainLoss = {1.0 + t, std::nan("")};
                e.mixDrawn = {0.75, 0.25};
                e.epochs = {std::nan(""), std::nan("")};
                q->tryPush({id, e});
            }
            q->tryPush({id, EvalEvent{99, 6400, {1.5, 5.6}, 2.73}});
            q->tryPush({id, NoticeEvent{42, "spike", "loss spike", 9.0}});
            q->tryPush({id, StatusEvent{RunStatus::Completed, 100, ""}});
            w.flush();
            QCOMPARE(w.stats().eventsLost, std::uint64_t{0});
        }
        auto s = Store::open(db, Store::Mode::ReadOnly);
        const auto loss = s->metric(id, "train_loss");
        QCOMPARE(loss.steps.size(), size_t{100});
        QCOMPARE(loss.values[37], 5.0 - 37 * 0.01);
        QCOMPARE(s->metric(id, "train_loss.markov").values[3], 4.0);
        QVERIFY(s->metric(id, "train_loss.noise").steps.empty());  // NaN = no sample of that domain
        QCOMPARE(s->metric(id, "mix.noise").values[0], 0.25);
        QCOMPARE(s->metric(id, "val_loss.noise").values[0], 5.6);
        QCOMPARE(s->metric(id, "val_loss").values[0], 2.73);
        QCOMPARE(s->stepAxis(id).tokens[9], std::int64_t{640});
        const RunRecord r = s->run(id);
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.stepsDone, std::int64_t{100});
        QCOMPARE(s->notices(id).size(), size_t{1});
        QCOMPARE(s->notices(id)[0].kind, std::string("spike"));
    }

    void cheapRefreshQueries() {
        test::TempDir dir;
        const std::string db = dir.path("v.db");
        auto reader = Store::open(db);
        const auto id = reader->createRun(sampleRun());
        const std::int64_t before = reader->dataVersion();
        QCOMPARE(reader->dataVersion(), before);  // nothing committed elsewhere
        {
            auto other = Store::open(db);
            other->insertMetrics(id, "train_loss", MetricSeries{{0, 1, 2}, {3.0, 2.0, 1.0}});
        }
        QVERIFY(reader->dataVersion() != before);  // another connection committed
        QCOMPARE(reader->metricCount(id, "train_loss"), std::int64_t{3});
        QCOMPARE(reader->metricCount(id, "nope"), std::int64_t{0});
        const auto light = reader->listRuns(false);
        QCOMPARE(light.size(), size_t{1});
        QVERIFY(light[0].configToml.empty());
        QCOMPARE(light[0].name, std::string("r"));
        QVERIFY(!reader->listRuns(true)[0].configToml.empty());
    }

    void readersDuringWritesSeeNoLock() {
        test::TempDir dir;
        const std::string db = dir.path("c.db");
        const auto id = Store::open(db)->createRun(sampleRun());
        std::atomic<bool> done{false};
        std::atomic<int> reads{0};
        std::atomic<int> errors{0};
        std::string firstError;
        std::vector<std::thread> readers;
        for (int k = 0; k < 3; ++k) {
            readers.emplace_back([&] {
                try {
                    auto s = Store::open(db, Store::Mode::ReadOnly);
                    while (!done) {
                        s->listRuns();
                        s->metric(id, "train_loss");
                        ++reads;
                    }
                } catch (const std::exception& e) {
                    if (errors++ == 0) {
                        firstError = e.what();
                    }
                }
            });
        }
        auto q = std::make_shared<EventQueue>();
        {
            StoreWriter w(db, q, StoreWriter::Options{3, 5, 10000});
            for (int t = 0; t < 20000; ++t) {
                StepEvent e;
                e.step = t;
                e.trainLoss = 1.0;
                e.domainLoss = {1.0, 1.0};
                e.mixDrawn = {0.5, 0.5};
                while (!q->tryPush({id, e})) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                if (t % 500 == 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
            }
            w.flush();
            QCOMPARE(w.stats().eventsLost, std::uint64_t{0});
        }
        done = true;
        for (auto& t : readers) {
            t.join();
        }
        qInfo("%d reads by 3 readers during 20000 steps of writes; %d errors", reads.load(), errors.load());
        QVERIFY2(errors == 0, firstError.c_str());
        QVERIFY(reads > 10);
        QCOMPARE(Store::open(db)->metric(id, "train_loss").steps.size(), size_t{20000});
    }

    void deadWriterIsInterruptedOnOpen() {
        test::TempDir dir;
        const std::string db = dir.path("i.db");
        std::int64_t id;
        {
            auto s = Store::open(db);
            id = s->createRun(sampleRun());
            s->markRunning(id);
            QCOMPARE(s->run(id).status, RunStatus::Running);  // this process is alive
        }
        // A pid that cannot be alive: as if the writer was killed.
        sqlite3* h = nullptr;
        sqlite3_open(db.c_str(), &h);
        sqlite3_exec(h, ("UPDATE runs SET pid = 999999999 WHERE id = " + std::to_string(id)).c_str(), nullptr,
                     nullptr, nullptr);
        sqlite3_close(h);
        QCOMPARE(Store::open(db, Store::Mode::ReadOnly)->run(id).status,
                 RunStatus::Interrupted);  // shown, not written
        auto s = Store::open(db);
        const RunRecord r = s->run(id);
        QCOMPARE(r.status, RunStatus::Interrupted);
        QVERIFY(QString::fromStdString(r.message).contains("anneal-cli resume"));
    }

    void notSqliteIsRefusedAndUnchanged() {
        test::TempDir dir;
        const std::string path = dir.path("text.db");
        {
            std::ofstream f(path);
            f << "this is not a database, it is a text file with enough bytes to look like one......\n";
        }
        const QByteArray before = test::fileSha256(path);
        try {
            Store::open(path);
            QFAIL("opened a text file");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::Storage);
            QVERIFY2(QString(e.what()).contains("not an SQLite database"), e.what());
        }
        QCOMPARE(test::fileSha256(path), before);
    }

    void foreignSqliteIsRefused() {
        test::TempDir dir;
        const std::string path = dir.path("other.db");
        sqlite3* h = nullptr;
        sqlite3_open(path.c_str(), &h);
        sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr);
        sqlite3_close(h);
        const QByteArray before = test::fileSha256(path);
        try {
            Store::open(path);
            QFAIL("opened another application's database");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("not an Anneal one"), e.what());
        }
        QCOMPARE(test::fileSha256(path), before);
    }

    void newerSchemaIsRefusedAndUnchanged() {
        test::TempDir dir;
        const std::string path = dir.path("new.db");
        Store::open(path).reset();
        sqlite3* h = nullptr;
        sqlite3_open(path.c_str(), &h);
        sqlite3_exec(h, "PRAGMA journal_mode = DELETE; UPDATE schema_version SET version = 99;", nullptr,
                     nullptr, nullptr);
        sqlite3_close(h);
        const QByteArray before = test::fileSha256(path);
        try {
            Store::open(path);
            QFAIL("opened a newer schema");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::SchemaTooNew);
            QVERIFY(QString(e.what()).contains("schema 99"));
        }
        QCOMPARE(test::fileSha256(path), before);
    }

    void truncatedDatabaseGivesError() {
        test::TempDir dir;
        const std::string path = dir.path("t.db");
        {
            auto s = Store::open(path);
            for (int i = 0; i < 50; ++i) {
                s->createRun(sampleRun());
            }
        }
        sqlite3* h = nullptr;
        sqlite3_open(path.c_str(), &h);
        sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;", nullptr, nullptr,
                     nullptr);
        sqlite3_close(h);
        std::filesystem::resize_file(path, 4096 + 100);
        try {
            auto s = Store::open(path);
            s->listRuns();
            QFAIL("a truncated database read without error");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::Storage);
        }
    }

    void weightSnapshotsRoundTrip() {
        test::TempDir dir;
        const std::string db = dir.path("w.db");
        const auto id = Store::open(db)->createRun(sampleRun());
        auto q = std::make_shared<EventQueue>();
        const std::uint64_t base = (std::uint64_t{1} << 48) + 4000;  // domain 1, ids crossing a bucket edge
        {
            StoreWriter w(db, q);
            for (int snap = 0; snap < 3; ++snap) {
                WeightSnapshotEvent e;
                e.step = 10 * snap + 9;
                for (int i = 0; i < 200; ++i) {
                    e.sampleIds.push_back(base + static_cast<std::uint64_t>(i % 150));  // some seen twice
                    e.losses.push_back(static_cast<float>(i));
                    e.weights.push_back(static_cast<float>(0.5 + 0.01 * i + snap));
                    e.flags.push_back(i % 10 == 0 ? 1 : 0);
                    e.steps.push_back(10 * snap + i / 20);
                }
                q->tryPush({id, e});
            }
            w.flush();
        }
        auto s = Store::open(db, Store::Mode::ReadOnly);
        QCOMPARE(s->weightSnapshotSteps(id), (std::vector<std::int64_t>{9, 19, 29}));
        QCOMPARE(s->weightSnapshot(id, 19).size(), size_t{200});
        const auto hist = s->sampleWeightHistory(id, base + 120);
        QCOMPARE(hist.size(), size_t{3});  // i = 120 only (i % 150 == 120 once per snapshot)
        for (size_t k = 0; k < hist.size(); ++k) {
            QCOMPARE(hist[k].step, static_cast<std::int64_t>(10 * k + 6));
            QCOMPARE(hist[k].weight, static_cast<float>(0.5 + 0.01 * 120 + static_cast<double>(k)));
            QCOMPARE(hist[k].domain, 1);
        }
        const auto twice = s->sampleWeightHistory(id, base + 10);  // i = 10 and 160 each snapshot
        QCOMPARE(twice.size(), size_t{6});
        QVERIFY(std::is_sorted(twice.begin(), twice.end(),
                               [](const SampleWeight& a, const SampleWeight& b) { return a.step < b.step; }));
        QVERIFY(twice[0].noisy);  // i = 10
        const auto atStep = s->weightsAtStep(id, 13);
        QCOMPARE(atStep.size(), size_t{20});
        const auto stats = s->weightStats(id);
        QCOMPARE(stats.size(), size_t{6});  // (all + domain 1) x 3 snapshots
        QCOMPARE(stats[0].count, std::int64_t{200});
        QCOMPARE(stats[0].noisyCount, std::int64_t{20});
        double mean = 0;
        for (int i = 0; i < 200; ++i) {
            mean += static_cast<float>(0.5 + 0.01 * i);
        }
        QVERIFY(std::abs(stats[0].mean - mean / 200) < 1e-9);
        QVERIFY(std::abs(stats[0].q50 - static_cast<float>(0.5 + 0.01 * 99.5)) < 1e-3);
        std::uint32_t histTotal = 0;
        for (auto c : stats[0].hist) {
            histTotal += c;
        }
        QCOMPARE(histTotal, 200u);
    }
};

QTEST_APPLESS_MAIN(TestStore)
#include "test_store.moc"
