// SPDX-License-Identifier: GPL-3.0-or-later
// Several GPUs for one local sweep (anneal-cli sweep --gpus): every run is given a GPU of the list
// through CUDA_VISIBLE_DEVICES, and no two runs that run at the same time are given the same one.
// Checked by what the children see: each run starts through a wrapper ($ANNEAL_SWEEP_WRAPPER) that
// appends its CUDA_VISIBLE_DEVICES to a log when it starts and when it ends, in the order they happen.
// Also: bad --gpus lists are usage errors naming --gpus; the Slurm script asks for a GPU per task.
#include <QtTest>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <fstream>
#include <map>
#include <set>

#include "anneal/error.h"
#include "anneal/sweep.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

}  // namespace

class TestSweepGpus : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;

    /// A plan of six tiny runs of uneven length (so they end out of order and GPUs change hands).
    QString plan(const std::string& extra = {}) {
        writeFile(m_dir.path("base.toml"), test::tinyExperimentToml(10));
        const std::string p = m_dir.path("plan.toml");
        writeFile(p,
                  "name = \"g\"\nbase = \"base.toml\"\n[zip]\nseed = [1, 2, 3, 4, 5, 6]\n"
                  "\"train.steps\" = [10, 40, 10, 25, 10, 40]\n" +
                      extra);
        return QString::fromStdString(p);
    }

    /// A wrapper that logs "start|end <CUDA_VISIBLE_DEVICES> <CUDA_DEVICE_ORDER>" around the run.
    QString wrapper(const QString& log) {
        const std::string w = m_dir.path("wrap.sh");
        writeFile(w,
                  "#!/bin/sh\n"
                  "echo \"start ${CUDA_VISIBLE_DEVICES-unset} ${CUDA_DEVICE_ORDER-unset}\" >> '" +
                      log.toStdString() +
                      "'\n"
                      "\"$@\"\nrc=$?\n"
                      "echo \"end ${CUDA_VISIBLE_DEVICES-unset} ${CUDA_DEVICE_ORDER-unset}\" >> '" +
                      log.toStdString() +
                      "'\n"
                      "exit $rc\n");
        QFile::setPermissions(QString::fromStdString(w),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return QString::fromStdString(w);
    }

private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    void badGpuListsNameTheFlag_data() {
        QTest::addColumn<QString>("gpus");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty entry") << "0,,1"
                                     << "entry 2 is \"\"";
        QTest::newRow("not a number") << "a"
                                      << "entry 1 is \"a\"";
        QTest::newRow("negative") << "0,-1"
                                  << "entry 2 is \"-1\"";
        QTest::newRow("space") << "0, 1"
                               << "entry 2 is \" 1\"";
        QTest::newRow("twice") << "1,0,1"
                               << "GPU 1 is listed twice";
        QTest::newRow("bare uuid prefix") << "GPU-"
                                          << "entry 1 is \"GPU-\"";
        QTest::newRow("trailing comma") << "0,1,"
                                        << "entry 3 is \"\"";
    }
    void badGpuListsNameTheFlag() {
        QFETCH(QString, gpus);
        QFETCH(QString, expected);
        const auto r = test::runCli({"sweep", plan(), "--db", m_dir.qpath("bad.db"), "--gpus", gpus});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--gpus") && r.err.contains(expected) && r.err.contains("e.g. 0,1,2,3"),
                 qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.qpath("bad.db")));
    }

    void moreJobsThanGpusIsAnError() {
        const auto r =
            test::runCli({"sweep", plan(), "--db", m_dir.qpath("jobs.db"), "--gpus", "0,1", "--jobs", "3"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--jobs") && r.err.contains("--gpus lists 2"), qPrintable(r.err));
    }

    void dryRunShowsGpusInTurn() {
        const auto r =
            test::runCli({"sweep", plan(), "--db", m_dir.qpath("dry.db"), "--gpus", "3,0,5", "--dry-run"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 6);
        const QStringList expected = {"3", "0", "5", "3", "0", "5"};
        for (int i = 0; i < lines.size(); ++i) {
            QVERIFY2(lines[i].startsWith("CUDA_VISIBLE_DEVICES=" + expected[i] + " "), qPrintable(lines[i]));
        }
        const auto plain = test::runCli({"sweep", plan(), "--db", m_dir.qpath("dry.db"), "--dry-run"});
        QVERIFY(!plain.out.contains("CUDA_VISIBLE_DEVICES"));
    }

    void concurrentRunsNeverShareAGpu() {
        const QString log = m_dir.qpath("gpus.log");
        const QString db = m_dir.qpath("gpus.db");
        const QStringList gpus = {"3", "0", "5"};
        // CUDA_VISIBLE_DEVICES=7 in the sweep's own environment must not leak into a run.
        const auto r = test::runCli({"sweep", plan(), "--db", db, "--gpus", gpus.join(','), "--json"}, 300000,
                                    {"ANNEAL_SWEEP_WRAPPER=" + wrapper(log), "CUDA_VISIBLE_DEVICES=7"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        QFile f(log);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList events = QString::fromUtf8(f.readAll()).trimmed().split('\n');
        QCOMPARE(events.size(), 12);  // a start and an end for each of the six runs
        std::set<QString> held;
        std::map<QString, int> starts;
        size_t mostAtOnce = 0;
        for (const QString& e : events) {
            const QStringList w = e.split(' ');
            QCOMPARE(w.size(), 3);
            QVERIFY2(gpus.contains(w[1]), qPrintable("a run saw CUDA_VISIBLE_DEVICES=" + w[1]));
            QCOMPARE(w[2], QString("PCI_BUS_ID"));
            if (w[0] == "start") {
                QVERIFY2(held.insert(w[1]).second,
                         qPrintable("GPU " + w[1] + " given to a second running run"));
                ++starts[w[1]];
                mostAtOnce = std::max(mostAtOnce, held.size());
            } else {
                QCOMPARE(held.erase(w[1]), size_t{1});
            }
        }
        QVERIFY(held.empty());
        QCOMPARE(mostAtOnce, size_t{3});  // runs at a time default to the number of GPUs
        QVERIFY(starts.size() >= 2);      // GPUs change hands as runs end
        // The sweep's own record: every run completed and names the GPU it was given.
        const QJsonArray runs = QJsonDocument::fromJson(r.out.toUtf8()).object()["runs"].toArray();
        QCOMPARE(runs.size(), 6);
        for (const auto& v : runs) {
            QCOMPARE(v.toObject()["status"].toString(), QString("completed"));
            QVERIFY(gpus.contains(v.toObject()["gpu"].toString()));
        }
    }

    void slurmAsksForOneGpuPerTask() {
        writeFile(m_dir.path("base.toml"), test::tinyExperimentToml(10));
        const std::string head = "name = \"g\"\nbase = \"base.toml\"\n[grid]\nseed = [1, 2]\n[resources]\n";
        const std::string withGpu = m_dir.path("gpu-plan.toml");
        writeFile(withGpu, head + "gpus = 1\n");
        QVERIFY(QString::fromStdString(slurmScript(loadSweepPlan(withGpu), "/d", "anneal-cli"))
                    .contains("#SBATCH --gres=gpu:1\n"));
        const std::string without = m_dir.path("cpu-plan.toml");
        writeFile(without, head + "gpus = 0\n");
        QVERIFY(
            !QString::fromStdString(slurmScript(loadSweepPlan(without), "/d", "anneal-cli")).contains("gpu"));
        const std::string two = m_dir.path("two-plan.toml");
        writeFile(two, head + "gpus = 2\n");
        try {
            loadSweepPlan(two);
            QFAIL("accepted two GPUs per task");
        } catch (const Error& e) {
            QVERIFY2(
                QString(e.what()).contains("resources.gpus") && QString(e.what()).contains("from 0 to 1"),
                e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSweepGpus)
#include "test_sweep_gpus.moc"
