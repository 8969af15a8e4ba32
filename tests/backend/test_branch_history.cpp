// SPDX-License-Identifier: GPL-3.0-or-later
// Store::branchHistory, the one walk over runs.parent_id that Store::metric, Store::stepAxis,
// metricDecimated and fit::runLearningRates use: a three-generation chain gives the expected
// points (built here by hand), a deleted parent ends the history, and a database whose parents
// form a loop (edited outside Anneal, as a crafted file would be) or a chain deeper than
// kMaxBranchDepth gives a Storage error naming runs.parent_id, in the library and in anneal-cli,
// without changing a byte of the file.
#include <QtTest>
#include <sqlite3.h>

#include "anneal/curve_query.h"
#include "anneal/error.h"
#include "anneal/fit/from_runs.h"
#include "anneal/store.h"
#include "process.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

/// Steps from..to-1, each with the value `v`.
MetricSeries flat(std::int64_t from, std::int64_t to, double v) {
    MetricSeries s;
    for (std::int64_t i = from; i < to; ++i) {
        s.steps.push_back(i);
        s.values.push_back(v);
    }
    return s;
}

void execSql(const std::string& db, const std::string& sql) {
    sqlite3* h = nullptr;
    QCOMPARE(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(h);
    QVERIFY2(rc == SQLITE_OK, msg.c_str());
}

/// Runs `f`, which must throw a Storage error whose message and field name the parent column.
template <class F>
void expectParentError(F&& f, const char* what, const char* words) {
    try {
        f();
        QFAIL(qPrintable(QString("%1: no error").arg(what)));
    } catch (const Error& e) {
        QVERIFY2(e.code() == ErrorCode::Storage, what);
        QVERIFY2(QString::fromStdString(e.field()).endsWith("runs.parent_id"), e.field().c_str());
        QVERIFY2(std::string(e.what()).find(words) != std::string::npos, e.what());
    }
}

}  // namespace

class TestBranchHistory : public QObject {
    Q_OBJECT
private slots:
    void threeGenerations() {
        test::TempDir dir;
        auto store = Store::open(dir.path("h.db"));
        // a: steps 0..99 (value 1); b branches from a at 40, c from b at 70.
        const std::int64_t a = store->createRun(test::plainRun("a"));
        store->insertMetrics(a, "m", flat(0, 100, 1.0));
        const std::int64_t b = store->createRun(test::plainRun("b", a, 40));
        store->insertMetrics(b, "m", flat(40, 100, 2.0));
        const std::int64_t c = store->createRun(test::plainRun("c", b, 70));
        store->insertMetrics(c, "m", flat(70, 100, 3.0));

        const auto h = store->branchHistory(c);
        QCOMPARE(h.size(), size_t{3});
        QCOMPARE(h[0].runId, a);
        QVERIFY(!h[0].branchStep);
        QCOMPARE(h[0].below, std::int64_t{40});
        QCOMPARE(h[1].runId, b);
        QCOMPARE(*h[1].branchStep, std::int64_t{40});
        QCOMPARE(h[1].below, std::int64_t{70});
        QCOMPARE(h[2].runId, c);
        QCOMPARE(*h[2].branchStep, std::int64_t{70});

        // Expected by hand: a's 0..39, b's 40..69, c's 70..99.
        MetricSeries want = flat(0, 40, 1.0);
        for (const auto& [from, to, v] : {std::tuple{40, 70, 2.0}, std::tuple{70, 100, 3.0}}) {
            const MetricSeries part = flat(from, to, v);
            want.steps.insert(want.steps.end(), part.steps.begin(), part.steps.end());
            want.values.insert(want.values.end(), part.values.begin(), part.values.end());
        }
        const MetricSeries got = store->metric(c, "m", true);
        QCOMPARE(got.steps, want.steps);
        QCOMPARE(got.values, want.values);
        CurveQuery q;
        q.buckets = 1000;  // more columns than points: every point comes back
        const DecimatedCurve d = metricDecimated(*store, c, "m", q);
        QCOMPARE(d.steps, want.steps);
        QCOMPARE(d.values, want.values);
        // Without history: c's own points only.
        QCOMPARE(store->metric(c, "m", false).steps.size(), size_t{30});

        // A run without a parent is its own history.
        QCOMPARE(store->branchHistory(a).size(), size_t{1});
        // An unknown run is NotFound, not an empty history.
        try {
            store->branchHistory(999);
            QFAIL("no error for an unknown run");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::NotFound);
        }
    }

    void deletedParentEndsHistory() {
        test::TempDir dir;
        const std::string path = dir.path("d.db");
        std::int64_t a = 0, b = 0, c = 0;
        {
            auto store = Store::open(path);
            a = store->createRun(test::plainRun("a"));
            store->insertMetrics(a, "m", flat(0, 100, 1.0));
            b = store->createRun(test::plainRun("b", a, 40));
            store->insertMetrics(b, "m", flat(40, 100, 2.0));
            c = store->createRun(test::plainRun("c", b, 70));
            store->insertMetrics(c, "m", flat(70, 100, 3.0));
        }
        // Remove b's row behind the store's back (deleteRun would refuse or re-link).
        execSql(path, "PRAGMA foreign_keys=OFF; DELETE FROM runs WHERE id = " + std::to_string(b) + ";");
        auto store = Store::open(path);
        const auto h = store->branchHistory(c);
        QCOMPARE(h.size(), size_t{1});
        QCOMPARE(h[0].runId, c);
        QCOMPARE(store->metric(c, "m", true).steps.size(), size_t{30});
    }

    void loopIsAnErrorNotACrash_data() {
        QTest::addColumn<bool>("selfLoop");
        QTest::newRow("two runs") << false;
        QTest::newRow("self") << true;
    }

    void loopIsAnErrorNotACrash() {
        QFETCH(bool, selfLoop);
        test::TempDir dir;
        const std::string path = dir.path("loop.db");
        std::int64_t a = 0, b = 0;
        {
            auto store = Store::open(path);
            a = store->createRun(test::plainRun("a"));
            store->insertMetrics(a, "train_loss", flat(0, 100, 1.0));
            store->insertMetrics(a, "lr", flat(0, 100, 0.01));
            b = store->createRun(test::plainRun("b", a, 40));
            store->insertMetrics(b, "train_loss", flat(40, 100, 2.0));
        }
        // The crafted file: a's parent is b (b -> a -> b), or b is its own parent.
        execSql(path, selfLoop ? "UPDATE runs SET parent_id = " + std::to_string(b) +
                                     ", branch_step = 50 WHERE id = " + std::to_string(b) + ";"
                               : "UPDATE runs SET parent_id = " + std::to_string(b) +
                                     ", branch_step = 20 WHERE id = " + std::to_string(a) + ";");
        const QByteArray before = test::fileSha256(path);
        QVERIFY(!before.isEmpty());
        {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            expectParentError([&] { store->branchHistory(b); }, "branchHistory", "form a loop");
            expectParentError([&] { store->metric(b, "train_loss", true); }, "metric", "form a loop");
            expectParentError([&] { store->stepAxis(b, true); }, "stepAxis", "form a loop");
            CurveQuery q;
            expectParentError([&] { metricDecimated(*store, b, "train_loss", q); }, "metricDecimated",
                              "form a loop");
            expectParentError([&] { fit::runLearningRates(*store, b); }, "runLearningRates", "form a loop");
            // Without history, the run's own points are still readable.
            QCOMPARE(store->metric(b, "train_loss", false).steps.size(), size_t{60});
        }
        // The CLI: a clear message and a non-zero exit, no crash.
        const auto r = test::runCli({"metrics", QString::number(b), "--name", "train_loss", "--with-history",
                                     "--db", QString::fromStdString(path)});
        QVERIFY2(!r.crashed && !r.timedOut, qPrintable(r.err));
        QVERIFY2(r.exitCode != 0, qPrintable(r.out));
        QVERIFY2(r.err.contains("form a loop") && r.err.contains("runs.parent_id"), qPrintable(r.err));
        QCOMPARE(test::fileSha256(path), before);
    }

    void depthCap() {
        test::TempDir dir;
        const std::string path = dir.path("deep.db");
        std::int64_t root = 0;
        {
            auto store = Store::open(path);
            root = store->createRun(test::plainRun("root"));
        }
        // kMaxBranchDepth + 1 generations, each the branch of the one before, inserted by SQL (copies
        // of the root's row with a new parent): deeper than any chain Anneal makes.
        execSql(path,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i <= " +
                    std::to_string(kMaxBranchDepth) +
                    ") INSERT INTO runs (id, uuid, name, parent_id, branch_step, config_toml, spec_toml, "
                    "status, version, created_at) SELECT " +
                    std::to_string(root) + " + i, 'u' || i, 'g' || i, " + std::to_string(root) +
                    " + i - 1, 1, config_toml, spec_toml, status, version, created_at FROM n, runs WHERE "
                    "runs.id = " +
                    std::to_string(root) + ";");
        auto store = Store::open(path, Store::Mode::ReadOnly);
        const std::int64_t deepest = root + kMaxBranchDepth + 1;
        expectParentError([&] { store->branchHistory(deepest); }, "branchHistory", "deeper than");
        // One generation less is within the cap.
        QCOMPARE(store->branchHistory(deepest - 2).size(), static_cast<size_t>(kMaxBranchDepth));
    }
};

QTEST_GUILESS_MAIN(TestBranchHistory)
#include "test_branch_history.moc"
