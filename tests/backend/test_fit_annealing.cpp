// SPDX-License-Identifier: GPL-3.0-or-later
// The LR-annealing law (Tissue et al., METHODS 2): S1/S2 against METHODS 8.4 and against the closed form
// of S2, warmup modes, and fitting curves generated from the law to predict another schedule.
#include <QtTest>

#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/annealing_area.h"
#include "anneal/fit/fit.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

// METHODS 8.4: eta = 1e-3 for steps 1..1000, then 1e-3 (1 - (i - 1000)/1000) for i = 1001..2000.
// Our entry u (0-based update) is METHODS' step u + 1.
std::vector<double> methodsSchedule() {
    std::vector<double> lr(2000, 1e-3);
    for (int i = 1001; i <= 2000; ++i) {
        lr[static_cast<size_t>(i - 1)] = 1e-3 * (1.0 - (i - 1000) / 1000.0);
    }
    return lr;
}

// The truth used for generated curves.
constexpr double kL0 = 2.0, kA = 0.6, kAlpha = 0.5, kC = 0.3, kLambda = 0.999;

}  // namespace

class TestFitAnnealing : public QObject {
    Q_OBJECT

private slots:
    void methodsValues_data();
    void methodsValues();
    void lambdaOneLimit();
    void closedForm_data();
    void closedForm();
    void warmupModes();
    void lambdaDerivative();
    void stepConvention();
    void invalid();
    void fitAndPredictWsd();
    void fitLambda();
    void lossesBeforeAnyLrAreLeftOut();
};

void TestFitAnnealing::methodsValues_data() {
    QTest::addColumn<double>("lambda");
    QTest::addColumn<int>("step");  // METHODS' 1-based step
    QTest::addColumn<bool>("isS1");
    QTest::addColumn<double>("expected");
    QTest::newRow("S1(1000)") << 0.999 << 1000 << true << 1.0;
    QTest::newRow("S1(1500)") << 0.999 << 1500 << true << 1.37475;
    QTest::newRow("S1(2000)") << 0.999 << 2000 << true << 1.4995;
    QTest::newRow("S2(1000) l=.999") << 0.999 << 1000 << false << 0.0;
    QTest::newRow("S2(1500) l=.999") << 0.999 << 1500 << false << 0.106773;
    QTest::newRow("S2(2000) l=.999") << 0.999 << 2000 << false << 0.368328;
    QTest::newRow("S2(1500) l=.99") << 0.99 << 1500 << false << 0.040165;
    QTest::newRow("S2(2000) l=.99") << 0.99 << 2000 << false << 0.0901004;
    QTest::newRow("S2(2000) l=0 (total drop)") << 0.0 << 2000 << false << 0.001;
    QTest::newRow("S2(2000) l=1 (area to peak)") << 1.0 << 2000 << false << 0.5005;
}

void TestFitAnnealing::methodsValues() {
    QFETCH(double, lambda);
    QFETCH(int, step);
    QFETCH(bool, isS1);
    QFETCH(double, expected);
    const AnnealingAreas a = annealingAreas(methodsSchedule(), lambda);
    const double v = (isS1 ? a.s1 : a.s2)[static_cast<size_t>(step - 1)];
    // The reference values carry 6 significant digits.
    QVERIFY2(std::fabs(v - expected) <= 5e-6 * std::fabs(expected) + 1e-12,
             qPrintable(QString::number(v, 'g', 10)));
}

// lambda -> 1 approaches the lambda = 1 value sum_i (eta_0 - eta_i); lambda = 0 gives the total drop.
void TestFitAnnealing::lambdaOneLimit() {
    const auto lr = methodsSchedule();
    double area = 0.0;
    for (double eta : lr) {
        area += lr.front() - eta;
    }
    const double near1 = annealingAreas(lr, 1.0 - 1e-9).s2.back();
    QVERIFY(std::fabs(near1 - area) < 1e-6 * area);
    const auto zero = annealingAreas(lr, 0.0);
    for (size_t u = 0; u < lr.size(); ++u) {
        QVERIFY(std::fabs(zero.s2[u] - (lr.front() - lr[u])) < 1e-15);
    }
}

// The recurrence equals METHODS' closed form S2(s) = sum_k (eta_{k-1} - eta_k)(1 - lambda^(s-k+1))/(1 -
// lambda) on irregular schedules (warmup, decay, re-warming), through the law's predictions.
void TestFitAnnealing::closedForm_data() {
    QTest::addColumn<double>("lambda");
    QTest::addColumn<int>("seed");
    QTest::newRow("lambda .9") << 0.9 << 1;
    QTest::newRow("lambda .999") << 0.999 << 2;
    QTest::newRow("lambda 1") << 1.0 << 3;
}

void TestFitAnnealing::closedForm() {
    QFETCH(double, lambda);
    QFETCH(int, seed);
    std::mt19937_64 rng(static_cast<unsigned>(seed));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    std::vector<double> lr = fittest::cosineSchedule(3e-4, 600, 50);
    for (size_t u = 300; u < 400; ++u) {
        lr[u] *= jitter(rng);  // noisy, partly re-warming segment
    }
    const std::vector<double> expected = fittest::annealingLawClosedForm(lr, kL0, kA, kAlpha, kC, lambda);
    const std::vector<double> got = predictCurve({kL0, kA, kAlpha, kC, lambda}, lr, WarmupMode::ClampDrops);
    double worst = 0.0;
    for (size_t u = 0; u < lr.size(); ++u) {
        worst = std::max(worst, std::fabs(got[u] - expected[u]));
    }
    qInfo("worst difference to the closed form: %.3g", worst);
    QVERIFY(worst < 1e-12);
}

// StartAfterWarmup drops the warmup area from S1 and agrees with ClampDrops on S2 after warmup.
void TestFitAnnealing::warmupModes() {
    const int warmup = 100;
    const auto lr = fittest::cosineSchedule(1e-3, 1000, warmup);
    QCOMPARE(detectWarmupSteps(lr), int64_t(warmup));
    const auto b = annealingAreas(lr, 0.999, WarmupMode::ClampDrops);
    const auto a = annealingAreas(lr, 0.999, WarmupMode::StartAfterWarmup);
    double warmArea = 0.0;
    for (int u = 0; u < warmup; ++u) {
        warmArea += lr[static_cast<size_t>(u)];
    }
    for (size_t u = 0; u < lr.size(); ++u) {
        if (u < static_cast<size_t>(warmup)) {
            QCOMPARE(a.s1[u], 0.0);
            QCOMPARE(a.s2[u], 0.0);
            QCOMPARE(b.s2[u], 0.0);  // rising LR: clamped, no negative annealing area
        } else {
            QVERIFY(std::fabs(a.s1[u] - (b.s1[u] - warmArea)) < 1e-15);
            QVERIFY(std::fabs(a.s2[u] - b.s2[u]) < 1e-15);
        }
    }
    // An explicit warmup length overrides detection.
    const auto c = annealingAreas(lr, 0.999, WarmupMode::StartAfterWarmup, 10);
    QVERIFY(c.s1[10] > 0.0 && c.s1[9] == 0.0);
}

void TestFitAnnealing::lambdaDerivative() {
    const auto lr = fittest::wsdSchedule(1e-3, 800, 20, 300);
    const double l = 0.995, h = 1e-6;
    const auto mid = annealingAreas(lr, l), up = annealingAreas(lr, l + h), down = annealingAreas(lr, l - h);
    double worst = 0.0;
    for (size_t u = 0; u < lr.size(); ++u) {
        const double fd = (up.s2[u] - down.s2[u]) / (2 * h);
        worst = std::max(worst, std::fabs(fd - mid.ds2dLambda[u]) / (1e-3 + std::fabs(fd)));
    }
    QVERIFY(worst < 1e-5);
}

// The loss logged after update u has seen lr[0..u]: its S1 is the sum of those u + 1 rates.
void TestFitAnnealing::stepConvention() {
    const std::vector<double> lr = {1e-3, 2e-3, 3e-3, 1e-3};
    const auto a = annealingAreas(lr, 0.5, WarmupMode::ClampDrops, 0);
    QCOMPARE(a.s1[0], 1e-3);
    QVERIFY(std::fabs(a.s1[3] - 7e-3) < 1e-18);
    const auto pred = predictCurve({kL0, kA, kAlpha, kC, 0.5}, lr, WarmupMode::ClampDrops, 0);
    QVERIFY(std::fabs(pred[0] - (kL0 + kA * std::pow(1e-3, -kAlpha))) < 1e-12);
}

void TestFitAnnealing::invalid() {
    QVERIFY_THROWS_EXCEPTION(Error, annealingAreas({1e-3, -1e-3}, 0.999));
    QVERIFY_THROWS_EXCEPTION(Error, annealingAreas({1e-3, 1e-3}, 1.5));
    QVERIFY_THROWS_EXCEPTION(Error, annealingAreas({1e-3, 1e-3}, 0.9, WarmupMode::ClampDrops, 5));
    FitInput in;
    fit::Curve c = fittest::sampledCurve("c", fittest::constantSchedule(1e-3, 100, 0),
                                         std::vector<double>(100, 3.0), 10);
    std::swap(c.steps[2], c.steps[3]);
    in.curves = {c};
    FitOptions opt;
    opt.law = "lr_annealing";
    try {
        fitLaw(in, opt);
        QFAIL("unsorted steps accepted");
    } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.field()), QString("input.curves[0].steps[3]"));
    }
}

bool hasWarning(const FitResult& r, const std::string& field) {
    for (const auto& w : r.warnings) {
        if (w.field == field) {
            return true;
        }
    }
    return false;
}

// Fit on a constant and a cosine curve generated from the law (with warmup and 5e-4 log-normal noise),
// then predict a WSD curve of the same law to 1e-3.
void TestFitAnnealing::fitAndPredictWsd() {
    const int total = 4000, warmup = 100;
    const auto constant = fittest::constantSchedule(1e-3, total, warmup);
    const auto cosine = fittest::cosineSchedule(1e-3, total, warmup);
    const auto wsd = fittest::wsdSchedule(1e-3, total, warmup, 800);
    FitInput in;
    in.curves.push_back(fittest::sampledCurve(
        "constant", constant, fittest::annealingLawClosedForm(constant, kL0, kA, kAlpha, kC, kLambda), 20,
        5e-4, 11));
    in.curves.push_back(fittest::sampledCurve(
        "cosine", cosine, fittest::annealingLawClosedForm(cosine, kL0, kA, kAlpha, kC, kLambda), 20, 5e-4,
        12));
    FitOptions opt;
    opt.law = "lr_annealing";
    const FitResult r = fitLaw(in, opt);
    qInfo(
        "L0 %.4f A %.4f alpha %.4f C %.4f lambda %.4f (truth %.1f %.1f %.1f %.1f), objective %.3g, %zu "
        "starts",
        r.value("L0"), r.value("A"), r.value("alpha"), r.value("C"), r.value("lambda"), kL0, kA, kAlpha, kC,
        r.objective, r.startsTotal);
    QCOMPARE(r.value("lambda"), kLambda);
    QVERIFY(r.params[4].fixed);
    QVERIFY(std::fabs(r.value("L0") - kL0) < 0.05);
    QVERIFY(std::fabs(r.value("A") / kA - 1) < 0.05);
    QVERIFY(std::fabs(r.value("alpha") - kAlpha) < 0.03);
    QVERIFY(std::fabs(r.value("C") / kC - 1) < 0.05);
    const auto truth = fittest::annealingLawClosedForm(wsd, kL0, kA, kAlpha, kC, kLambda);
    const auto pred = predictCurve(r, wsd);
    double worst = 0.0;
    for (size_t u = 99; u < wsd.size(); ++u) {
        worst = std::max(worst, std::fabs(pred[u] - truth[u]));
    }
    qInfo("WSD prediction: worst abs error %.3g nats from update 99 on", worst);
    QVERIFY(worst < 1e-3);
    // lambda = 0.999 remembers 1000 updates: a quarter of these 4000, not more, so no lambda warning.
    QVERIFY(!hasWarning(r, "lambda"));
}

// lambda fitted in [0, 1] recovers the generating value.
void TestFitAnnealing::fitLambda() {
    const double lambda = 0.995;
    const auto cosine = fittest::cosineSchedule(1e-3, 3000, 50);
    const auto wsd = fittest::wsdSchedule(1e-3, 3000, 50, 600);
    FitInput in;
    in.curves.push_back(fittest::sampledCurve(
        "cosine", cosine, fittest::annealingLawClosedForm(cosine, kL0, kA, kAlpha, kC, lambda), 10));
    in.curves.push_back(fittest::sampledCurve(
        "wsd", wsd, fittest::annealingLawClosedForm(wsd, kL0, kA, kAlpha, kC, lambda), 10));
    FitOptions opt;
    opt.law = "lr_annealing";
    opt.fitLambda = true;
    const FitResult r = fitLaw(in, opt);
    qInfo("fitted lambda %.5f (truth %.3f), C %.4f", r.value("lambda"), lambda, r.value("C"));
    QVERIFY(!r.params[4].fixed);
    QVERIFY(std::fabs(r.value("lambda") - lambda) < 5e-4);
    QVERIFY(std::fabs(r.value("C") / kC - 1) < 0.02);
    QVERIFY(!hasWarning(r, "lambda"));  // fitted
}

// A loss logged at update 0 of a warmup starting from LR 0 has S1 = 0: left out with a warning.
void TestFitAnnealing::lossesBeforeAnyLrAreLeftOut() {
    std::vector<double> lr = fittest::cosineSchedule(1e-3, 500, 20);
    lr[0] = 0.0;
    const auto loss =
        fittest::annealingLawClosedForm(fittest::cosineSchedule(1e-3, 500, 20), kL0, kA, kAlpha, kC, kLambda);
    fit::Curve c = fittest::sampledCurve("c", lr, loss, 5);
    c.steps.insert(c.steps.begin(), 0);
    c.losses.insert(c.losses.begin(), 9.0);
    FitInput in;
    in.curves = {c};
    FitOptions opt;
    opt.law = "lr_annealing";
    const FitResult r = fitLaw(in, opt);
    QCOMPARE(r.points.size(), c.steps.size() - 1);
    bool warned = false;
    for (const auto& w : r.warnings) {
        warned = warned || w.field == "curves";
    }
    QVERIFY(warned);
    // 500 updates with lambda fixed at 0.999 (1000 updates of memory): the fit says so and names the option.
    QVERIFY(hasWarning(r, "lambda"));
    for (const auto& w : r.warnings) {
        if (w.field == "lambda") {
            QVERIFY2(w.message.find("--fit-lambda") != std::string::npos &&
                         w.message.find("500 updates") != std::string::npos,
                     w.message.c_str());
        }
    }
}

QTEST_APPLESS_MAIN(TestFitAnnealing)
#include "test_fit_annealing.moc"
