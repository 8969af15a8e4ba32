// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli predict --fit F --run R: a curve-law fit (lr_annealing, mpl) predicts another run's logged
// loss from that run's own LR sequence, with PredE, WorstE and the final-loss error of Luo et al. The
// runs are imported curves whose losses this test generates from known lr_annealing parameters with the
// closed form of METHODS 2 (test_fit_support.h), or from the published 400M mpl parameters with a direct
// sum of the MPL formula (curve_law_reference.h), times a fixed ripple; the errors are recomputed here from
// the observed losses and a prediction computed independently of the library (the closed form for
// lr_annealing, a direct sum of the MPL formula for mpl) at the fitted parameters the CLI reports.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "curve_law_reference.h"
#include "process.h"
#include "temp_paths.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::test;

namespace {

constexpr double kPeak = 1e-3;
constexpr int kUpdates = 401;  // updates 0..400
constexpr int kWarmup = 20;
constexpr int kEvery = 5;  // losses logged every 5 updates: every knot of the schedules is logged
// lr_annealing truth: L0, A, alpha, C, lambda.
const std::vector<double> kTruth = {1.5, 0.6, 0.45, 2.0, 0.999};

// mpl truth: METHODS 8.8, 400M (thu-yao-01-luo/MultiPowerLaw), fitted there with a peak LR of 3e-4.
const std::vector<double> k400M = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                   2.02462735, 0.59350493, 0.63472457};
constexpr double kMplPeak = 3e-4;

/// Warmup, constant to update 100, then linear to 0.1 of the peak at the last update.
std::vector<double> linearSchedule(double peak) {
    std::vector<double> lr = fittest::constantSchedule(peak, kUpdates, kWarmup);
    for (int u = 100; u < kUpdates; ++u) {
        lr[static_cast<size_t>(u)] = peak * (1.0 - 0.9 * (u - 100) / double(kUpdates - 1 - 100));
    }
    return lr;
}

struct Generated {
    std::vector<double> lr;
    std::vector<std::int64_t> steps;
    std::vector<double> val, train;
};

/// A law's curve (lr_annealing with kTruth, or mpl with k400M) at the logged steps with a ripple of
/// +-0.4 % (so the errors are not ~0), as val_loss and (1 % higher) train_loss.
Generated generate(const std::vector<double>& lr, bool mpl) {
    Generated g;
    g.lr = lr;
    const std::vector<double> law =
        mpl ? std::vector<double>{}
            : fittest::annealingLawClosedForm(lr, kTruth[0], kTruth[1], kTruth[2], kTruth[3], kTruth[4]);
    for (int u = 0; u < kUpdates; u += kEvery) {
        g.steps.push_back(u);
        const double clean =
            mpl ? test::mplDirect(k400M, lr, test::firstMaximum(lr), u) : law[static_cast<size_t>(u)];
        g.val.push_back(clean * (1.0 - 0.004 * std::sin(0.7 * u)));
        g.train.push_back(g.val.back() * 1.01);
    }
    return g;
}

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

void writeCurve(const std::string& path, const Generated& g, bool withVal) {
    std::ofstream f(path);
    f << "step,loss,lr" << (withVal ? ",val_loss" : "") << "\n";
    for (size_t i = 0; i < g.steps.size(); ++i) {
        f << g.steps[i] << "," << number(g.train[i]) << "," << number(g.lr[static_cast<size_t>(g.steps[i])]);
        if (withVal) {
            f << "," << number(g.val[i]);
        }
        f << "\n";
    }
}

struct Errors {
    double predE = 0, worstE = 0, final = 0;
};

Errors errorsOf(const std::vector<double>& observed, const std::vector<double>& predicted) {
    Errors e;
    for (size_t i = 0; i < observed.size(); ++i) {
        const double rel = std::abs(predicted[i] - observed[i]) / observed[i];
        e.predE += rel / static_cast<double>(observed.size());
        e.worstE = std::max(e.worstE, rel);
    }
    e.final = (predicted.back() - observed.back()) / observed.back();
    return e;
}

double rel(double a, double b) { return std::abs(a - b) / std::abs(b); }

std::vector<double> paramsOf(const QJsonObject& fit, const std::vector<const char*>& names) {
    std::vector<double> out;
    for (const char* n : names) {
        out.push_back(fit["params"].toObject()[n].toDouble());
    }
    return out;
}

/// The lr_annealing fit's prediction of run `g` at its logged steps, by the closed form of the test
/// support (independent of the library's recurrence).
std::vector<double> annealingReference(const QJsonObject& fit, const Generated& g) {
    const std::vector<double> p = paramsOf(fit, {"L0", "A", "alpha", "C", "lambda"});
    const std::vector<double> all = fittest::annealingLawClosedForm(g.lr, p[0], p[1], p[2], p[3], p[4]);
    std::vector<double> reference;
    for (std::int64_t s : g.steps) {
        reference.push_back(all[static_cast<size_t>(s)]);
    }
    return reference;
}

}  // namespace

class TestCliPredictRun : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_db;
    Generated m_wsd, m_linear, m_mplWsd, m_mplLinear;
    QString m_wsdId, m_linearId, m_noValId, m_mplWsdId, m_mplLinearId;

    QString import(const Generated& g, const char* name, bool withVal) {
        const std::string file = m_dir.path(std::string(name) + ".csv");
        writeCurve(file, g, withVal);
        const auto r =
            runCli({"import", QString::fromStdString(file), "--db", m_db, "--name", name, "--json"});
        if (r.exitCode != 0) {
            qWarning("%s", qPrintable(r.err));
            return {};
        }
        return QString::number(QJsonDocument::fromJson(r.out.toUtf8()).object()["run_id"].toInt());
    }

    QJsonObject fitOn(const QString& law, const QString& runId, const QStringList& extra = {}) {
        const auto f =
            runCli(QStringList{"fit", "--law", law, "--runs", runId, "--db", m_db, "--json"} + extra, 600000);
        if (f.exitCode != 0) {
            qWarning("%s", qPrintable(f.err));
        }
        return QJsonDocument::fromJson(f.out.toUtf8()).object();
    }

    // Predicts run `runId` (generated as `target`) with the fit and checks every number of the JSON against
    // `reference` (the prediction at the logged steps, computed independently), the CSV and the text.
    void checkPrediction(const QJsonObject& fit, const QString& runId, const Generated& target,
                         const std::vector<double>& reference, const char* metric,
                         const std::vector<double>& observed) {
        const QString fitId = QString::number(fit["fit_id"].toInt());
        const auto p = runCli({"predict", "--fit", fitId, "--run", runId, "--db", m_db, "--json"});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        const QJsonObject j = QJsonDocument::fromJson(p.out.toUtf8()).object();
        QCOMPARE(j["metric"].toString(), QString(metric));
        QCOMPARE(QString::number(j["run_id"].toInt()), runId);
        const QJsonArray curve = j["curve"].toArray();
        QCOMPARE(curve.size(), qsizetype(target.steps.size()));
        QCOMPARE(j["n_steps"].toInt(), int(target.steps.size()));
        double worstRow = 0;
        for (qsizetype i = 0; i < curve.size(); ++i) {
            const QJsonObject row = curve[i].toObject();
            QCOMPARE(row["step"].toInteger(), target.steps[static_cast<size_t>(i)]);
            QCOMPARE(row["observed"].toDouble(), observed[static_cast<size_t>(i)]);
            worstRow =
                std::max(worstRow, rel(row["predicted"].toDouble(), reference[static_cast<size_t>(i)]));
        }
        const Errors e = errorsOf(observed, reference);
        const double errorDiff =
            std::max({rel(j["pred_e"].toDouble(), e.predE), rel(j["worst_e"].toDouble(), e.worstE),
                      rel(j["final_error"].toDouble(), e.final)});
        qInfo("%s on %s: PredE %.6g WorstE %.6g final %+.6g; CLI's differ by %.3g relative; rows by %.3g",
              qPrintable(fit["law"].toString()), metric, e.predE, e.worstE, e.final, errorDiff, worstRow);
        QVERIFY2(worstRow < 1e-9, qPrintable(QString::number(worstRow)));
        QVERIFY2(e.predE > 1e-4, "the ripple makes the errors measurable");
        QVERIFY2(rel(j["pred_e"].toDouble(), e.predE) < 1e-9,
                 qPrintable(QString::number(j["pred_e"].toDouble())));
        QVERIFY2(rel(j["worst_e"].toDouble(), e.worstE) < 1e-9,
                 qPrintable(QString::number(j["worst_e"].toDouble())));
        QVERIFY2(rel(j["final_error"].toDouble(), e.final) < 1e-9,
                 qPrintable(QString::number(j["final_error"].toDouble())));
        QCOMPARE(j["final_step"].toInteger(), target.steps.back());

        // --format csv: step,observed,predicted, one row per logged step.
        const auto c = runCli({"predict", "--fit", fitId, "--run", runId, "--db", m_db, "--format", "csv"});
        QVERIFY2(c.exitCode == 0, qPrintable(c.err));
        const QStringList lines = c.out.trimmed().split('\n');
        QCOMPARE(lines.first(), QString("step,observed,predicted"));
        QCOMPARE(lines.size(), qsizetype(target.steps.size() + 1));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList cells = lines[i].split(',');
            QCOMPARE(cells.size(), qsizetype(3));
            QCOMPARE(cells[0].toLongLong(), target.steps[static_cast<size_t>(i - 1)]);
            QCOMPARE(cells[1].toDouble(), observed[static_cast<size_t>(i - 1)]);
            QVERIFY(rel(cells[2].toDouble(), reference[static_cast<size_t>(i - 1)]) < 1e-9);
        }

        // Text: the three numbers, in percent.
        const auto t = runCli({"predict", "--fit", fitId, "--run", runId, "--db", m_db});
        QVERIFY2(t.exitCode == 0, qPrintable(t.err));
        QVERIFY2(t.out.contains("PredE") && t.out.contains("WorstE") && t.out.contains("final loss"),
                 qPrintable(t.out));
        QVERIFY2(t.out.contains(QString::number(100 * e.predE, 'g', 4) + "%"), qPrintable(t.out));
    }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        m_db = m_dir.qpath("predict.db");
        m_wsd = generate(fittest::wsdSchedule(kPeak, kUpdates, kWarmup, 100), false);
        m_linear = generate(linearSchedule(kPeak), false);
        m_mplWsd = generate(fittest::wsdSchedule(kMplPeak, kUpdates, kWarmup, 100), true);
        m_mplLinear = generate(linearSchedule(kMplPeak), true);
        m_wsdId = import(m_wsd, "wsd", true);
        m_linearId = import(m_linear, "linear", true);
        m_noValId = import(m_linear, "no-val", false);
        m_mplWsdId = import(m_mplWsd, "mpl-wsd", true);
        m_mplLinearId = import(m_mplLinear, "mpl-linear", true);
        QVERIFY(!m_wsdId.isEmpty() && !m_linearId.isEmpty() && !m_noValId.isEmpty());
        QVERIFY(!m_mplWsdId.isEmpty() && !m_mplLinearId.isEmpty());
    }

    void lrAnnealingFitPredictsAnotherRun() {
        const QJsonObject fit = fitOn("lr_annealing", m_wsdId);
        QCOMPARE(fit["law"].toString(), QString("lr_annealing"));
        const std::vector<double> reference = annealingReference(fit, m_linear);
        checkPrediction(fit, m_linearId, m_linear, reference, "val_loss", m_linear.val);
    }

    void mplFitPredictsAnotherRun() {
        // Curves of the law itself: a fit on lr_annealing curves drove B to 4e9 and C to 3e-13, where the
        // library's B (sum of drops - sum of drops x (1 + C x)^-beta) cancels to ~2e-8 relative.
        const QJsonObject fit = fitOn("mpl", m_mplWsdId);
        QCOMPARE(fit["law"].toString(), QString("mpl"));
        const std::vector<double> p = paramsOf(fit, {"L0", "A", "alpha", "B", "C", "beta", "gamma"});
        // An imported run has no configured warmup: W is the first maximum of its LR (mpl.h).
        const std::vector<double> reference =
            mplDirect(p, m_mplLinear.lr, firstMaximum(m_mplLinear.lr), m_mplLinear.steps);
        checkPrediction(fit, m_mplLinearId, m_mplLinear, reference, "val_loss", m_mplLinear.val);
    }

    void theFitsMetricIsTheDefault() {
        // Fitted on train_loss: the prediction compares train_loss unless --metric says otherwise.
        const QJsonObject fit = fitOn("lr_annealing", m_wsdId, {"--metric", "train_loss"});
        const std::vector<double> reference = annealingReference(fit, m_linear);
        checkPrediction(fit, m_linearId, m_linear, reference, "train_loss", m_linear.train);
        const auto v = runCli({"predict", "--fit", QString::number(fit["fit_id"].toInt()), "--run",
                               m_linearId, "--db", m_db, "--metric", "val_loss", "--json"});
        QVERIFY2(v.exitCode == 0, qPrintable(v.err));
        QCOMPARE(QJsonDocument::fromJson(v.out.toUtf8()).object()["metric"].toString(), QString("val_loss"));
    }

    void errorsNameTheFlagAndTheAllowedValues() {
        const QString curveFit = QString::number(fitOn("lr_annealing", m_wsdId)["fit_id"].toInt());
        // A fit that is not a curve law.
        const QString points = m_dir.qpath("points.csv");
        std::ofstream(points.toStdString()) << "x,loss\n1e6,3.1\n2e6,2.9\n4e6,2.75\n8e6,2.64\n1.6e7,2.56\n";
        const auto pf =
            runCli({"fit", "--law", "power", "--csv", points, "--x-col", "x", "--db", m_db, "--json"});
        QVERIFY2(pf.exitCode == 0, qPrintable(pf.err));
        const QString powerFit =
            QString::number(QJsonDocument::fromJson(pf.out.toUtf8()).object()["fit_id"].toInt());
        const auto notCurve = runCli({"predict", "--fit", powerFit, "--run", m_linearId, "--db", m_db});
        QCOMPARE(notCurve.exitCode, 1);
        QVERIFY2(notCurve.err.contains("--fit") && notCurve.err.contains("lr_annealing | mpl"),
                 qPrintable(notCurve.err));
        // A run that does not exist: the allowed values are the database's run ids.
        const auto missing = runCli({"predict", "--fit", curveFit, "--run", "999", "--db", m_db});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("--run") && missing.err.contains("999"), qPrintable(missing.err));
        QVERIFY2(missing.err.contains(m_wsdId + " | " + m_linearId + " | " + m_noValId + " | " + m_mplWsdId),
                 qPrintable(missing.err));
        // A run without the fit's metric (val_loss): the allowed values are the run's metrics.
        const auto noMetric = runCli({"predict", "--fit", curveFit, "--run", m_noValId, "--db", m_db});
        QCOMPARE(noMetric.exitCode, 1);
        QVERIFY2(noMetric.err.contains("--metric") && noMetric.err.contains("val_loss") &&
                     noMetric.err.contains("train_loss"),
                 qPrintable(noMetric.err));
        // --run and --schedule exclude each other (a usage error).
        const auto both =
            runCli({"predict", "--fit", curveFit, "--run", m_linearId, "--schedule", points, "--db", m_db});
        QCOMPARE(both.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliPredictRun)
#include "test_cli_predict_run.moc"
