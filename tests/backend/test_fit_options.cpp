// SPDX-License-Identifier: GPL-3.0-or-later
// Fit options: hold-out scoring, point weights, bounds, fixed parameters, custom starts, progress and
// cancellation, and option validation naming the field.
#include <QtTest>

#include <atomic>
#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

constexpr double kE = 1.8, kA = 480.0, kB = 2100.0, kAlpha = 0.35, kBeta = 0.37;

double truthLoss(double n, double d) { return kE + kA / std::pow(n, kAlpha) + kB / std::pow(d, kBeta); }

FitOptions chinchillaOptions() {
    FitOptions opt;
    opt.law = "chinchilla";
    opt.starts = {{1.5, 300.0, 1000.0, 0.3, 0.3}, {2.0, 800.0, 3000.0, 0.4, 0.4}};
    return opt;
}

bool hasWarning(const FitResult& r, const std::string& field) {
    for (const auto& w : r.warnings) {
        if (w.field == field) {
            return true;
        }
    }
    return false;
}

}  // namespace

class TestFitOptions : public QObject {
    Q_OBJECT

private slots:
    void holdOutAboveN();
    void holdOutIndices();
    void zeroWeightEqualsDropping();
    void weightsChangeTheFit();
    void bounds();
    void fixedParameter();
    void progressAndCancel();
    void cancelDuringBootstrap();
    void invalidOptions_data();
    void invalidOptions();
};

// Fit on N <= 1e9, extrapolate to the larger models: noise-free data, so the error is tiny.
void TestFitOptions::holdOutAboveN() {
    const FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.0, 1, 12, 8);
    FitOptions opt = chinchillaOptions();
    opt.holdOutAbove = 1e9;
    const FitResult r = fitLaw(in, opt);
    size_t held = 0;
    for (const auto& p : r.points) {
        QCOMPARE(p.heldOut, p.n > 1e9);
        held += p.heldOut;
        if (p.heldOut) {
            QVERIFY(std::fabs(p.predicted - truthLoss(p.n, p.d)) < 1e-4);
        }
    }
    QCOMPARE(r.nHeldOut, held);
    QCOMPARE(r.nPoints + r.nHeldOut, in.loss.size());
    QVERIFY(r.holdOut.has_value());
    QCOMPARE(r.holdOut->count, held);
    qInfo("held out %zu: rmse(log) %.3g, max rel %.3g", held, r.holdOut->rmseLog, r.holdOut->maxAbsRelative);
    QVERIFY(r.holdOut->rmseLog < 1e-5);
    QVERIFY(std::fabs(r.value("alpha") - kAlpha) < 1e-4);
}

// Held-out points do not move the fit: corrupting them changes nothing but the hold-out score.
void TestFitOptions::holdOutIndices() {
    FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.002, 4, 8, 6);
    FitOptions opt = chinchillaOptions();
    opt.holdOutIndices = {0, 5, 17};
    const FitResult clean = fitLaw(in, opt);
    for (size_t i : opt.holdOutIndices) {
        in.loss[i] *= 1.5;
    }
    const FitResult dirty = fitLaw(in, opt);
    QCOMPARE(dirty.nHeldOut, size_t(3));
    QVERIFY(dirty.points[5].heldOut && !dirty.points[6].heldOut);
    for (size_t j = 0; j < clean.params.size(); ++j) {
        QCOMPARE(dirty.params[j].value, clean.params[j].value);
    }
    QVERIFY(dirty.holdOut->meanAbsRelative > 0.3);
    QVERIFY(clean.holdOut->meanAbsRelative < 0.01);
}

// Weight 0 is the same as leaving the point out.
void TestFitOptions::zeroWeightEqualsDropping() {
    FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.005, 5, 8, 6);
    in.weight.assign(in.loss.size(), 1.0);
    for (size_t i = 0; i < in.loss.size(); i += 4) {
        in.weight[i] = 0.0;
    }
    FitInput dropped;
    for (size_t i = 0; i < in.loss.size(); ++i) {
        if (in.weight[i] == 0.0) {
            continue;
        }
        dropped.n.push_back(in.n[i]);
        dropped.d.push_back(in.d[i]);
        dropped.loss.push_back(in.loss[i]);
    }
    const FitResult a = fitLaw(in, chinchillaOptions());
    const FitResult b = fitLaw(dropped, chinchillaOptions());
    for (size_t j = 0; j < a.params.size(); ++j) {
        QVERIFY(std::fabs(a.params[j].value / b.params[j].value - 1) < 1e-6);
    }
    QVERIFY(std::fabs(a.objective - b.objective) < 1e-12);
}

// A heavy weight on one point pulls the fit through it (power law, exact data plus one outlier).
void TestFitOptions::weightsChangeTheFit() {
    FitInput in;
    for (double x : fittest::logSpace(100, 1e5, 20)) {
        in.x.push_back(x);
        in.loss.push_back(2.0 + 50.0 * std::pow(x, -0.5));
    }
    in.loss[10] *= 1.05;
    FitOptions opt;
    opt.law = "power";
    const FitResult plain = fitLaw(in, opt);
    in.weight.assign(in.loss.size(), 1.0);
    in.weight[10] = 1000.0;
    const FitResult weighted = fitLaw(in, opt);
    QVERIFY(std::fabs(plain.points[10].residual) > 0.03);     // robust fit ignores the outlier
    QVERIFY(std::fabs(weighted.points[10].residual) < 0.01);  // the weighted one follows it
}

// An upper bound below the truth holds the parameter at the bound, with a warning.
void TestFitOptions::bounds() {
    const FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.0, 1, 8, 6);
    FitOptions opt = chinchillaOptions();
    opt.starts = {{1.5, 300.0, 1000.0, 0.3, 0.3}};
    opt.bounds["alpha"] = {0.0, 0.3};
    opt.bounds["E"] = {1.0, 3.0};
    const FitResult r = fitLaw(in, opt);
    qInfo("alpha %.6f with upper bound 0.3", r.value("alpha"));
    QVERIFY(r.value("alpha") <= 0.3 + 1e-12 && r.value("alpha") > 0.29);
    QVERIFY(r.value("E") >= 1.0 && r.value("E") <= 3.0);
    QVERIFY(hasWarning(r, "alpha"));
    opt.bounds.clear();
    opt.bounds["alpha"] = {0.0, 1.0};
    const FitResult free = fitLaw(in, opt);
    QVERIFY(std::fabs(free.value("alpha") - kAlpha) < 1e-4);
    QVERIFY(!hasWarning(free, "alpha"));
}

void TestFitOptions::fixedParameter() {
    const FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.0, 1, 8, 6);
    FitOptions opt = chinchillaOptions();
    opt.fixed["E"] = 1.8;
    opt.bootstrap = 10;
    const FitResult r = fitLaw(in, opt);
    QCOMPARE(r.value("E"), 1.8);
    QVERIFY(r.params[0].fixed && !r.params[1].fixed);
    QVERIFY(std::isnan(r.params[0].ciLow) && std::isnan(r.params[0].seAsymptotic));
    QVERIFY(std::fabs(r.value("alpha") - kAlpha) < 1e-4);
    for (const auto& s : r.bootstrapSamples) {
        QCOMPARE(s[0], 1.8);
    }
}

// Progress runs from 0 to 1, increasing, on the calling thread; returning false cancels.
void TestFitOptions::progressAndCancel() {
    const FitInput in = fittest::chinchillaReferencePoints();
    FitOptions opt;
    opt.law = "chinchilla";
    std::vector<double> seen;
    const std::thread::id caller = std::this_thread::get_id();
    bool sameThread = true;
    const FitResult r = fitLaw(in, opt, [&](double f) {
        sameThread = sameThread && std::this_thread::get_id() == caller;
        seen.push_back(f);
        return true;
    });
    QVERIFY(sameThread);
    QVERIFY(seen.size() >= 3);
    QCOMPARE(seen.front(), 0.0);
    QCOMPARE(seen.back(), 1.0);
    for (size_t k = 1; k < seen.size(); ++k) {
        QVERIFY(seen[k] >= seen[k - 1]);
    }
    QVERIFY(r.startsTotal == 4500);

    int calls = 0;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        fitLaw(in, opt, [&](double f) { return ++calls < 3 && f < 0.5; });
        QFAIL("not cancelled");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::Cancelled);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("cancelled after %.3f s (full fit %.2f s)", s, r.seconds);
    QVERIFY(s < 0.8 * r.seconds + 0.2);
}

void TestFitOptions::cancelDuringBootstrap() {
    const FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.01, 2, 8, 6);
    FitOptions opt = chinchillaOptions();
    opt.bootstrap = 100000;
    try {
        fitLaw(in, opt, [](double f) { return f < 0.01; });
        QFAIL("not cancelled");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::Cancelled);
    }
}

void TestFitOptions::invalidOptions_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown bound") << 0 << "options.bounds.gamma";
    QTest::newRow("empty bound") << 1 << "options.bounds.alpha";
    QTest::newRow("unknown fixed") << 2 << "options.fixed.lambda";
    QTest::newRow("fixed log-scale <= 0") << 3 << "options.fixed.A";
    QTest::newRow("ci level") << 4 << "options.ciLevel";
    QTest::newRow("huber delta") << 5 << "options.huberDelta";
    QTest::newRow("start size") << 6 << "options.starts[0]";
    QTest::newRow("hold-out index") << 7 << "options.holdOutIndices[0]";
    QTest::newRow("everything held out") << 8 << "options.holdOutAbove";
    QTest::newRow("all fixed") << 9 << "options.fixed";
}

void TestFitOptions::invalidOptions() {
    QFETCH(int, which);
    QFETCH(QString, field);
    const FitInput in = fittest::chinchillaSynthetic(kE, kA, kB, kAlpha, kBeta, 0.0, 1, 4, 4);
    FitOptions opt = chinchillaOptions();
    switch (which) {
        case 0:
            opt.bounds["gamma"] = {0, 1};
            break;
        case 1:
            opt.bounds["alpha"] = {1, 0};
            break;
        case 2:
            opt.fixed["lambda"] = 0.9;
            break;
        case 3:
            opt.fixed["A"] = -1;
            break;
        case 4:
            opt.ciLevel = 1.5;
            break;
        case 5:
            opt.huberDelta = 0;
            break;
        case 6:
            opt.starts = {{1, 2}};
            break;
        case 7:
            opt.holdOutIndices = {1000};
            break;
        case 8:
            opt.holdOutAbove = 1.0;
            break;
        case 9:
            opt.fixed = {{"E", 1.8}, {"A", 480}, {"B", 2100}, {"alpha", 0.35}, {"beta", 0.37}};
            break;
    }
    try {
        fitLaw(in, opt);
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::InvalidInput);
        QCOMPARE(QString::fromStdString(e.field()), field);
    }
}

QTEST_APPLESS_MAIN(TestFitOptions)
#include "test_fit_options.moc"
