// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli import | fit | fits | predict end to end: the CLI contract of the fitting issue, bad
// import files named by line and column with nothing stored, fits stored and exported, predictions.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <fstream>

#include "process.h"
#include "temp_paths.h"

using namespace anneal::test;

namespace {
void writeFile(const QString& path, const std::string& text) {
    std::ofstream f(path.toStdString());
    f << text;
}
}  // namespace

class TestCliFit : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_db;

    int runCount() {
        const auto r = runCli({"runs", "--db", m_db, "--json"});
        return QJsonDocument::fromJson(r.out.toUtf8()).array().size();
    }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        m_db = m_dir.qpath("fit.db");
    }

    void importGoodCurve() {
        const QString f = m_dir.qpath("curve.csv");
        writeFile(f,
                  "step,loss,lr,tokens,grad_norm\n0,5.5,0.001,512,1.0\n10,4.0,0.001,5632,0.8\n20,3.5,0.0005,"
                  "10752,0.7\n");
        const auto r =
            runCli({"import", f, "--db", m_db, "--name", "external", "--params", "6.5e9", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const int id = j["run_id"].toInt();
        QCOMPARE(j["rows"].toInt(), 3);
        const auto m = runCli({"metrics", QString::number(id), "--db", m_db, "--name", "train_loss"});
        QCOMPARE(m.out.trimmed().split('\n').last(), QString("20,3.5"));
        const auto g = runCli({"metrics", QString::number(id), "--db", m_db, "--name", "grad_norm"});
        QCOMPARE(g.exitCode, 0);
        const auto runs =
            QJsonDocument::fromJson(runCli({"runs", "--db", m_db, "--json"}).out.toUtf8()).array();
        QCOMPARE(runs.last().toObject()["kind"].toString(), QString("imported"));
        QCOMPARE(runs.last().toObject()["tokens"].toInt(), 10752);
        QCOMPARE(runs.last().toObject()["params_nonembedding"].toDouble(), 6.5e9);
    }

    void badImportsNameLineAndStoreNothing_data() {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("what");
        QTest::newRow("missing column") << "step,value\n0,1\n"
                                        << "curve.csv"
                                        << "loss";
        QTest::newRow("non-numeric cell") << "step,loss\n0,5.1\n1,abc\n"
                                          << "curve.csv:3"
                                          << "'abc' is not a number";
        QTest::newRow("unsorted steps") << "step,loss\n0,5\n5,4\n3,3\n"
                                        << "curve.csv:4"
                                        << "step";
        QTest::newRow("empty") << ""
                               << "curve.csv"
                               << "empty";
        QTest::newRow("ragged row") << "step,loss\n0,5\n1\n"
                                    << "curve.csv:3"
                                    << "field";
        QTest::newRow("fractional step") << "step,loss\n0,5\n1.5,4\n"
                                         << "curve.csv"
                                         << "integers";
    }
    void badImportsNameLineAndStoreNothing() {
        QFETCH(QString, content);
        QFETCH(QString, where);
        QFETCH(QString, what);
        const int before = runCount();
        const QString f = m_dir.qpath("curve.csv");
        writeFile(f, content.toStdString());
        const auto r = runCli({"import", f, "--db", m_db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(where) && r.err.contains(what, Qt::CaseInsensitive), qPrintable(r.err));
        QCOMPARE(runCount(), before);
    }

    void chinchillaFitOnReferenceCsv() {
        // METHODS 8.1: D = C/(6N), the 5 highest losses dropped -> 240 points.
        QFile in(QString::fromStdString(dataFile("reference/chinchilla_svg_extracted.csv")));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QList<QStringList> rows;
        in.readLine();
        while (!in.atEnd()) {
            rows.append(QString::fromUtf8(in.readLine()).trimmed().split(','));
        }
        QCOMPARE(rows.size(), 245);
        std::sort(rows.begin(), rows.end(), [](const QStringList& a, const QStringList& b) {
            return a[6].toDouble() < b[6].toDouble();
        });
        rows = rows.mid(0, 240);
        std::string csv = "N,C,loss\n";
        for (const auto& r : rows) {
            csv += (r[3] + "," + r[4] + "," + r[6] + "\n").toStdString();
        }
        const QString f = m_dir.qpath("chinchilla.csv");
        writeFile(f, csv);
        const auto r = runCli({"fit", "--law", "chinchilla", "--csv", f, "--n-col", "N", "--c-col", "C",
                               "--loss-col", "loss", "--db", m_db, "--bootstrap", "50", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["law"].toString(), QString("chinchilla"));
        QCOMPARE(j["n_points"].toInt(), 240);
        const QJsonObject p = j["params"].toObject();
        QVERIFY(std::abs(p["E"].toDouble() - 1.8172) < 0.002);
        QVERIFY(std::abs(p["alpha"].toDouble() - 0.3473) < 0.002);
        QVERIFY(std::abs(p["beta"].toDouble() - 0.3672) < 0.002);
        QVERIFY(std::abs(p["A"].toDouble() / 477.8 - 1) < 0.03);
        QVERIFY(std::abs(p["B"].toDouble() / 2143.8 - 1) < 0.05);
        QVERIFY(std::abs(j["objective"].toDouble() / 1.01827e-3 - 1) < 1e-3);
        const QJsonArray ciE = j["ci"].toObject()["E"].toArray();
        QCOMPARE(ciE.size(), 2);
        QVERIFY(ciE[0].toDouble() < p["E"].toDouble() && p["E"].toDouble() < ciE[1].toDouble());
        const int fitId = j["fit_id"].toInt();
        QVERIFY(fitId > 0);

        // Stored and listed; exported to Python with provenance; compute-optimal allocation.
        const auto list =
            QJsonDocument::fromJson(runCli({"fits", "--db", m_db, "--json"}).out.toUtf8()).array();
        QCOMPARE(list.last().toObject()["id"].toInt(), fitId);
        const QString py = m_dir.qpath("law.py");
        QCOMPARE(runCli({"fits", QString::number(fitId), "--db", m_db, "--export", "python", "--out", py})
                     .exitCode,
                 0);
        QFile pyFile(py);
        QVERIFY(pyFile.open(QIODevice::ReadOnly));
        const QString code = QString::fromUtf8(pyFile.readAll());
        QVERIFY(code.contains("def law("));
        QVERIFY(code.contains("sha256") || code.contains("chinchilla.csv"));
        const auto alloc = runCli({"predict", "--fit", QString::number(fitId), "--db", m_db, "--compute",
                                   "5.76e23", "--format", "json"});
        QCOMPARE(alloc.exitCode, 0);
        const QJsonObject a = QJsonDocument::fromJson(alloc.out.toUtf8()).object();
        QVERIFY(std::abs(a["n_opt"].toDouble() * a["d_opt"].toDouble() * 6 / 5.76e23 - 1) < 1e-12);
        const auto at = runCli(
            {"predict", "--fit", QString::number(fitId), "--db", m_db, "--n", "70e9", "--d", "1.4e12"});
        QCOMPARE(at.exitCode, 0);
        const double E = p["E"].toDouble(), A = p["A"].toDouble(), B = p["B"].toDouble();
        const double expected =
            E + A / std::pow(70e9, p["alpha"].toDouble()) + B / std::pow(1.4e12, p["beta"].toDouble());
        QVERIFY(std::abs(at.out.trimmed().toDouble() - expected) < 1e-9);
    }

    void fitErrorsAreClear() {
        const auto law = runCli({"fit", "--law", "chinchila", "--runs", "1", "--db", m_db});
        QCOMPARE(law.exitCode, 1);
        QVERIFY2(law.err.contains("power | kaplan | chinchilla | lr_annealing | mpl | steplaw"),
                 qPrintable(law.err));
        const auto two = runCli({"fit", "--law", "power", "--runs", "1", "--group", "g", "--db", m_db});
        QCOMPARE(two.exitCode, 1);
        QVERIFY(two.err.contains("exactly one of"));
        const auto group = runCli({"fit", "--law", "power", "--group", "nope", "--db", m_db});
        QCOMPARE(group.exitCode, 1);
        QVERIFY(group.err.contains("no completed run in group"));
    }

    void lrAnnealingOnRunsPredictsASchedule() {
        const QString spec = m_dir.qpath("tiny.toml");
        writeFile(spec, tinyExperimentToml(60));
        for (const char* kind : {"constant", "cosine"}) {
            const auto r = runCli({"run", spec, "--db", m_db, "--set", QString("schedule.kind=") + kind,
                                   "--set", "data.val_every=5", "--group", "lra", "-q"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        }
        const auto f = runCli({"fit", "--law", "lr_annealing", "--group", "lra", "--db", m_db, "--json"});
        QVERIFY2(f.exitCode == 0, qPrintable(f.err));
        const QJsonObject j = QJsonDocument::fromJson(f.out.toUtf8()).object();
        const QJsonObject p = j["params"].toObject();
        for (const char* name : {"L0", "A", "alpha", "C", "lambda"}) {
            QVERIFY2(p.contains(name), name);
        }
        QCOMPARE(j["n_points"].toInt(), 2 * 12);
        const auto pred =
            runCli({"predict", "--fit", QString::number(j["fit_id"].toInt()), "--db", m_db, "--schedule",
                    spec, "--set", "schedule.kind=wsd", "--set", "schedule.decay_fraction=0.3"});
        QVERIFY2(pred.exitCode == 0, qPrintable(pred.err));
        const QStringList lines = pred.out.trimmed().split('\n');
        QCOMPARE(lines[0], QString("step,lr,loss"));
        QCOMPARE(lines.size(), 61);
        QVERIFY(std::isfinite(lines.last().split(',')[2].toDouble()));
        QVERIFY(pred.err.contains("predicted final loss"));
        const auto wrong = runCli({"predict", "--fit", "1", "--db", m_db, "--schedule", spec});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY(wrong.err.contains("needs an lr_annealing fit"));
    }
};

QTEST_GUILESS_MAIN(TestCliFit)
#include "test_cli_fit.moc"
