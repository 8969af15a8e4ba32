// SPDX-License-Identifier: GPL-3.0-or-later
// The Multi-Power Law (Luo et al., METHODS 2): predictions against a direct NumPy sum of the METHODS
// formula (tests/tools/mpl_reference.py, run with /usr/bin/python3), the fast evaluator against the direct
// one, the analytic gradient against central differences, refitting curves generated from parameters
// drawn here, and `anneal-cli fit --law mpl` with its Python export.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <fstream>
#include <random>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/mpl.h"
#include "anneal/fit/schedule_optimizer.h"
#include "fit_result.h"
#include "process.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
constexpr double kPeak = 3e-4;
// METHODS 8.8, 400M (thu-yao-01-luo/MultiPowerLaw, src/config.py): L0, A, alpha, B, C, beta, gamma.
const std::vector<double> k400M = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                   2.02462735, 0.59350493, 0.63472457};
const char* kNames[] = {"L0", "A", "alpha", "B", "C", "beta", "gamma"};

// Parameters around the published ones, drawn from the seed.
std::vector<double> drawParams(std::mt19937_64& rng) {
    auto u = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
    return {u(2.0, 3.5), u(0.4, 0.8), u(0.35, 0.6), u(250.0, 700.0), u(1.0, 4.0), u(0.4, 0.8), u(0.45, 0.7)};
}

// Warmup, constant, then x0.3 at 50% and x0.1 at 80% of the run (a step schedule).
std::vector<double> stepSchedule(double peak, int total, int warmup) {
    std::vector<double> lr = fittest::constantSchedule(peak, total, warmup);
    for (int u = total / 2; u < total; ++u) {
        lr[static_cast<size_t>(u)] = peak * (u < total * 4 / 5 ? 0.3 : 0.1);
    }
    return lr;
}

struct Case {
    std::string name;
    std::vector<double> lr;
    int64_t warmup;
    std::vector<double> params;
    std::vector<int64_t> steps;
    bool precise = false;  ///< the reference computes G with mpmath (C eta^-gamma overflows a double)
};

QJsonArray toJson(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v) {
        a.append(x);
    }
    return a;
}

QJsonArray toJson(const std::vector<int64_t>& v) {
    QJsonArray a;
    for (int64_t x : v) {
        a.append(static_cast<qint64>(x));
    }
    return a;
}

void writeText(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

// Runs mpl_reference.py on the cases; the loss of case c at its step i is out[c][i].
std::vector<std::vector<double>> numpyReference(const std::vector<Case>& cases) {
    test::TempDir dir;
    QJsonArray arr;
    for (const Case& c : cases) {
        arr.append(QJsonObject{{"lr", toJson(c.lr)},
                               {"warmup", static_cast<qint64>(c.warmup)},
                               {"params", toJson(c.params)},
                               {"steps", toJson(c.steps)},
                               {"precise", c.precise}});
    }
    writeText(dir.path("cases.json"), QJsonDocument(arr).toJson(QJsonDocument::Compact).toStdString());
    const auto r = test::runProcess(
        kPython, {QString::fromStdString(test::sourceFile("tests/tools/mpl_reference.py")), dir.qpath()},
        600000);
    if (r.exitCode != 0) {
        qWarning("%s", qPrintable(r.err));
        return {};
    }
    QFile f(dir.qpath("out.json"));
    f.open(QIODevice::ReadOnly);
    std::vector<std::vector<double>> out;
    for (const auto& row : QJsonDocument::fromJson(f.readAll()).object()["loss"].toArray()) {
        out.emplace_back();
        for (const auto& v : row.toArray()) {
            out.back().push_back(v.toDouble());
        }
    }
    return out;
}

bool pythonHasNumpy() { return test::runProcess(kPython, {"-c", "import numpy"}).exitCode == 0; }

double relErr(double a, double b) { return std::fabs(a - b) / std::fabs(b); }

}  // namespace

class TestFitMpl : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        if (!pythonHasNumpy()) {
            QSKIP("/usr/bin/python3 cannot import numpy (install python3-numpy)");
        }
    }
    void matchesNumpyDirectSum();
    void fastEqualsDirect();
    void gradientMatchesDifferences();
    void warmupAndConventions();
    void invalid();
    void roundTrip();
    void cliFitAndPythonExport();
    void degenerateParametersStayExact();
};

// Three schedules (cosine with warmup, WSD decaying to 0, step) with the published 400M parameters and
// with drawn ones; both evaluators against the NumPy sum to 1e-9 relative.
void TestFitMpl::matchesNumpyDirectSum() {
    std::mt19937_64 rng(2025);
    const int total = 2000, warmup = 150;
    const std::vector<std::pair<std::string, std::vector<double>>> schedules = {
        {"cosine", fittest::cosineSchedule(kPeak, total, warmup, 0.1)},
        {"wsd", fittest::wsdSchedule(kPeak, total, warmup, 400)},
        {"step", stepSchedule(kPeak, total, warmup)}};
    std::vector<int64_t> steps = {0, 1, 50, 149, 150, 151};
    for (int64_t u = 200; u < total - 1; u += 53) {
        steps.push_back(u);
    }
    steps.push_back(total - 1);
    std::vector<Case> cases;
    for (const auto& [name, lr] : schedules) {
        cases.push_back({name + " 400M", lr, warmup, k400M, steps});
        cases.push_back({name + " drawn", lr, warmup, drawParams(rng), steps});
    }
    const auto ref = numpyReference(cases);
    QCOMPARE(ref.size(), cases.size());
    double worst = 0.0;
    for (size_t c = 0; c < cases.size(); ++c) {
        for (MplMethod m : {MplMethod::Direct, MplMethod::Fast}) {
            const auto got =
                mplEvaluate(cases[c].params, cases[c].lr, cases[c].steps, cases[c].warmup, false, m).loss;
            QCOMPARE(got.size(), ref[c].size());
            for (size_t i = 0; i < got.size(); ++i) {
                const double e = relErr(got[i], ref[c][i]);
                worst = std::max(worst, e);
                QVERIFY2(e < 1e-9, qPrintable(QString("%1 %2 step %3: %4 vs numpy %5")
                                                  .arg(QString::fromStdString(cases[c].name))
                                                  .arg(m == MplMethod::Direct ? "direct" : "fast")
                                                  .arg(cases[c].steps[i])
                                                  .arg(got[i], 0, 'g', 17)
                                                  .arg(ref[c][i], 0, 'g', 17)));
            }
        }
    }
    qInfo("worst relative difference to the NumPy direct sum: %.3g", worst);
}

// A long cosine and a schedule with re-warming (negative drops) and LR 0: loss and gradient of the fast
// evaluator equal the direct sum's.
void TestFitMpl::fastEqualsDirect() {
    std::mt19937_64 rng(7);
    std::vector<double> rewarm = fittest::wsdSchedule(kPeak, 12000, 300, 3000);
    for (int u = 5000; u < 6000; ++u) {
        rewarm[static_cast<size_t>(u)] = kPeak * (0.5 + 0.5 * std::sin(u * 0.01));
    }
    for (int u = 7000; u < 7100; ++u) {
        rewarm[static_cast<size_t>(u)] = 0.0;
    }
    const std::vector<std::vector<double>> schedules = {fittest::cosineSchedule(kPeak, 30000, 500, 0.01),
                                                        rewarm};
    double worstLoss = 0.0, worstGrad = 0.0;
    for (const auto& lr : schedules) {
        std::vector<int64_t> steps;
        std::uniform_int_distribution<int64_t> pick(0, static_cast<int64_t>(lr.size()) - 1);
        for (int i = 0; i < 300; ++i) {
            steps.push_back(pick(rng));
        }
        std::sort(steps.begin(), steps.end());
        steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
        for (int draw = 0; draw < 3; ++draw) {
            const auto p = draw == 0 ? k400M : drawParams(rng);
            const auto d = mplEvaluate(p, lr, steps, -1, true, MplMethod::Direct);
            const auto f = mplEvaluate(p, lr, steps, -1, true, MplMethod::Fast);
            for (size_t i = 0; i < steps.size(); ++i) {
                worstLoss = std::max(worstLoss, relErr(f.loss[i], d.loss[i]));
                for (size_t j = 0; j < 7; ++j) {
                    const double g = d.gradient[7 * i + j];
                    worstGrad =
                        std::max(worstGrad, std::fabs(f.gradient[7 * i + j] - g) / (std::fabs(g) + 1e-9));
                }
            }
        }
    }
    qInfo("fast vs direct: worst relative difference %.3g (loss), %.3g (gradient)", worstLoss, worstGrad);
    QVERIFY(worstLoss < 1e-11);
    QVERIFY(worstGrad < 1e-8);
}

// d L / d p (direct and fast) against central differences of the direct sum at drawn parameters.
void TestFitMpl::gradientMatchesDifferences() {
    std::mt19937_64 rng(99);
    const auto lr = fittest::cosineSchedule(kPeak, 1500, 100, 0.05);
    const std::vector<int64_t> steps = {40, 100, 101, 400, 1100, 1499};
    double worst = 0.0;
    for (int draw = 0; draw < 5; ++draw) {
        const auto p = drawParams(rng);
        for (MplMethod m : {MplMethod::Direct, MplMethod::Fast}) {
            const auto g = mplEvaluate(p, lr, steps, -1, true, m).gradient;
            for (size_t j = 0; j < 7; ++j) {
                const double h = 1e-6 * std::fabs(p[j]);
                auto up = p, dn = p;
                up[j] += h;
                dn[j] -= h;
                const auto lu = mplEvaluate(up, lr, steps, -1, false, MplMethod::Direct).loss;
                const auto ld = mplEvaluate(dn, lr, steps, -1, false, MplMethod::Direct).loss;
                for (size_t i = 0; i < steps.size(); ++i) {
                    const double fd = (lu[i] - ld[i]) / (2 * h), an = g[7 * i + j];
                    if (fd == 0.0 && an == 0.0) {
                        continue;  // annealing parameters during warmup
                    }
                    // 1e-6 relative, or the rounding of the difference quotient (~eps L / h) when that is
                    // larger (d L / d B right after the first drop is ~1e-11).
                    const double noise = 1e-14 * std::fabs(lu[i]) / h;
                    const double e = std::fabs(an - fd) / std::fabs(fd);
                    if (noise < 1e-7 * std::fabs(fd)) {
                        worst = std::max(worst, e);
                    }
                    QVERIFY2(std::fabs(an - fd) <= 1e-6 * std::fabs(fd) + noise,
                             qPrintable(QString("%1 at step %2: %3 vs %4")
                                            .arg(kNames[j])
                                            .arg(steps[i])
                                            .arg(an, 0, 'g', 12)
                                            .arg(fd, 0, 'g', 12)));
                }
            }
        }
    }
    qInfo("worst relative difference of the analytic gradient to central differences: %.3g", worst);
}

// Warmup: L0 + A (LR sum)^-alpha before W, S_W inside the power after it; no drop at the peak.
void TestFitMpl::warmupAndConventions() {
    const int warmup = 50;
    const auto lr = fittest::cosineSchedule(kPeak, 400, warmup, 0.1);
    const auto& p = k400M;
    const auto L = mplCurve(p, lr);
    double sum = 0.0;
    for (int u = 0; u <= warmup; ++u) {
        sum += lr[static_cast<size_t>(u)];
        // Before the first drop (the peak update W included) the law is the power term alone.
        QVERIFY(std::fabs(L[static_cast<size_t>(u)] - (p[0] + p[1] * std::pow(sum, -p[2]))) < 1e-14);
    }
    // One update after the peak: LD = B (eta_W - eta_{W+1}) (1 - (C eta^-gamma eta + 1)^-beta).
    const double e1 = lr[warmup + 1], total = sum + e1;
    const double expected = p[0] + p[1] * std::pow(total, -p[2]) -
                            p[3] * (kPeak - e1) * (1 - std::pow(p[4] * std::pow(e1, -p[6]) * e1 + 1, -p[5]));
    QVERIFY(std::fabs(L[warmup + 1] - expected) < 1e-14);
    // A loss with no LR seen yet is NaN.
    std::vector<double> zeroStart = lr;
    zeroStart[0] = 0.0;
    QVERIFY(std::isnan(mplCurve(p, zeroStart)[0]));
}

void TestFitMpl::invalid() {
    const auto lr = fittest::constantSchedule(kPeak, 100, 10);
    QVERIFY_THROWS_EXCEPTION(Error, mplEvaluate({1.0, 2.0}, lr, {5}));
    QVERIFY_THROWS_EXCEPTION(Error, mplEvaluate(k400M, lr, {5, 5}));
    QVERIFY_THROWS_EXCEPTION(Error, mplEvaluate(k400M, lr, {100}));
    QVERIFY_THROWS_EXCEPTION(Error, mplEvaluate(k400M, {1e-3, -1e-3}, {1}));
    QVERIFY_THROWS_EXCEPTION(Error, mplEvaluate(k400M, lr, {5}, 100));
    Point at;
    QVERIFY_THROWS_EXCEPTION(Error, lawByName("mpl").evaluate(k400M, at));
    QVERIFY(isCurveLaw("mpl") && isCurveLaw("lr_annealing") && !isCurveLaw("chinchilla"));
}

// Curves generated from drawn parameters (constant, cosine and WSD, 200 warmup updates, a loss every 50
// updates) are refitted to 1% on every parameter, and the fit predicts a step schedule it never saw
// to 0.1%.
void TestFitMpl::roundTrip() {
    std::mt19937_64 rng(314);
    const auto truth = drawParams(rng);
    const int total = 3000, warmup = 200, every = 50;
    auto sampled = [&](const std::string& name, const std::vector<double>& lr) {
        fit::Curve c;
        c.name = name;
        c.lr = lr;
        for (int64_t u = every - 1; u < total; u += every) {
            c.steps.push_back(u);
        }
        c.losses = mplEvaluate(truth, lr, c.steps, warmup, false, MplMethod::Direct).loss;
        return c;
    };
    FitInput in;
    in.curves = {sampled("constant", fittest::constantSchedule(kPeak, total, warmup)),
                 sampled("cosine", fittest::cosineSchedule(kPeak, total, warmup, 0.1)),
                 sampled("wsd", fittest::wsdSchedule(kPeak, total, warmup, 600))};
    FitOptions opt;
    opt.law = "mpl";
    opt.threads = 2;
    const FitResult r = fitLaw(in, opt);
    QString line;
    for (size_t j = 0; j < 7; ++j) {
        line +=
            QString(" %1 %2 (%3)").arg(kNames[j]).arg(r.params[j].value, 0, 'g', 6).arg(truth[j], 0, 'g', 6);
    }
    qInfo("fit in %.1f s, %zu/%zu starts converged, objective %.3g:%s", r.seconds, r.startsConverged,
          r.startsTotal, r.objective, qPrintable(line));
    double worstParam = 0.0;
    for (size_t j = 0; j < 7; ++j) {
        const double e = relErr(r.params[j].value, truth[j]);
        worstParam = std::max(worstParam, e);
        QVERIFY2(e < 0.01, kNames[j]);
    }
    const auto step = stepSchedule(kPeak, total, warmup);
    const auto pred = predictCurve(r, step, warmup);
    const auto want = mplCurve(truth, step, warmup, MplMethod::Direct);
    double worst = 0.0;
    for (size_t u = 0; u < step.size(); ++u) {
        worst = std::max(worst, relErr(pred[u], want[u]));
    }
    qInfo("worst parameter error %.3g; step schedule (not fitted): worst relative error %.3g", worstParam,
          worst);
    QVERIFY(worst < 1e-3);
}

// anneal-cli fit --law mpl on a CSV of two curves (LR at every 10th update, piecewise linear between
// them), then the exported Python function against the stored fit's predictions and `predict`.
void TestFitMpl::cliFitAndPythonExport() {
    test::TempDir dir;
    const int total = 1200, warmup = 100;
    const std::vector<double> truth = {2.6, 0.6, 0.45, 440.0, 2.1, 0.6, 0.65};
    // WSD decaying linearly from update 900 (the peak) to 1199 (10% of it): knots on logged updates.
    std::vector<double> wsd = fittest::constantSchedule(kPeak, total, warmup);
    for (int u = 900; u < total; ++u) {
        wsd[static_cast<size_t>(u)] = kPeak * (1.0 - 0.9 * (u - 900) / 299.0);
    }
    std::vector<std::pair<std::string, std::vector<double>>> curves = {
        {"constant", fittest::constantSchedule(kPeak, total, warmup)}, {"wsd", wsd}};
    std::string csv = "curve,step,lr,loss\n";
    std::vector<int64_t> steps;
    for (int64_t u = 0; u < total; u += 10) {
        steps.push_back(u);
    }
    steps.push_back(total - 1);
    for (const auto& [name, lr] : curves) {
        const auto loss = mplEvaluate(truth, lr, steps, warmup, false, MplMethod::Direct).loss;
        for (size_t i = 0; i < steps.size(); ++i) {
            csv += name + "," + std::to_string(steps[i]) + "," +
                   QString::number(lr[static_cast<size_t>(steps[i])], 'g', 17).toStdString() + "," +
                   QString::number(loss[i], 'g', 17).toStdString() + "\n";
        }
    }
    writeText(dir.path("curves.csv"), csv);
    const QString db = dir.qpath("fit.db");
    const auto f = test::runCli({"fit", "--law", "mpl", "--csv", dir.qpath("curves.csv"), "--group-col",
                                 "curve", "--db", db, "--json"});
    QVERIFY2(f.exitCode == 0, qPrintable(f.err));
    const QJsonObject j = QJsonDocument::fromJson(f.out.toUtf8()).object();
    const QJsonObject p = j["params"].toObject();
    for (size_t k = 0; k < 7; ++k) {
        QVERIFY2(p.contains(kNames[k]), kNames[k]);
        QVERIFY2(relErr(p[kNames[k]].toDouble(), truth[k]) < 0.01, kNames[k]);
    }
    const QString id = QString::number(j["fit_id"].toInt());
    QCOMPARE(
        test::runCli({"fits", id, "--db", db, "--export", "python", "--out", dir.qpath("law.py")}).exitCode,
        0);
    const auto points = test::runCli({"fits", id, "--db", db, "--export", "csv"});
    QVERIFY2(points.exitCode == 0, qPrintable(points.err));
    const auto tex = test::runCli({"fits", id, "--db", db, "--export", "latex"});
    QVERIFY(tex.out.contains("\\gamma") && tex.out.contains("S_W"));
    const auto pred =
        test::runCli({"predict", "--fit", id, "--db", db, "--schedule",
                      QString::fromStdString(test::sourceFile("resources/experiments/wsd-stable.toml"))});
    QVERIFY2(pred.exitCode == 0, qPrintable(pred.err));
    // Python: law(lr, steps) for both fitted curves (rows of the CSV export) and for the predicted schedule.
    QJsonArray lrs;
    for (const auto& c : curves) {
        lrs.append(toJson(c.second));
    }
    QJsonArray predLr;
    std::vector<double> predLoss;
    const QStringList lines = pred.out.trimmed().split('\n');
    QCOMPARE(lines[0], QString("step,lr,loss"));
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList cells = lines[i].split(',');
        predLr.append(cells[1].toDouble());
        predLoss.push_back(cells[2].isEmpty() ? std::nan("") : cells[2].toDouble());
    }
    writeText(dir.path("in.json"), QJsonDocument(QJsonObject{{"curves", lrs}, {"pred_lr", predLr}})
                                       .toJson(QJsonDocument::Compact)
                                       .toStdString());
    const QString script =
        "import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom law import law\n"
        "d = json.load(open(sys.argv[1] + '/in.json'))\n"
        "print(json.dumps({'curves': [law(lr) for lr in d['curves']], 'pred': law(d['pred_lr'])}))\n";
    const auto py = test::runProcess(kPython, {"-c", script, dir.qpath()});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    const QJsonObject out = QJsonDocument::fromJson(py.out.toUtf8()).object();
    double worst = 0.0;
    const QStringList rows = points.out.trimmed().split('\n');
    const QStringList head = rows[0].split(',');
    const int cCurve = head.indexOf("curve"), cStep = head.indexOf("step"), cPred = head.indexOf("predicted");
    QVERIFY(cCurve >= 0 && cStep >= 0 && cPred >= 0);
    for (int i = 1; i < rows.size(); ++i) {
        const QStringList r = rows[i].split(',');
        const double v = out["curves"].toArray()[r[cCurve].toInt()].toArray()[r[cStep].toInt()].toDouble();
        worst = std::max(worst, relErr(v, r[cPred].toDouble()));
    }
    QCOMPARE(rows.size() - 1, 2 * static_cast<int>(steps.size()));
    QCOMPARE(static_cast<size_t>(out["pred"].toArray().size()), predLoss.size());
    for (size_t i = 0; i < predLoss.size(); ++i) {
        if (std::isnan(predLoss[i])) {
            continue;
        }
        worst = std::max(worst, relErr(out["pred"].toArray()[static_cast<int>(i)].toDouble(), predLoss[i]));
    }
    qInfo("exported Python vs C++ (fit points and predict): worst relative difference %.3g", worst);
    QVERIFY(worst < 1e-12);
}

// A fit on Anneal's own 2000-step runs (the schedule-optimizer study, points from step 400) landed at
// gamma = 99, C = 1e-209, beta = 3e-8, B = 5e6: C eta^-gamma overflows a double once eta < 1e-3 or so, and
// the evaluators turned 1 + inf into G = 1 (predicted losses of -3670 on a cosine to 1e-6 x peak). The
// law itself is finite there; the reference computes G at 60 digits (mpmath).
void TestFitMpl::degenerateParametersStayExact() {
    if (test::runProcess(kPython, {"-c", "import mpmath"}).exitCode != 0) {
        QSKIP("/usr/bin/python3 cannot import mpmath (install python3-mpmath)");
    }
    const std::vector<double> p = {1.49648, 1.07844, 3.78544, 4.65853e6, 1.24676e-209, 3.3704e-08, 99.2927};
    const int64_t T = 2000, W = 100;
    const double peak = 3e-3, floor = 3e-9;
    std::vector<double> lr(static_cast<size_t>(T));
    for (int64_t u = 0; u < T; ++u) {
        lr[static_cast<size_t>(u)] =
            u < W ? peak * (0.01 + 0.99 * double(u) / double(W))
                  : floor + (peak - floor) * 0.5 *
                                (1.0 + std::cos(3.14159265358979323846 * double(u - W) / double(T - 1 - W)));
    }
    const std::vector<int64_t> steps = {100, 500, 1000, 1500, 1900, 1990, 1999};
    const auto ref = numpyReference({Case{"degenerate", lr, W, p, steps, true}});
    QCOMPARE(ref.size(), size_t(1));
    double worst = 0.0;
    for (MplMethod m : {MplMethod::Direct, MplMethod::Fast, MplMethod::Auto}) {
        const auto got = mplEvaluate(p, lr, steps, W, false, m);
        for (size_t i = 0; i < steps.size(); ++i) {
            QVERIFY2(std::isfinite(got.loss[i]), qPrintable(QString::number(steps[i])));
            worst = std::max(worst, relErr(got.loss[i], ref[0][i]));
        }
    }
    fit::FitResult f = test::fitWithParams("mpl", p);
    std::vector<double> grad;
    const double final = finalLossGradient(f, lr, W, &grad);
    worst = std::max(worst, relErr(final, ref[0].back()));
    for (double g : grad) {
        QVERIFY(std::isfinite(g));
    }
    qInfo("degenerate fit: final loss %.6g (reference %.6g); worst relative difference %.3g", final,
          ref[0].back(), worst);
    QVERIFY2(ref[0].back() > 1.0 && ref[0].back() < 2.0, qPrintable(QString::number(ref[0].back())));
    QVERIFY2(worst < 1e-9, qPrintable(QString::number(worst)));
}

QTEST_APPLESS_MAIN(TestFitMpl)
#include "test_fit_mpl.moc"
