// SPDX-License-Identifier: GPL-3.0-or-later
// Checkpoints, resume and branches: a run resumed after an interruption matches an uninterrupted
// one bit for bit on CPU; a checkpoint cut short is never used; a branch starts from the parent's
// exact state (its first loss equals the parent's at that step) and shares the parent's history.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <sqlite3.h>

#include "anneal/error.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void exec(const std::string& db, const std::string& sql) {
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    QVERIFY2(rc == SQLITE_OK, err ? err : "sqlite error");
    sqlite3_close(h);
}

/// Launches the tiny experiment and stops it once step >= stopAt has been seen.
std::int64_t runAndStop(const std::string& db, const std::string& toml, std::int64_t stopAt) {
    LaunchRequest req;
    req.dbPath = db;
    req.specText = toml;
    req.origin = "<test>";
    auto s = RunSession::launch(req);
    bool stopped = false;
    test::driveSession(*s, [&](const StepEvent& e) {
        if (e.step >= stopAt && !stopped) {
            s->stop();
            stopped = true;
        }
    });
    return s->runId();
}

const std::vector<Override> kCheckpointEvery10 = {"log.checkpoint_every=10", "log.keep_checkpoints=10"};

}  // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    void resumeAfterInterruptionIsBitIdentical_data() {
        QTest::addColumn<bool>("truncateNewest");
        QTest::newRow("killed after the checkpoint at 20") << false;
        QTest::newRow("newest checkpoint cut short") << true;
    }
    void resumeAfterInterruptionIsBitIdentical() {
        QFETCH(bool, truncateNewest);
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string toml = test::tinyExperimentToml(40, 5);
        const auto full = test::runToml(db, toml, kCheckpointEvery10);
        const auto expected = test::storedMetric(db, full, "train_loss");
        QCOMPARE(expected.size(), size_t{40});

        std::string tomlWithCkpt = toml + "checkpoint_every = 10\nkeep_checkpoints = 10\n";
        const auto id = runAndStop(db, tomlWithCkpt, 24);
        auto store = Store::open(db);
        QCOMPARE(store->run(id).status, RunStatus::Stopped);
        const auto cps = store->checkpoints(id);
        QVERIFY(cps.size() >= 3);
        const std::int64_t stoppedAt = cps.back().step;
        QVERIFY(stoppedAt >= 25);
        if (truncateNewest) {
            // A checkpoint interrupted mid-write: its file is cut in half. Resume must skip it.
            std::filesystem::resize_file(cps.back().path, std::filesystem::file_size(cps.back().path) / 2);
            exec(db, "DELETE FROM checkpoints WHERE run_id = " + std::to_string(id) +
                         " AND step > 20 AND step < " + std::to_string(stoppedAt));
        } else {
            // As if killed after the checkpoint at 20: later checkpoints never made it to the index.
            exec(db, "DELETE FROM checkpoints WHERE run_id = " + std::to_string(id) + " AND step > 20");
        }
        store->setRunStatus(id, RunStatus::Interrupted, "simulated kill");
        store.reset();

        auto resumed = RunSession::resume(db, id);
        QCOMPARE(resumed->startStep(), std::int64_t{20});
        test::driveSession(*resumed);
        const auto got = test::storedMetric(db, id, "train_loss");
        QVERIFY2(test::bitIdentical(got, expected), "resumed run differs from the uninterrupted one");
        QCOMPARE(Store::open(db)->run(id).status, RunStatus::Completed);
        QVERIFY(test::bitIdentical(test::storedMetric(db, id, "val_loss"),
                                   test::storedMetric(db, full, "val_loss")));
    }

    void resumeRefusesCompletedRun() {
        test::TempDir dir;
        const std::string db = dir.path("c.db");
        const auto id = test::runToml(db, test::tinyExperimentToml(5));
        try {
            RunSession::resume(db, id);
            QFAIL("resumed a completed run");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("interrupted | stopped | failed"));
        }
    }

    void branchStartsFromParentState() {
        test::TempDir dir;
        const std::string db = dir.path("b.db");
        const auto parent = test::runToml(db, test::tinyExperimentToml(40, 3), kCheckpointEvery10, "parent");
        const auto lp = test::storedMetric(db, parent, "train_loss");

        // Same config: the branch repeats the parent's steps 20..39 exactly.
        auto same = RunSession::branch(db, parent, 20, {});
        test::driveSession(*same);
        const auto ls = test::storedMetric(db, same->runId(), "train_loss");
        QCOMPARE(ls.size(), size_t{20});
        QVERIFY(test::bitIdentical(ls, std::vector<double>(lp.begin() + 20, lp.end())));

        // A cooldown branch: identical weights at step 20 (first loss equal), different afterwards.
        auto cool = RunSession::branch(db, parent, 20, {"schedule.kind=wsd", "schedule.decay_fraction=0.5"},
                                       "cooldown");
        test::driveSession(*cool);
        const auto lc = test::storedMetric(db, cool->runId(), "train_loss");
        QCOMPARE(lc.front(), lp[20]);
        QVERIFY(!test::bitIdentical(lc, std::vector<double>(lp.begin() + 20, lp.end())));

        auto store = Store::open(db);
        const RunRecord r = store->run(cool->runId());
        QCOMPARE(r.parentId.value_or(-1), parent);
        QCOMPARE(r.branchStep.value_or(-1), std::int64_t{20});
        QVERIFY(r.branchCheckpointId.has_value());
        QVERIFY(store->checkpoint(*r.branchCheckpointId)->pinned);
        // Shared history: with history the branch's curve is the parent's 0..19 then its own 20..39.
        const auto hist = store->metric(cool->runId(), "train_loss", true);
        QCOMPARE(hist.steps.size(), size_t{40});
        QCOMPARE(hist.steps[19], std::int64_t{19});
        QCOMPARE(hist.values[5], lp[5]);
        QCOMPARE(hist.steps[20], std::int64_t{20});
        // The parent's metrics were not copied.
        QCOMPARE(store->metric(cool->runId(), "train_loss").steps.front(), std::int64_t{20});
        // The branch's LR follows its own schedule from step 20.
        const auto lr = store->metric(cool->runId(), "lr").values;
        QVERIFY(lr.back() < lr.front());
    }

    void branchFromMissingStepListsCheckpoints() {
        test::TempDir dir;
        const std::string db = dir.path("m.db");
        const auto parent = test::runToml(db, test::tinyExperimentToml(20), kCheckpointEvery10);
        try {
            RunSession::branch(db, parent, 15, {});
            QFAIL("branched from a step without checkpoint");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::NotFound);
            QVERIFY2(QString(e.what()).contains("10, 20"), e.what());
        }
    }

    void corruptCheckpointIsRejected() {
        test::TempDir dir;
        const std::string db = dir.path("x.db");
        const auto parent = test::runToml(db, test::tinyExperimentToml(10), kCheckpointEvery10);
        const auto cp = Store::open(db)->checkpointAt(parent, 10);
        QVERIFY(cp.has_value());
        {
            std::fstream f(cp->path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(200);
            f.put('\x5a');
        }
        try {
            RunSession::branch(db, parent, 10, {"train.steps=20"});
            QFAIL("used a corrupt checkpoint");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("corrupt") || QString(e.what()).contains("unreadable"),
                     e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
