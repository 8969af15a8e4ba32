// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli end to end, as a user runs it: run, runs, metrics, check, schedule, weights, a bad --set,
// resume and branch; exit codes and messages on stderr.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "process.h"
#include "temp_paths.h"

using namespace anneal::test;

class TestCli : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_spec;
    QString m_db;

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        m_spec = m_dir.qpath("tiny.toml");
        QFile f(m_spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(tinyExperimentToml(20) + "checkpoint_every = 10\n"));
        f.close();
        m_db = m_dir.qpath("cli.db");
    }

    void versionAndHelp() {
        const auto v = runCli({"--version"});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.out.startsWith("anneal-cli "));
        for (const char* cmd :
             {"run", "runs", "metrics", "check", "schedule", "resume", "branch", "weights"}) {
            const auto h = runCli({cmd, "--help"});
            QCOMPARE(h.exitCode, 0);
            QVERIFY2(h.out.contains("Usage") || h.out.contains("usage") || h.out.contains(cmd),
                     qPrintable(h.out));
        }
    }

    void runPrintsJsonAndStores() {
        const auto r = runCli({"run", m_spec, "--db", m_db, "--json", "--name", "first"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["status"].toString(), QString("completed"));
        QCOMPARE(j["steps"].toInt(), 20);
        QVERIFY(j["run_id"].toInt() > 0);
        QVERIFY(j["final_train_loss"].toDouble() > 0);
        const auto m =
            runCli({"metrics", QString::number(j["run_id"].toInt()), "--db", m_db, "--name", "train_loss"});
        QCOMPARE(m.exitCode, 0);
        const QStringList lines = m.out.trimmed().split('\n');
        QCOMPARE(lines.first(), QString("step,value"));
        QCOMPARE(lines.size(), 21);
        QVERIFY(lines[1].startsWith("0,"));
        QCOMPARE(lines.last().split(',')[1].toDouble(), j["final_train_loss"].toDouble());
    }

    void runsListsRunsAsJson() {
        const auto r = runCli({"runs", "--db", m_db, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray a = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QVERIFY(!a.isEmpty());
        QCOMPARE(a[0].toObject()["name"].toString(), QString("first"));
        QVERIFY(a[0].toObject().contains("parent_id"));
        QVERIFY(a[0].toObject().contains("branch_step"));
        const auto t = runCli({"runs", "--db", m_db});
        QVERIFY(t.out.contains("first"));
    }

    void badSetNamesTheKey() {
        const auto r = runCli({"run", m_spec, "--db", m_db, "--set", "train.lr=-1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("train.lr") && r.err.contains("allowed"), qPrintable(r.err));
        const auto u = runCli({"run", m_spec, "--db", m_db, "--set", "model.depth=3"});
        QCOMPARE(u.exitCode, 1);
        QVERIFY2(u.err.contains("model.depth: unknown key"), qPrintable(u.err));
    }

    void usageErrorsExitTwo() {
        QCOMPARE(runCli({"run"}).exitCode, 2);
        QCOMPARE(runCli({"frobnicate"}).exitCode, 2);
        QCOMPARE(runCli({"metrics", "1", "--db", m_db}).exitCode, 2);  // --name is required
    }

    void unknownMetricListsNames() {
        const auto r = runCli({"metrics", "1", "--db", m_db, "--name", "loss"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("train_loss") && r.err.contains("val_loss"), qPrintable(r.err));
    }

    void missingDatabaseIsAnError() {
        const auto r = runCli({"runs", "--db", m_dir.qpath("nope.db")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("does not exist"));
    }

    void checkValidatesOnly() {
        const auto ok = runCli({"check", m_spec, "--json"});
        QCOMPARE(ok.exitCode, 0);
        const QJsonObject j = QJsonDocument::fromJson(ok.out.toUtf8()).object();
        QVERIFY(j["valid"].toBool());
        QVERIFY(j["params"].toInteger() > 0);
        QVERIFY(j["entropy_floor"].toDouble() > 0);
        const auto bad = runCli({"check", m_spec, "--set", "schedule.kind=step"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("schedule.kind") && bad.err.contains("wsd"), qPrintable(bad.err));
    }

    void schedulePrintsEveryStep() {
        const auto r = runCli({"schedule", m_spec, "--set", "schedule.kind=wsd", "--set",
                               "schedule.decay_fraction=0.5", "--set", "train.lr=0.01"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines[0], QString("step,lr,mix.markov,mix.noise"));
        QCOMPARE(lines.size(), 21);
        QCOMPARE(lines[1].split(',')[0], QString("0"));
        QCOMPARE(lines[20].split(',')[0], QString("19"));
        // stable at step 9, decaying at 15: 0.01 * (0.1 + 0.9 * (1 - 5/10))
        QCOMPARE(lines[10].split(',')[1].toDouble(), 0.01);
        QVERIFY(std::abs(lines[16].split(',')[1].toDouble() - 0.01 * (0.1 + 0.9 * 0.5)) < 1e-15);
        QCOMPARE(lines[5].split(',')[2].toDouble(), 0.7);
    }

    void branchAndResume() {
        const auto b = runCli({"branch", "1", "--at-step", "10", "--db", m_db, "--set", "schedule.kind=wsd",
                               "--set", "schedule.decay_fraction=0.5", "--json"});
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        const int branchId = QJsonDocument::fromJson(b.out.toUtf8()).object()["run_id"].toInt();
        const auto runs =
            QJsonDocument::fromJson(runCli({"runs", "--db", m_db, "--json"}).out.toUtf8()).array();
        bool found = false;
        for (const auto& v : runs) {
            const QJsonObject o = v.toObject();
            if (o["id"].toInt() == branchId) {
                QCOMPARE(o["parent_id"].toInt(), 1);
                QCOMPARE(o["branch_step"].toInt(), 10);
                found = true;
            }
        }
        QVERIFY(found);
        const auto noStep = runCli({"branch", "1", "--at-step", "7", "--db", m_db});
        QCOMPARE(noStep.exitCode, 1);
        QVERIFY2(noStep.err.contains("--at-step") && noStep.err.contains("10, 20"), qPrintable(noStep.err));
        const auto completed = runCli({"resume", "1", "--db", m_db});
        QCOMPARE(completed.exitCode, 1);
        QVERIFY(completed.err.contains("completed"));
    }

    void weightsCsv() {
        const auto r = runCli({"weights", "1", "--db", m_db, "--step", "5"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.trimmed().split('\n');
        QVERIFY(lines[0].startsWith("sample_id,domain,step,loss,weight"));
        QCOMPARE(lines.size(), 1 + 4);  // batch_size 4 samples at step 5
        const auto s = runCli({"weights", "1", "--db", m_db, "--summary"});
        QCOMPARE(s.exitCode, 0);
        QVERIFY(s.out.contains(",all,"));
        const auto bad = runCli({"weights", "1", "--db", m_db, "--domain", "web"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("markov | noise"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
