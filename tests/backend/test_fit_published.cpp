// SPDX-License-Identifier: GPL-3.0-or-later
// Published laws evaluated against the values computed in METHODS 8: Kaplan (8.2), Chinchilla losses and
// compute-optimal allocation (8.1 items 6-7), StepLaw (8.7).
#include <QtTest>

#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/kaplan.h"
#include "anneal/fit/steplaw.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

// Parameter sets of METHODS 7.2/8.1: rounded Hoffmann, unrounded Hoffmann (Epoch's log values), Epoch.
ChinchillaParams paramSet(const QString& name) {
    if (name == "rounded") {
        return kHoffmannRounded;
    }
    if (name == "unrounded") {
        return {std::exp(0.5267228), std::exp(6.0073404), std::exp(6.0179186), 0.33917084, 0.2849083};
    }
    return {1.8172, 482.01, 2085.43, 0.3478, 0.3658};  // Epoch (8.1 item 6)
}

bool closeRel(double v, double ref, double rel) { return std::fabs(v - ref) <= rel * std::fabs(ref); }

}  // namespace

class TestFitPublished : public QObject {
    Q_OBJECT

private slots:
    void kaplan_data();
    void kaplan();
    void kaplanLawMatchesTable2();
    void stepLaw_data();
    void stepLaw();
    void chinchillaLoss_data();
    void chinchillaLoss();
    void computeOptimal_data();
    void computeOptimal();
    void computeOptimalProduct();
    void isoFlopMinimum();
    void invalidArguments();
};

// METHODS 8.2 item 8 (values to the 5 decimals given).
void TestFitPublished::kaplan_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("expected");
    QTest::newRow("L(N=1e9)") << kaplan::lossOfParams(1e9) << 2.37564;
    QTest::newRow("L(D=1e10)") << kaplan::lossOfTokens(1e10) << 2.26244;
    QTest::newRow("L(Cmin=1 PF-day)") << kaplan::lossOfCompute(1.0) << 2.65808;
    QTest::newRow("L(N=1e9,D=2e10)") << kaplan::lossOfParamsTokens(1e9, 2e10) << 2.37388;
}

void TestFitPublished::kaplan() {
    QFETCH(double, value);
    QFETCH(double, expected);
    QVERIFY2(std::fabs(value - expected) < 6e-6, qPrintable(QString::number(value, 'g', 10)));
}

// The fittable "kaplan" law with the Table 2 constants gives the same value (8.2).
void TestFitPublished::kaplanLawMatchesTable2() {
    const Law& law = lawByName("kaplan");
    const std::vector<double> p = {6.4e13, 1.8e13, 0.076, 0.103};
    Point at;
    at.n = 1e9;
    at.d = 2e10;
    QVERIFY(std::fabs(law.evaluate(p, at) - 2.37388) < 6e-6);
}

// METHODS 8.7 item 19.
void TestFitPublished::stepLaw_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("relTol");
    QTest::newRow("lr N=7e9 D=1.4e12") << steplaw::optimalLr(7e9, 1.4e12) << 9.347e-4 << 1e-3;
    QTest::newRow("B N=7e9 D=1.4e12") << steplaw::optimalBatchTokens(1.4e12) << 4.997e6 << 1e-3;
    QTest::newRow("sequences of 2048") << steplaw::optimalBatchTokens(1.4e12) / 2048 << 2440.0 << 1e-3;
    QTest::newRow("lr N=1e9 D=1e11") << steplaw::optimalLr(1e9, 1e11) << 1.662e-3 << 1e-3;
    QTest::newRow("B N=1e9 D=1e11") << steplaw::optimalBatchTokens(1e11) << 1.1075e6 << 1e-3;
    QTest::newRow("exp(c_lr)") << std::exp(steplaw::kPublished.cLr) << 1.7973 << 1e-4;
    QTest::newRow("exp(c_bs)") << std::exp(steplaw::kPublished.cBs) << 0.5807 << 1e-3;
}

void TestFitPublished::stepLaw() {
    QFETCH(double, value);
    QFETCH(double, expected);
    QFETCH(double, relTol);
    QVERIFY2(closeRel(value, expected, relTol), qPrintable(QString::number(value, 'g', 8)));
}

// METHODS 8.1 item 6.
void TestFitPublished::chinchillaLoss_data() {
    QTest::addColumn<QString>("set");
    QTest::addColumn<double>("n");
    QTest::addColumn<double>("d");
    QTest::addColumn<double>("expected");
    QTest::newRow("rounded 70B/1.4T") << "rounded" << 70e9 << 1.4e12 << 1.93665;
    QTest::newRow("unrounded 70B/1.4T") << "unrounded" << 70e9 << 1.4e12 << 1.92085;
    QTest::newRow("epoch 70B/1.4T") << "epoch" << 70e9 << 1.4e12 << 1.97388;
    QTest::newRow("rounded 1B/20B") << "rounded" << 1e9 << 2e10 << 2.58005;
    QTest::newRow("epoch 1B/20B") << "epoch" << 1e9 << 2e10 << 2.53005;
}

void TestFitPublished::chinchillaLoss() {
    QFETCH(QString, set);
    QFETCH(double, n);
    QFETCH(double, d);
    QFETCH(double, expected);
    const ChinchillaParams p = paramSet(set);
    QVERIFY(std::fabs(fit::chinchillaLoss(p, n, d) - expected) < 6e-6);
    // The same through the law interface.
    Point at;
    at.n = n;
    at.d = d;
    QVERIFY(std::fabs(lawByName("chinchilla").evaluate({p.E, p.A, p.B, p.alpha, p.beta}, at) - expected) <
            6e-6);
}

// METHODS 8.1 item 7 (values to the digits given there).
void TestFitPublished::computeOptimal_data() {
    QTest::addColumn<QString>("set");
    QTest::addColumn<double>("flops");
    QTest::addColumn<double>("G");
    QTest::addColumn<double>("a");
    QTest::addColumn<double>("nOpt");
    QTest::addColumn<double>("dOpt");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<double>("loss");
    const double nan = std::nan("");
    QTest::newRow("rounded 5.76e23") << "rounded" << 5.76e23 << 1.3447 << 0.45161 << 3.219e10 << 2.982e12
                                     << 92.65 << 1.93075;
    QTest::newRow("unrounded 5.76e23")
        << "unrounded" << 5.76e23 << 1.3000 << 0.45653 << 4.036e10 << 2.379e12 << 58.93 << nan;
    QTest::newRow("epoch 5.76e23") << "epoch" << 5.76e23 << 0.11963 << 0.51261 << 7.225e10 << 1.329e12
                                   << 18.39 << 1.97444;
    QTest::newRow("rounded 1e21") << "rounded" << 1e21 << 1.3447 << 0.45161 << 1.8242e9 << 9.136e10 << nan
                                  << nan;
    QTest::newRow("epoch 1e21") << "epoch" << 1e21 << 0.11963 << 0.51261 << 2.7785e9 << 5.9985e10 << nan
                                << nan;
}

void TestFitPublished::computeOptimal() {
    QFETCH(QString, set);
    QFETCH(double, flops);
    QFETCH(double, G);
    QFETCH(double, a);
    QFETCH(double, nOpt);
    QFETCH(double, dOpt);
    QFETCH(double, ratio);
    QFETCH(double, loss);
    const Allocation al = fit::computeOptimal(paramSet(set), flops);
    qInfo("G %.5g a %.5f N %.5g D %.5g D/N %.4g L %.6f", al.G, al.a, al.nOpt, al.dOpt, al.dOpt / al.nOpt,
          al.loss);
    QVERIFY(closeRel(al.G, G, 1e-4));
    QVERIFY(std::fabs(al.a - a) < 6e-6);
    QVERIFY(std::fabs(al.a + al.b - 1.0) < 1e-15);
    QVERIFY(closeRel(al.nOpt, nOpt, 3e-4));
    QVERIFY(closeRel(al.dOpt, dOpt, 3e-4));
    if (!std::isnan(ratio)) {
        QVERIFY(closeRel(al.dOpt / al.nOpt, ratio, 3e-4));
    }
    if (!std::isnan(loss)) {
        QVERIFY(std::fabs(al.loss - loss) < 6e-6);
    }
    // D_opt equals the formula's G^-1 (C/6)^b.
    QVERIFY(closeRel(al.dOpt, std::pow(al.G, -1.0) * std::pow(flops / 6.0, al.b), 1e-13));
}

// N_opt D_opt 6 = C to 1e-12 relative, over budgets and parameter sets.
void TestFitPublished::computeOptimalProduct() {
    double worst = 0.0;
    for (const QString set : {"rounded", "unrounded", "epoch"}) {
        for (double c = 1e15; c <= 1e27; c *= 3.7) {
            const Allocation al = fit::computeOptimal(paramSet(set), c);
            worst = std::max(worst, std::fabs(6.0 * al.nOpt * al.dOpt - c) / c);
        }
    }
    qInfo("worst relative error of 6 N D vs C: %.3g", worst);
    QVERIFY(worst <= 1e-12);
}

// The iso-FLOP profile (loss vs N at fixed C) has its minimum next to N_opt and never goes below L_opt.
void TestFitPublished::isoFlopMinimum() {
    const ChinchillaParams p = paramSet("epoch");
    const double c = 5.76e23;
    const Allocation al = fit::computeOptimal(p, c);
    const auto profile = isoFlopProfile(p, c, 1e9, 1e12, 601);
    QCOMPARE(profile.size(), size_t(601));
    size_t best = 0;
    for (size_t k = 0; k < profile.size(); ++k) {
        QVERIFY(profile[k].loss >= al.loss - 1e-12);
        QVERIFY(closeRel(6.0 * profile[k].n * profile[k].d, c, 1e-12));
        if (profile[k].loss < profile[best].loss) {
            best = k;
        }
    }
    const double step = std::pow(1000.0, 1.0 / 600);  // grid ratio
    QVERIFY(profile[best].n / al.nOpt < step && al.nOpt / profile[best].n < step);
}

void TestFitPublished::invalidArguments() {
    QVERIFY_THROWS_EXCEPTION(Error, fit::computeOptimal(paramSet("epoch"), -1.0));
    QVERIFY_THROWS_EXCEPTION(Error, fit::computeOptimal(ChinchillaParams{1.0, 1.0, 1.0, 0.0, 0.3}, 1e20));
    QVERIFY_THROWS_EXCEPTION(Error, isoFlopProfile(paramSet("epoch"), 1e20, 1e9, 1e8, 10));
    FitResult notChinchilla;
    notChinchilla.law = "power";
    try {
        chinchillaParams(notChinchilla);
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::InvalidInput);
        QCOMPARE(QString::fromStdString(e.field()), QString("law"));
    }
}

QTEST_APPLESS_MAIN(TestFitPublished)
#include "test_fit_published.moc"
