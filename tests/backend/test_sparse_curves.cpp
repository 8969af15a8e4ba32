// SPDX-License-Identifier: GPL-3.0-or-later
// Curves logged every few dozen steps with the LR of every update given apart (anneal/lr_sequence.h):
// `anneal-cli import --schedule/--lr-file` keeps the whole sequence, `fit --csv --schedule` uses it, and
// `predict --run` predicts from it. The losses are the Multi-Power Law's, computed here by a direct sum
// of the METHODS 2 formula (curve_law_reference.h) with the published 400M parameters; the per-step LR
// is the test's own linear interpolation of the schedule's knots, not the library's. Bad LR sources are
// errors naming the file and line, and store nothing.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <fstream>

#include "anneal/error.h"
#include "anneal/lr_sequence.h"
#include "anneal/schedule.h"
#include "anneal/config.h"
#include "anneal/store.h"
#include "curve_law_reference.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::test;

namespace {

constexpr int kUpdates = 601;  // updates 0..600
constexpr int kWarmup = 30;
constexpr double kPeak = 3e-4;  // the peak LR the 400M parameters were fitted with
constexpr int kEvery = 40;      // losses at steps 40, 80, ..., 600: the warmup is never logged
const std::vector<double> k400M = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                   2.02462735, 0.59350493, 0.63472457};

using Knots = std::vector<std::pair<int, double>>;
const Knots kWsd = {{0, kPeak / kWarmup}, {kWarmup, kPeak}, {450, kPeak}, {600, 0.01 * kPeak}};
const Knots kLinear = {{0, kPeak / kWarmup}, {kWarmup, kPeak}, {600, 0.1 * kPeak}};

/// The LR of every update 0..kUpdates-1, linear between knots (the test's own interpolation).
std::vector<double> perStep(const Knots& k) {
    std::vector<double> lr(kUpdates);
    for (int u = 0; u < kUpdates; ++u) {
        size_t i = 0;
        while (i + 1 < k.size() && k[i + 1].first <= u) {
            ++i;
        }
        if (i + 1 == k.size()) {
            lr[static_cast<size_t>(u)] = k[i].second;
        } else {
            const double f = double(u - k[i].first) / double(k[i + 1].first - k[i].first);
            lr[static_cast<size_t>(u)] = k[i].second + f * (k[i + 1].second - k[i].second);
        }
    }
    return lr;
}

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

double rel(double a, double b) { return std::abs(a - b) / std::abs(b); }

struct Curve {
    std::vector<double> lr;
    std::vector<std::int64_t> steps;
    std::vector<double> loss;
};

Curve generate(const Knots& knots, int last = kUpdates - 1) {
    Curve c;
    c.lr = perStep(knots);
    for (int s = kEvery; s <= last; s += kEvery) {
        c.steps.push_back(s);
    }
    c.loss = mplDirect(k400M, c.lr, firstMaximum(c.lr), c.steps);
    return c;
}

/// A sparse curve file: step,loss[,lr at the logged step].
void writeCurve(const std::string& path, const Curve& c, bool withLr, double lrScale = 1.0) {
    std::ofstream f(path);
    f << "step,loss" << (withLr ? ",lr" : "") << "\n";
    for (size_t i = 0; i < c.steps.size(); ++i) {
        f << c.steps[i] << "," << number(c.loss[i]);
        if (withLr) {
            f << "," << number(lrScale * c.lr[static_cast<size_t>(c.steps[i])]);
        }
        f << "\n";
    }
}

/// A schedule file: [train] and a table schedule of the knots (no [[data.domain]]).
void writeSchedule(const std::string& dir, const std::string& name, const Knots& k) {
    std::ofstream knots(dir + "/" + name + "-knots.csv");
    knots << "step,lr\n";
    for (const auto& [s, v] : k) {
        knots << s << "," << number(v) << "\n";
    }
    std::ofstream f(dir + "/" + name + ".toml");
    f << "[train]\nsteps = " << kUpdates << "\nlr = " << number(kPeak) << "\n[schedule]\nkind = \"table\"\n"
      << "file = \"" << name << "-knots.csv\"\n";
}

void writeLrFile(const std::string& path, const std::vector<double>& lr) {
    std::ofstream f(path);
    f << "step,lr\n";
    for (size_t u = 0; u < lr.size(); ++u) {
        f << u << "," << number(lr[u]) << "\n";
    }
}

QJsonObject json(const ProcessResult& r) { return QJsonDocument::fromJson(r.out.toUtf8()).object(); }

/// The error a call throws, or "" when it throws none.
template <typename F>
std::pair<std::string, std::string> errorOf(F f) {
    try {
        f();
    } catch (const Error& e) {
        return {e.field(), e.what()};
    }
    return {};
}

}  // namespace

class TestSparseCurves : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_db;
    Curve m_wsd, m_linear;

    std::size_t runCount() const { return Store::open(m_db.toStdString())->listRuns(false).size(); }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        m_db = m_dir.qpath("sparse.db");
        m_wsd = generate(kWsd);
        m_linear = generate(kLinear);
        writeSchedule(m_dir.path(), "wsd", kWsd);
        writeSchedule(m_dir.path(), "linear", kLinear);
        writeCurve(m_dir.path("wsd.csv"), m_wsd, false);
        writeCurve(m_dir.path("linear.csv"), m_linear, false);
        writeLrFile(m_dir.path("linear-lr.csv"), m_linear.lr);
    }

    void scheduleAndLrFilesGiveEveryUpdate() {
        const LrSequence s = lrFromScheduleFile(m_dir.path("wsd.toml"));
        QCOMPARE(s.lr.size(), size_t(kUpdates));
        for (int u = 0; u < kUpdates; ++u) {
            QVERIFY2(rel(s.lr[size_t(u)], m_wsd.lr[size_t(u)]) < 1e-14, qPrintable(QString::number(u)));
        }
        QCOMPARE(s.warmupSteps, std::int64_t(kWarmup));  // the first step of the largest LR
        const LrSequence f = readLrFile(m_dir.path("linear-lr.csv"));
        QCOMPARE(f.lr, m_linear.lr);  // %.17g round-trips exactly
        QCOMPARE(f.warmupSteps, std::int64_t(-1));
        // A schedule file reads as the experiment it belongs to would: the placeholder domain added to a
        // schedule-only file changes nothing.
        std::ofstream(m_dir.path("cos.toml"))
            << "[train]\nsteps = 300\nlr = 1e-3\n[schedule]\nkind = \"cosine\"\nwarmup_steps = 20\n";
        std::ofstream(m_dir.path("cos-exp.toml"))
            << "[train]\nsteps = 300\nlr = 1e-3\n[schedule]\nkind = \"cosine\"\nwarmup_steps = 20\n"
            << "[[data.domain]]\nname = \"m\"\nsource = \"synthetic:markov\"\n";
        QCOMPARE(lrFromScheduleFile(m_dir.path("cos.toml")).lr,
                 learningRates(loadExperiment(m_dir.path("cos-exp.toml"))));
    }

    void badLrFilesNameTheLine() {
        const std::string dir = m_dir.path();
        std::ofstream(dir + "/gap.csv") << "step,lr\n0,1e-3\n1,1e-3\n3,1e-3\n";
        auto e = errorOf([&] { readLrFile(dir + "/gap.csv"); });
        QCOMPARE(e.first, dir + "/gap.csv:4");
        QVERIFY2(e.second.find("step 2 is missing") != std::string::npos, e.second.c_str());
        std::ofstream(dir + "/late.csv") << "step,lr\n2,1e-3\n3,1e-3\n";
        e = errorOf([&] { readLrFile(dir + "/late.csv"); });
        QCOMPARE(e.first, dir + "/late.csv:2");
        QVERIFY2(e.second.find("steps 0..1 are missing") != std::string::npos, e.second.c_str());
        std::ofstream(dir + "/neg.csv") << "step,lr\n0,1e-3\n1,-1e-4\n";
        e = errorOf([&] { readLrFile(dir + "/neg.csv"); });
        QCOMPARE(e.first, dir + "/neg.csv:3");
        QVERIFY2(e.second.find(">= 0") != std::string::npos, e.second.c_str());
        std::ofstream(dir + "/back.csv") << "step,lr\n0,1e-3\n1,1e-3\n1,1e-3\n";
        e = errorOf([&] { readLrFile(dir + "/back.csv"); });
        QCOMPARE(e.first, dir + "/back.csv:4");
        std::ofstream(dir + "/empty.csv") << "step,lr\n";
        QVERIFY(!errorOf([&] { readLrFile(dir + "/empty.csv"); }).first.empty());
        e = errorOf([&] { lrSequenceFrom(dir + "/wsd.toml", dir + "/linear-lr.csv"); });
        QVERIFY2(e.second.find("--schedule") != std::string::npos &&
                     e.second.find("--lr-file") != std::string::npos,
                 e.second.c_str());
    }

    void importKeepsTheLrOfEveryUpdate() {
        const auto w = runCli({"import", m_dir.qpath("wsd.csv"), "--db", m_db, "--name", "wsd", "--schedule",
                               m_dir.qpath("wsd.toml"), "--json"});
        QVERIFY2(w.exitCode == 0, qPrintable(w.err));
        QCOMPARE(json(w)["lr_steps"].toInt(), kUpdates);
        QVERIFY(json(w)["warnings"].toArray().isEmpty());
        const auto id = static_cast<std::int64_t>(json(w)["run_id"].toInt());
        const auto store = Store::open(m_db.toStdString());
        const MetricSeries lr = store->metric(id, "lr");
        QCOMPARE(lr.steps.size(), size_t(kUpdates));
        for (int u = 0; u < kUpdates; ++u) {
            QCOMPARE(lr.steps[size_t(u)], std::int64_t(u));
            QVERIFY(rel(lr.values[size_t(u)], m_wsd.lr[size_t(u)]) < 1e-14);
        }
        QCOMPARE(store->metric(id, "train_loss").steps, m_wsd.steps);
        QVERIFY(store->run(id).specToml.find("wsd.toml") != std::string::npos);
    }

    void anLrColumnAloneWarnsThatTheWarmupIsLost() {
        writeCurve(m_dir.path("wsd-lr.csv"), m_wsd, true);
        const auto r = runCli({"import", m_dir.qpath("wsd-lr.csv"), "--db", m_db, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray warnings = json(r)["warnings"].toArray();
        QCOMPARE(warnings.size(), qsizetype(1));
        QVERIFY2(warnings[0].toString().contains("first logged step is 40") &&
                     warnings[0].toString().contains("--schedule"),
                 qPrintable(warnings[0].toString()));
        const auto text = runCli({"import", m_dir.qpath("wsd-lr.csv"), "--db", m_db});
        QVERIFY2(text.err.contains("warning:") && text.err.contains("0..39"), qPrintable(text.err));
        // With the schedule too, the logged LRs are checked against it and nothing is lost.
        const auto both = runCli({"import", m_dir.qpath("wsd-lr.csv"), "--db", m_db, "--schedule",
                                  m_dir.qpath("wsd.toml"), "--json"});
        QVERIFY2(both.exitCode == 0, qPrintable(both.err));
        QVERIFY(json(both)["warnings"].toArray().isEmpty());
        const auto fit = runCli(
            {"fit", "--law", "mpl", "--csv", m_dir.qpath("wsd-lr.csv"), "--db", m_db, "--no-store", "--json"},
            600000);
        QVERIFY2(fit.err.contains("first logged step is 40"), qPrintable(fit.err));
    }

    void sparseImportsFitAndPredict() {
        const auto w = runCli({"import", m_dir.qpath("wsd.csv"), "--db", m_db, "--name", "wsd-fit",
                               "--schedule", m_dir.qpath("wsd.toml"), "--json"});
        const auto l = runCli({"import", m_dir.qpath("linear.csv"), "--db", m_db, "--name", "linear",
                               "--lr-file", m_dir.qpath("linear-lr.csv"), "--json"});
        QVERIFY2(w.exitCode == 0 && l.exitCode == 0, qPrintable(w.err + l.err));
        const QString wsdId = QString::number(json(w)["run_id"].toInt());
        const QString linearId = QString::number(json(l)["run_id"].toInt());
        const auto f =
            runCli({"fit", "--law", "mpl", "--runs", wsdId, "--metric", "train_loss", "--db", m_db, "--json"},
                   600000);
        QVERIFY2(f.exitCode == 0, qPrintable(f.err));
        const QJsonObject params = json(f)["params"].toObject();
        std::vector<double> p;
        for (const char* n : {"L0", "A", "alpha", "B", "C", "beta", "gamma"}) {
            p.push_back(params[n].toDouble());
        }
        // The fit's prediction of the other run, from that run's stored LR, equals a direct sum of the
        // formula at the fitted parameters over the test's own per-step LR.
        const auto pr = runCli({"predict", "--fit", QString::number(json(f)["fit_id"].toInt()), "--run",
                                linearId, "--db", m_db, "--json"});
        QVERIFY2(pr.exitCode == 0, qPrintable(pr.err));
        const QJsonObject j = json(pr);
        QCOMPARE(j["metric"].toString(), QString("train_loss"));
        const QJsonArray curve = j["curve"].toArray();
        QCOMPARE(curve.size(), qsizetype(m_linear.steps.size()));
        const std::vector<double> ref = mplDirect(p, m_linear.lr, firstMaximum(m_linear.lr), m_linear.steps);
        double worst = 0;
        for (qsizetype i = 0; i < curve.size(); ++i) {
            worst = std::max(worst, rel(curve[i].toObject()["predicted"].toDouble(), ref[size_t(i)]));
        }
        QVERIFY2(worst < 1e-9, qPrintable(QString::number(worst)));
        // Curves of the law itself: the prediction of a schedule it was not fitted on is close.
        qInfo("mpl fitted on the sparse WSD curve predicts the linear-decay run: PredE %.3g%%, final %+.3g%%",
              100 * j["pred_e"].toDouble(), 100 * j["final_error"].toDouble());
        QVERIFY2(j["pred_e"].toDouble() < 0.01, qPrintable(QString::number(j["pred_e"].toDouble())));

        // fit --csv with the schedule file fits the same points to the same parameters.
        const auto c = runCli({"fit", "--law", "mpl", "--csv", m_dir.qpath("wsd.csv"), "--schedule",
                               m_dir.qpath("wsd.toml"), "--db", m_db, "--json"},
                              600000);
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
        QVERIFY2(!c.err.contains("warning"), qPrintable(c.err));
        for (const char* n : {"L0", "A", "alpha"}) {
            QVERIFY2(rel(json(c)["params"].toObject()[n].toDouble(), params[n].toDouble()) < 1e-6, n);
        }
        // Its provenance names the schedule file the LR came from.
        const auto e =
            runCli({"fits", QString::number(json(c)["fit_id"].toInt()), "--export", "json", "--db", m_db});
        QVERIFY2(e.exitCode == 0 && e.out.contains("wsd.toml"), qPrintable(e.out + e.err));
    }

    void minStepLeavesTheEarlyTransientOut() {
        // The WSD curve with its first five logged losses (steps 40..200) raised by 30 %, as an early
        // transient the law does not describe: with --min-step 240 the fit sees only the law's points and
        // predicts the linear run as well as on clean data; without it, it does not.
        Curve bent = m_wsd;
        for (size_t i = 0; i < 5; ++i) {
            bent.loss[i] *= 1.3;
        }
        writeCurve(m_dir.path("bent.csv"), bent, false);
        const auto l = runCli({"import", m_dir.qpath("linear.csv"), "--db", m_db, "--name", "linear-ms",
                               "--lr-file", m_dir.qpath("linear-lr.csv"), "--json"});
        QVERIFY2(l.exitCode == 0, qPrintable(l.err));
        const QString linearId = QString::number(json(l)["run_id"].toInt());
        auto predE = [&](const QStringList& extra) {
            const auto f = runCli(QStringList{"fit", "--law", "mpl", "--csv", m_dir.qpath("bent.csv"),
                                              "--schedule", m_dir.qpath("wsd.toml"), "--db", m_db, "--json"} +
                                      extra,
                                  600000);
            if (f.exitCode != 0) {
                qWarning("%s", qPrintable(f.err));
                return std::pair<int, double>{-1, -1.0};
            }
            const auto p =
                runCli({"predict", "--fit", QString::number(json(f)["fit_id"].toInt()), "--run", linearId,
                        "--metric", "train_loss", "--min-step", "240", "--db", m_db, "--json"});
            const QJsonObject j = json(p);
            // Logged steps 240..600: 10 of them, 5 before.
            if (j["n_steps"].toInt() != 10 || j["steps_before_min_step"].toInt() != 5) {
                qWarning("%s", qPrintable(p.out + p.err));
                return std::pair<int, double>{-1, -1.0};
            }
            return std::pair<int, double>{json(f)["n_points"].toInt(), j["pred_e"].toDouble()};
        };
        const auto with = predE({"--min-step", "240"});
        const auto without = predE({});
        qInfo(
            "PredE on steps >= 240 of the linear run: %.3g%% with --min-step 240 (%d points), %.3g%% without "
            "(%d)",
            100 * with.second, with.first, 100 * without.second, without.first);
        QVERIFY(with.second >= 0 && without.second >= 0);
        QCOMPARE(with.first, 15);  // every point is counted; the early ones with weight 0
        QVERIFY2(with.second < 0.002, qPrintable(QString::number(with.second)));
        QVERIFY2(without.second > 3 * with.second, qPrintable(QString::number(without.second)));
        // --min-step past the run's last logged step, and on a law of points.
        const auto late =
            runCli({"predict", "--fit", "1", "--run", linearId, "--min-step", "5000", "--db", m_db});
        QCOMPARE(late.exitCode, 1);
        QVERIFY2(late.err.contains("--min-step") && late.err.contains("600"), qPrintable(late.err));
        std::ofstream(m_dir.path("pts.csv")) << "x,loss\n1,3\n2,2.8\n4,2.7\n8,2.65\n16,2.62\n";
        const auto pts = runCli({"fit", "--law", "power", "--csv", m_dir.qpath("pts.csv"), "--x-col", "x",
                                 "--min-step", "3", "--db", m_db});
        QCOMPARE(pts.exitCode, 1);
        QVERIFY2(pts.err.contains("--min-step") && pts.err.contains("lr_annealing | mpl"),
                 qPrintable(pts.err));
    }

    void badLrSourcesAreErrorsAndStoreNothing() {
        const std::size_t before = runCount();
        // A curve that logs past the schedule's last update.
        Curve longer = generate(kWsd);
        longer.steps.push_back(640);
        longer.loss.push_back(longer.loss.back());
        writeCurve(m_dir.path("longer.csv"), longer, false);
        auto r = runCli(
            {"import", m_dir.qpath("longer.csv"), "--db", m_db, "--schedule", m_dir.qpath("wsd.toml")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("longer.csv:17") && r.err.contains("601 updates"), qPrintable(r.err));
        r = runCli({"fit", "--law", "mpl", "--csv", m_dir.qpath("longer.csv"), "--schedule",
                    m_dir.qpath("wsd.toml"), "--db", m_db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("longer.csv:17"), qPrintable(r.err));
        // A logged LR that disagrees with the schedule (twice the LR): the first row is named.
        writeCurve(m_dir.path("twice.csv"), m_wsd, true, 2.0);
        r = runCli({"import", m_dir.qpath("twice.csv"), "--db", m_db, "--schedule", m_dir.qpath("wsd.toml")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("twice.csv:2") && r.err.contains("column 'lr'"), qPrintable(r.err));
        // An LR file with a missing step, and one with a negative LR.
        std::vector<double> lr = m_linear.lr;
        std::ofstream gap(m_dir.path("gap-lr.csv"));
        gap << "step,lr\n";
        for (size_t u = 0; u < lr.size(); ++u) {
            if (u != 100) {
                gap << u << "," << number(lr[u]) << "\n";
            }
        }
        gap.close();
        r = runCli(
            {"import", m_dir.qpath("linear.csv"), "--db", m_db, "--lr-file", m_dir.qpath("gap-lr.csv")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("gap-lr.csv:102") && r.err.contains("step 100 is missing"),
                 qPrintable(r.err));
        lr[7] = -lr[7];
        writeLrFile(m_dir.path("neg-lr.csv"), lr);
        r = runCli({"fit", "--law", "mpl", "--csv", m_dir.qpath("linear.csv"), "--lr-file",
                    m_dir.qpath("neg-lr.csv"), "--db", m_db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("neg-lr.csv:9") && r.err.contains(">= 0"), qPrintable(r.err));
        // --schedule with --runs: runs carry their own LR.
        r = runCli(
            {"fit", "--law", "mpl", "--runs", "1", "--schedule", m_dir.qpath("wsd.toml"), "--db", m_db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--csv"), qPrintable(r.err));
        // Fewer points than the law has parameters.
        std::ofstream(m_dir.path("three.csv")) << "step,loss\n40,3.1\n80,3.0\n120,2.95\n";
        r = runCli({"fit", "--law", "mpl", "--csv", m_dir.qpath("three.csv"), "--schedule",
                    m_dir.qpath("wsd.toml"), "--db", m_db});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("3 points") && r.err.contains("7 parameters"), qPrintable(r.err));
        QCOMPARE(runCount(), before);
    }
};

QTEST_GUILESS_MAIN(TestSparseCurves)
#include "test_sparse_curves.moc"
