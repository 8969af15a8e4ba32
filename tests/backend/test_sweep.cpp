// SPDX-License-Identifier: GPL-3.0-or-later
// Sweep plans: expansion and validation; a local sweep with branches that re-runs to completion;
// the Slurm array script; shards merged with ids remapped, twice adding nothing.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <fstream>
#include <map>
#include <sqlite3.h>

#include "anneal/error.h"
#include "anneal/store.h"
#include "anneal/sweep.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

std::string baseToml() {
    return test::tinyExperimentToml(30) + "checkpoint_every = 10\nkeep_checkpoints = 10\n";
}

}  // namespace

class TestSweep : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;

    std::string plan(const std::string& body) {
        writeFile(m_dir.path("base.toml"), baseToml());
        const std::string p = m_dir.path("plan.toml");
        writeFile(p, "name = \"s\"\nbase = \"base.toml\"\n" + body);
        return p;
    }

private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    void expandsGridZipAndVariants() {
        const SweepPlan p = loadSweepPlan(plan(R"(
[set]
"train.lr" = 0.02
[grid]
seed = [1, 2, 3]
[zip]
"model.d_model" = [16, 32]
"model.n_head" = [1, 2]
[[variant]]
name = "cos"
set = { "schedule.kind" = "cosine" }
[[variant]]
name = "wsd"
set = { "schedule.kind" = "wsd", "schedule.decay_fraction" = 0.2 }
)"));
        QCOMPARE(p.runs.size(), size_t{2 * 2 * 3});
        QCOMPARE(p.runs[0].label, std::string("cos model.d_model=16 model.n_head=1 seed=1"));
        QCOMPARE(p.runs[11].label, std::string("wsd model.d_model=32 model.n_head=2 seed=3"));
        QCOMPARE(p.runs[11].spec.schedule.kind, std::string("wsd"));
        QCOMPARE(p.runs[11].spec.model.dModel, 32);
        QCOMPARE(p.runs[11].spec.seed, std::uint64_t{3});
        QCOMPARE(p.runs[5].spec.train.lr, 0.02);
        for (size_t i = 0; i < p.runs.size(); ++i) {
            QCOMPARE(p.runs[i].index, static_cast<int>(i));
        }
    }

    void badPlansNameTheKey_data() {
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("zip lengths") << "[zip]\nseed = [1, 2]\n\"train.lr\" = [0.1]\n"
                                     << "zip.train.lr";
        QTest::newRow("axis not a list") << "[grid]\nseed = 3\n"
                                         << "grid.seed: expected a non-empty array";
        QTest::newRow("bad value for a run") << "[grid]\n\"train.lr\" = [0.1, -1.0]\n"
                                             << "train.lr";
        QTest::newRow("branch without checkpoint") << "[[branch]]\nname = \"c\"\nat_step = 15\n"
                                                   << "branch.c.at_step";
        QTest::newRow("unknown plan key") << "[grids]\nseed = [1]\n"
                                          << "grids: unknown key";
        QTest::newRow("branch after the end") << "[[branch]]\nname = \"c\"\nat_step = 40\n"
                                              << "branch.c.at_step: step 40 is after the end";
        QTest::newRow("branch at the end, no more steps") << "[[branch]]\nname = \"c\"\nat_step = 30\n"
                                                          << "must set train.steps beyond it";
        QTest::newRow("branch shorter than its step")
            << "[[branch]]\nname = \"c\"\nat_step = 20\nset = { \"train.steps\" = 10 }\n"
            << "branch.c.set";
        QTest::newRow("branch for an unknown variant")
            << "[[variant]]\nname = \"a\"\n[[branch]]\nname = \"c\"\nat_step = 20\nvariants = [\"b\"]\n"
            << "branch[0].variants: no variant is named \"b\"";
        QTest::newRow("duplicate labels") << "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"\n"
                                          << "same label";
    }
    void badPlansNameTheKey() {
        QFETCH(QString, body);
        QFETCH(QString, expected);
        try {
            loadSweepPlan(plan(body.toStdString()));
            QFAIL("accepted a bad plan");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void localSweepWithBranchesIsResumable() {
        const std::string p = plan(
            "[grid]\nseed = [1, 2]\n[[branch]]\nname = \"cool\"\nat_step = 20\n"
            "set = { \"schedule.kind\" = \"wsd\", \"schedule.decay_fraction\" = 0.33 }\n"
            "[resources]\njobs = 2\n");
        const QString db = m_dir.qpath("sweep.db");
        const auto r = test::runCli({"sweep", QString::fromStdString(p), "--db", db, "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray runs = QJsonDocument::fromJson(r.out.toUtf8()).object()["runs"].toArray();
        QCOMPARE(runs.size(), 4);
        for (const auto& v : runs) {
            QCOMPARE(v.toObject()["status"].toString(), QString("completed"));
        }
        auto store = Store::open(db.toStdString(), Store::Mode::ReadOnly);
        const auto list = store->listRuns();
        QCOMPARE(list.size(), size_t{4});
        int branches = 0;
        for (const auto& run : list) {
            QCOMPARE(run.group, std::string("s"));
            if (run.parentId) {
                ++branches;
                QCOMPARE(run.branchStep.value_or(-1), std::int64_t{20});
                QVERIFY(QString::fromStdString(run.name).endsWith("/cool"));
            }
        }
        QCOMPARE(branches, 2);
        store.reset();
        // Again: nothing to do, nothing added.
        const auto again = test::runCli({"sweep", QString::fromStdString(p), "--db", db, "--json"}, 300000);
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(Store::open(db.toStdString(), Store::Mode::ReadOnly)->listRuns().size(), size_t{4});
    }

    void branchesForSomeVariantsAndFromTheEnd() {
        // "cool" branches only the wsd variant; "more" continues the wsd run from its final
        // checkpoint (step 30) to step 40 on another mix: the plan's two ways to shape branch axes.
        const std::string p = plan(R"([[variant]]
name = "cos"
set = { "schedule.kind" = "cosine" }
[[variant]]
name = "wsd"
set = { "schedule.kind" = "wsd", "schedule.decay_fraction" = 0.0 }
[[branch]]
name = "cool"
at_step = 20
variants = ["wsd"]
set = { "schedule.decay_fraction" = 0.33 }
[[branch]]
name = "more"
at_step = 30
variants = ["wsd"]
set = { "train.steps" = 40, "schedule.kind" = "rewarm", "schedule.rewarm_at" = 30, "schedule.rewarm_steps" = 2 }
[resources]
jobs = 2
)");
        const SweepPlan sp = loadSweepPlan(p);
        QCOMPARE(sp.runs.size(), size_t{2});
        QCOMPARE(sp.runs[0].variant, std::string("cos"));
        QVERIFY(!branchApplies(sp.branches[0], sp.runs[0]));
        QVERIFY(branchApplies(sp.branches[0], sp.runs[1]));
        const QString db = m_dir.qpath("variants.db");
        const auto r = test::runCli({"sweep", QString::fromStdString(p), "--db", db, "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        auto store = Store::open(db.toStdString(), Store::Mode::ReadOnly);
        const auto list = store->listRuns();
        QCOMPARE(list.size(), size_t{4});
        std::map<std::string, RunRecord> byName;
        for (const auto& run : list) {
            QCOMPARE(run.status, RunStatus::Completed);
            byName[run.name] = run;
        }
        QVERIFY(byName.count("cos") && byName.count("wsd") && byName.count("wsd/cool") &&
                byName.count("wsd/more"));
        QCOMPARE(*byName["wsd/cool"].parentId, byName["wsd"].id);
        const RunRecord& more = byName["wsd/more"];
        QCOMPARE(*more.parentId, byName["wsd"].id);
        QCOMPARE(more.branchStep.value_or(-1), std::int64_t{30});
        QCOMPARE(more.stepsDone, std::int64_t{40});
        QCOMPARE(store->metric(more.id, "train_loss").steps.front(), std::int64_t{30});
        QCOMPARE(store->metric(more.id, "train_loss", true).steps.size(), size_t{40});
    }

    void slurmShardsMergeOnce() {
        const std::string p = plan(
            "[grid]\nseed = [1, 2]\n[[branch]]\nname = \"cool\"\nat_step = 20\n"
            "set = { \"schedule.kind\" = \"wsd\", \"schedule.decay_fraction\" = 0.33 }\n"
            "[resources]\ntime = \"00:10:00\"\ncpus_per_task = 1\nmem = \"1G\"\n");
        const QString dir = m_dir.qpath("slurm");
        const auto w = test::runCli({"sweep", QString::fromStdString(p), "--slurm", dir});
        QVERIFY2(w.exitCode == 0, qPrintable(w.err));
        QFile script(dir + "/sweep.sbatch");
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(script.readAll());
        QVERIFY(text.contains("#SBATCH --array=0-1"));
        QVERIFY(text.contains("#SBATCH --time=00:10:00"));
        QVERIFY(text.contains("--only \"$SLURM_ARRAY_TASK_ID\""));
        QVERIFY(QFile::exists(dir + "/configs/0001.toml"));
        // Run the two array tasks by hand (what sbatch would do), then merge twice.
        for (int i = 0; i < 2; ++i) {
            const auto t = test::runCli(
                {"sweep", dir + "/plan/plan.toml", "--db",
                 dir + QString("/shards/%1.db").arg(i, 4, 10, QChar('0')), "--only", QString::number(i)},
                300000);
            QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        }
        const QString merged = m_dir.qpath("merged.db");
        const QStringList shards = {dir + "/shards/0000.db", dir + "/shards/0001.db"};
        const auto m1 = test::runCli(QStringList{"merge"} + shards + QStringList{"--db", merged, "--json"});
        QVERIFY2(m1.exitCode == 0, qPrintable(m1.err));
        const QJsonArray first = QJsonDocument::fromJson(m1.out.toUtf8()).array();
        QCOMPARE(first[0].toObject()["runs_added"].toInt(), 2);
        const auto m2 = test::runCli(QStringList{"merge"} + shards + QStringList{"--db", merged, "--json"});
        const QJsonArray second = QJsonDocument::fromJson(m2.out.toUtf8()).array();
        QCOMPARE(second[0].toObject()["runs_added"].toInt(), 0);
        QCOMPARE(second[1].toObject()["runs_skipped"].toInt(), 2);
        auto store = Store::open(merged.toStdString(), Store::Mode::ReadOnly);
        const auto list = store->listRuns();
        QCOMPARE(list.size(), size_t{4});
        for (const auto& r : list) {
            if (r.parentId) {
                const RunRecord parent = store->run(*r.parentId);
                QVERIFY(!parent.parentId);
                QCOMPARE(parent.group, r.group);
                QVERIFY(QString::fromStdString(r.name).startsWith(QString::fromStdString(parent.name)));
                const auto cp = store->checkpoint(*r.branchCheckpointId);
                QVERIFY(cp.has_value());
                QCOMPARE(cp->runId, parent.id);
                QCOMPARE(cp->step, std::int64_t{20});
                QCOMPARE(store->metric(r.id, "train_loss", true).steps.size(), size_t{30});
            } else {
                QCOMPARE(store->metric(r.id, "train_loss").steps.size(), size_t{30});
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSweep)
#include "test_sweep.moc"
