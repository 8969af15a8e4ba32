// SPDX-License-Identifier: GPL-3.0-or-later
// The law registry, each law's analytic gradient against central differences, and recovery of known
// parameters from synthetic points generated from each law (formulas written out in the test).
#include <QtTest>

#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/annealing_area.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/steplaw.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

Q_DECLARE_METATYPE(std::vector<double>)

class TestFitLaws : public QObject {
    Q_OBJECT

private slots:
    void registry_data();
    void registry();
    void unknownLaw();
    void wrongParamCount();
    void gradient_data();
    void gradient();
    void recoverPower_data();
    void recoverPower();
    void recoverKaplan();
    void recoverChinchilla();
    void recoverStepLaw();
    void stepLawNeedsVaryingCells();
    void invalidInput_data();
    void invalidInput();
};

void TestFitLaws::registry_data() {
    QTest::addColumn<QString>("law");
    QTest::addColumn<QStringList>("params");
    QTest::newRow("power") << "power" << QStringList{"E", "A", "alpha"};
    QTest::newRow("kaplan") << "kaplan" << QStringList{"Nc", "Dc", "alphaN", "alphaD"};
    QTest::newRow("chinchilla") << "chinchilla" << QStringList{"E", "A", "B", "alpha", "beta"};
    QTest::newRow("lr_annealing") << "lr_annealing" << QStringList{"L0", "A", "alpha", "C", "lambda"};
    QTest::newRow("mpl") << "mpl" << QStringList{"L0", "A", "alpha", "B", "C", "beta", "gamma"};
    QTest::newRow("steplaw") << "steplaw" << QStringList{"c_lr", "c_N", "c_D", "c_bs", "c_bD"};
}

void TestFitLaws::registry() {
    QFETCH(QString, law);
    QFETCH(QStringList, params);
    const Law& l = lawByName(law.toStdString());
    QCOMPARE(QString::fromStdString(l.name()), law);
    QStringList names;
    for (const auto& n : l.paramNames()) {
        names << QString::fromStdString(n);
    }
    QCOMPARE(names, params);
    QVERIFY(!l.equation().empty());
    QCOMPARE(lawNames().size(), size_t(6));
}

void TestFitLaws::unknownLaw() {
    try {
        lawByName("farseer");
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::InvalidInput);
        QCOMPARE(QString::fromStdString(e.field()), QString("law"));
        QCOMPARE(QString::fromStdString(e.allowed()),
                 QString("power | kaplan | chinchilla | lr_annealing | mpl | steplaw"));
        QVERIFY(QString(e.what()).contains("farseer"));
    }
    FitOptions opt;
    opt.law = "Chinchilla";
    QVERIFY_THROWS_EXCEPTION(Error, fitLaw(fittest::chinchillaSynthetic(1.8, 400, 400, 0.3, 0.3, 0, 1), opt));
}

void TestFitLaws::wrongParamCount() {
    Point at;
    at.n = 1e9;
    at.d = 1e10;
    QVERIFY_THROWS_EXCEPTION(Error, lawByName("chinchilla").evaluate({1.0, 2.0}, at));
}

// d L / d p of every law against central differences (relative step 1e-6).
void TestFitLaws::gradient_data() {
    QTest::addColumn<QString>("law");
    QTest::addColumn<std::vector<double>>("params");
    QTest::newRow("power") << "power" << std::vector<double>{1.7, 30.0, 0.4};
    QTest::newRow("kaplan") << "kaplan" << std::vector<double>{6.4e13, 1.8e13, 0.076, 0.103};
    QTest::newRow("chinchilla") << "chinchilla" << std::vector<double>{1.8, 480.0, 2100.0, 0.35, 0.37};
    QTest::newRow("lr_annealing") << "lr_annealing" << std::vector<double>{2.0, 0.6, 0.5, 0.3, 0.999};
    QTest::newRow("steplaw") << "steplaw" << std::vector<double>{0.5863, -0.71292, 0.30749, -0.5435, 0.57094};
}

void TestFitLaws::gradient() {
    QFETCH(QString, law);
    QFETCH(std::vector<double>, params);
    const Law& l = lawByName(law.toStdString());
    Point at;
    at.n = 3e8;
    at.d = 6e9;
    at.x = 5e4;
    const auto areas = annealingAreas(fittest::cosineSchedule(1e-3, 2000, 50), 0.999);
    at.s1 = areas.s1[1500];
    at.s2 = areas.s2[1500];
    at.ds2dLambda = areas.ds2dLambda[1500];
    const std::vector<double> g = l.gradient(params, at);
    QCOMPARE(g.size(), params.size());
    for (size_t j = 0; j < params.size(); ++j) {
        if (law == "lr_annealing" && j == 4) {
            // lambda enters through S2: difference S2 itself.
            const double h = 1e-7;
            const auto up = annealingAreas(fittest::cosineSchedule(1e-3, 2000, 50), params[4] + h);
            const auto dn = annealingAreas(fittest::cosineSchedule(1e-3, 2000, 50), params[4] - h);
            const double fd = -params[3] * (up.s2[1500] - dn.s2[1500]) / (2 * h);
            QVERIFY2(std::fabs(fd - g[j]) <= 1e-5 * (std::fabs(fd) + 1e-8),
                     qPrintable(QString("lambda %1 vs %2").arg(g[j]).arg(fd)));
            continue;
        }
        const double h = 1e-6 * std::max(1e-3, std::fabs(params[j]));
        std::vector<double> up = params, dn = params;
        up[j] += h;
        dn[j] -= h;
        const double fd = (l.evaluate(up, at) - l.evaluate(dn, at)) / (2 * h);
        QVERIFY2(
            std::fabs(fd - g[j]) <= 1e-5 * (std::fabs(fd) + 1e-10),
            qPrintable(
                QString("%1: analytic %2, numeric %3").arg(l.paramNames()[j].c_str()).arg(g[j]).arg(fd)));
    }
}

// Power law on x = steps, N, D or C, 0.3 % log-normal noise.
void TestFitLaws::recoverPower_data() {
    QTest::addColumn<QString>("variable");
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<std::vector<double>>("truth");
    QTest::newRow("steps") << "steps" << 100.0 << 1e5 << std::vector<double>{2.5, 8.0, 0.45};
    QTest::newRow("N") << "N" << 1e6 << 1e10 << std::vector<double>{1.9, 400.0, 0.34};
    QTest::newRow("D") << "D" << 1e8 << 1e12 << std::vector<double>{1.7, 2000.0, 0.37};
    QTest::newRow("C") << "C" << 1e17 << 1e23 << std::vector<double>{2.0, 3000.0, 0.18};
}

void TestFitLaws::recoverPower() {
    QFETCH(QString, variable);
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(std::vector<double>, truth);
    fittest::Noise noise(7, 0.003);
    FitInput in;
    for (double x : fittest::logSpace(lo, hi, 40)) {
        (variable == "N" ? in.n : variable == "D" ? in.d : variable == "C" ? in.c : in.x).push_back(x);
        in.loss.push_back(noise(truth[0] + truth[1] * std::pow(x, -truth[2])));
    }
    FitOptions opt;
    opt.law = "power";
    const FitResult r = fitLaw(in, opt);
    qInfo("%s: E %.4f A %.4g alpha %.4f", qPrintable(variable), r.value("E"), r.value("A"), r.value("alpha"));
    QCOMPARE(QString::fromStdString(r.options.variable), variable == "steps" ? QString("x") : variable);
    QVERIFY(std::fabs(r.value("E") - truth[0]) < 0.03);
    QVERIFY(std::fabs(r.value("alpha") - truth[2]) < 0.03);
    // A is strongly correlated with alpha; compare the power term at the middle of the range instead.
    const double mid = std::sqrt(lo * hi);
    QVERIFY(std::fabs(
                r.value("A") * std::pow(mid, -r.value("alpha")) / (truth[1] * std::pow(mid, -truth[2])) - 1) <
            0.03);
    Point at;
    at.n = at.d = at.c = at.x = mid;
    QVERIFY(std::fabs(predict(r, at) - (truth[0] + truth[1] * std::pow(mid, -truth[2]))) < 0.01);
}

void TestFitLaws::recoverKaplan() {
    // Table 2 constants; D from 2 to 200 tokens per parameter.
    const double nc = 6.4e13, dc = 1.8e13, aN = 0.076, aD = 0.103;
    fittest::Noise noise(3, 0.002);
    FitInput in;
    for (double n : fittest::logSpace(1e6, 1e10, 10)) {
        for (double r : fittest::logSpace(2, 2000, 8)) {
            in.n.push_back(n);
            in.d.push_back(r * n);
            in.loss.push_back(noise(std::pow(std::pow(nc / n, aN / aD) + dc / (r * n), aD)));
        }
    }
    FitOptions opt;
    opt.law = "kaplan";
    const FitResult r = fitLaw(in, opt);
    qInfo("Nc %.3g Dc %.3g alphaN %.4f alphaD %.4f", r.value("Nc"), r.value("Dc"), r.value("alphaN"),
          r.value("alphaD"));
    QVERIFY(std::fabs(r.value("alphaN") - aN) < 0.005);
    QVERIFY(std::fabs(r.value("alphaD") - aD) < 0.01);
    QVERIFY(std::fabs(std::log(r.value("Nc") / nc)) < 1.0);
    QVERIFY(std::fabs(std::log(r.value("Dc") / dc)) < 1.0);
    Point at;
    at.n = 1e9;
    at.d = 2e10;
    QVERIFY(std::fabs(predict(r, at) - 2.37388) < 0.01);
}

void TestFitLaws::recoverChinchilla() {
    const FitInput in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.002, 5);
    FitOptions opt;
    opt.law = "chinchilla";
    const FitResult r = fitLaw(in, opt);
    qInfo("E %.4f A %.1f B %.1f alpha %.4f beta %.4f", r.value("E"), r.value("A"), r.value("B"),
          r.value("alpha"), r.value("beta"));
    QVERIFY(std::fabs(r.value("E") - 1.8) < 0.02);
    QVERIFY(std::fabs(r.value("alpha") - 0.35) < 0.01);
    QVERIFY(std::fabs(r.value("beta") - 0.37) < 0.01);
    QVERIFY(std::fabs(r.value("A") / 480.0 - 1) < 0.2);
    QVERIFY(std::fabs(r.value("B") / 2100.0 - 1) < 0.2);
}

// OLS in log space recovers the generating StepLaw coefficients (METHODS 7.5 values as the truth).
void TestFitLaws::recoverStepLaw() {
    const steplaw::Coefficients k = steplaw::kPublished;
    fittest::Noise noise(9, 0.02);
    FitInput in;
    for (double n : fittest::logSpace(6e7, 1e9, 5)) {
        for (double d : fittest::logSpace(2e9, 1e11, 5)) {
            in.n.push_back(n);
            in.d.push_back(d);
            in.lr.push_back(noise(steplaw::optimalLr(n, d, k)));
            in.batch.push_back(noise(steplaw::optimalBatchTokens(d, k)));
        }
    }
    FitOptions opt;
    opt.law = "steplaw";
    opt.bootstrap = 200;
    const FitResult r = fitLaw(in, opt);
    const steplaw::Coefficients f = steplaw::coefficientsOf(r);
    qInfo("c_lr %.3f c_N %.4f c_D %.4f c_bs %.3f c_bD %.4f", f.cLr, f.cN, f.cD, f.cBs, f.cBD);
    QVERIFY(std::fabs(f.cN - k.cN) < 0.03);
    QVERIFY(std::fabs(f.cD - k.cD) < 0.03);
    QVERIFY(std::fabs(f.cBD - k.cBD) < 0.03);
    QVERIFY(std::fabs(steplaw::optimalLr(3e8, 1e10, f) / steplaw::optimalLr(3e8, 1e10, k) - 1) < 0.03);
    QCOMPARE(r.points.size(), size_t(50));  // 25 cells, two targets
    QCOMPARE(r.startsTotal, size_t(0));
    for (const auto& p : r.params) {
        QVERIFY(p.seAsymptotic > 0 && p.seBootstrap > 0);
        QVERIFY(p.ciLow < p.value && p.value < p.ciHigh);
    }
    // Classical OLS SE and bootstrap SE describe the same spread.
    QVERIFY(r.params[1].seBootstrap / r.params[1].seAsymptotic > 0.5 &&
            r.params[1].seBootstrap / r.params[1].seAsymptotic < 2);
    Point at;
    at.n = 3e8;
    at.d = 1e10;
    QCOMPARE(predict(r, at), steplaw::optimalLr(3e8, 1e10, f));
}

void TestFitLaws::stepLawNeedsVaryingCells() {
    FitInput in;
    in.n = {1e8, 2e8, 4e8};
    in.d = {1e10, 1e10, 1e10};  // D never varies: c_D is not identified
    in.lr = {1e-3, 8e-4, 6e-4};
    FitOptions opt;
    opt.law = "steplaw";
    QVERIFY_THROWS_EXCEPTION(Error, fitLaw(in, opt));
}

// Bad input names the field.
void TestFitLaws::invalidInput_data() {
    QTest::addColumn<QString>("law");
    QTest::addColumn<int>("defect");
    QTest::addColumn<QString>("field");
    QTest::newRow("negative loss") << "chinchilla" << 0 << "input.loss[3]";
    QTest::newRow("length mismatch") << "chinchilla" << 1 << "input.d";
    QTest::newRow("no D or C") << "chinchilla" << 2 << "input.d";
    QTest::newRow("NaN N") << "kaplan" << 3 << "input.n[5]";
    QTest::newRow("power ambiguous") << "power" << 4 << "options.variable";
    QTest::newRow("no curves") << "lr_annealing" << 5 << "input.curves";
    QTest::newRow("negative weight") << "chinchilla" << 6 << "input.weight[0]";
}

void TestFitLaws::invalidInput() {
    QFETCH(QString, law);
    QFETCH(int, defect);
    QFETCH(QString, field);
    FitInput in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.0, 1, 4, 4);
    switch (defect) {
        case 0:
            in.loss[3] = -1;
            break;
        case 1:
            in.d.pop_back();
            break;
        case 2:
            in.d.clear();
            break;
        case 3:
            in.n[5] = std::nan("");
            break;
        case 4:
            break;
        case 5:
            break;
        case 6:
            in.weight.assign(in.loss.size(), 1.0);
            in.weight[0] = -1;
            break;
    }
    FitOptions opt;
    opt.law = law.toStdString();
    try {
        fitLaw(in, opt);
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::InvalidInput);
        QCOMPARE(QString::fromStdString(e.field()), field);
    }
}

QTEST_APPLESS_MAIN(TestFitLaws)
#include "test_fit_laws.moc"
