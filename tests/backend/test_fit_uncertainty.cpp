// SPDX-License-Identifier: GPL-3.0-or-later
// Uncertainty: bootstrap percentile intervals cover the generating parameters at about the nominal rate
// over repeated synthetic data sets, bootstrap and sandwich standard errors match the spread of the
// estimates across those data sets (the independent reference), and resampling is deterministic.
#include <QtTest>

#include <cmath>

#include "anneal/fit/fit.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

struct CoverageStats {
    std::vector<int> covered;
    std::vector<std::vector<double>> estimates, seBoot, seAsym;
};

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) {
        s += x;
    }
    return s / double(v.size());
}

double sd(const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) {
        s += (x - m) * (x - m);
    }
    return std::sqrt(s / double(v.size() - 1));
}

}  // namespace

class TestFitUncertainty : public QObject {
    Q_OBJECT

private slots:
    void coverage_data();
    void coverage();
    void deterministicAndThreadIndependent();
    void seedMatters();
    void noBootstrapNoIntervals();
};

void TestFitUncertainty::coverage_data() {
    QTest::addColumn<QString>("law");
    QTest::addColumn<int>("seeds");
    QTest::addColumn<int>("resamples");
    QTest::newRow("power") << "power" << 40 << 100;
    QTest::newRow("chinchilla") << "chinchilla" << 12 << 60;
}

void TestFitUncertainty::coverage() {
    QFETCH(QString, law);
    QFETCH(int, seeds);
    QFETCH(int, resamples);
    const bool power = law == "power";
    const std::vector<double> truth =
        power ? std::vector<double>{2.0, 50.0, 0.5} : std::vector<double>{1.8, 480.0, 2100.0, 0.35, 0.37};
    CoverageStats st;
    st.covered.assign(truth.size(), 0);
    st.estimates.resize(truth.size());
    st.seBoot.resize(truth.size());
    st.seAsym.resize(truth.size());
    for (int s = 1; s <= seeds; ++s) {
        FitInput in;
        FitOptions opt;
        opt.law = law.toStdString();
        opt.bootstrap = resamples;
        opt.seed = static_cast<uint64_t>(s);
        opt.ciLevel = 0.95;
        if (power) {
            fittest::Noise noise(static_cast<unsigned>(100 + s), 0.01);
            for (double x : fittest::logSpace(100, 1e5, 30)) {
                in.x.push_back(x);
                in.loss.push_back(noise(truth[0] + truth[1] * std::pow(x, -truth[2])));
            }
        } else {
            in = fittest::chinchillaSynthetic(truth[0], truth[1], truth[2], truth[3], truth[4], 0.01,
                                              static_cast<unsigned>(200 + s), 8, 6);
            opt.starts = {truth};  // keeps the test fast; the grid is tested elsewhere
        }
        const FitResult r = fitLaw(in, opt);
        QCOMPARE(r.bootstrapResamples + r.bootstrapFailed, resamples);
        for (size_t j = 0; j < truth.size(); ++j) {
            const ParamEstimate& p = r.params[j];
            st.covered[j] += p.ciLow <= truth[j] && truth[j] <= p.ciHigh;
            st.estimates[j].push_back(p.value);
            st.seBoot[j].push_back(p.seBootstrap);
            st.seAsym[j].push_back(p.seAsymptotic);
        }
    }
    int total = 0;
    for (size_t j = 0; j < truth.size(); ++j) {
        const double empirical = sd(st.estimates[j]);
        const double boot = mean(st.seBoot[j]);
        std::vector<double> finiteAsym;
        for (double v : st.seAsym[j]) {
            if (std::isfinite(v)) {
                finiteAsym.push_back(v);
            }
        }
        const double asym = finiteAsym.empty() ? std::nan("") : mean(finiteAsym);
        qInfo(
            "%s param %zu: 95%% CI coverage %d/%d; SD of estimates %.4g, mean bootstrap SE %.4g, mean "
            "asymptotic SE %.4g (%zu finite)",
            qPrintable(law), j, st.covered[j], seeds, empirical, boot, asym, finiteAsym.size());
        total += st.covered[j];
        // Loose bands: few seeds and resamples (keeps the suite fast), and percentile intervals of small
        // samples run a little short of nominal.
        QVERIFY(double(st.covered[j]) / seeds >= 0.7);
        QVERIFY(boot / empirical > 0.5 && boot / empirical < 2.0);
        QVERIFY(asym / empirical > 0.5 && asym / empirical < 2.0);
    }
    const double rate = double(total) / double(seeds * int(truth.size()));
    qInfo("%s: overall coverage %.3f (nominal 0.95)", qPrintable(law), rate);
    QVERIFY(rate >= 0.8 && rate <= 1.0);
}

// The same seed gives the same intervals, whatever the thread count.
void TestFitUncertainty::deterministicAndThreadIndependent() {
    const FitInput in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.01, 3, 6, 5);
    FitOptions opt;
    opt.law = "chinchilla";
    opt.starts = {{1.8, 480.0, 2100.0, 0.35, 0.37}};
    opt.bootstrap = 40;
    opt.seed = 17;
    opt.threads = 1;
    const FitResult a = fitLaw(in, opt);
    opt.threads = 2;
    const FitResult b = fitLaw(in, opt);
    opt.threads = 3;
    const FitResult c = fitLaw(in, opt);
    QCOMPARE(a.bootstrapSamples.size(), size_t(40));
    QVERIFY(a.bootstrapSamples == b.bootstrapSamples);
    QVERIFY(a.bootstrapSamples == c.bootstrapSamples);
    for (size_t j = 0; j < a.params.size(); ++j) {
        QCOMPARE(a.params[j].ciLow, b.params[j].ciLow);
        QCOMPARE(a.params[j].ciHigh, c.params[j].ciHigh);
    }
}

void TestFitUncertainty::seedMatters() {
    const FitInput in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.01, 3, 6, 5);
    FitOptions opt;
    opt.law = "chinchilla";
    opt.starts = {{1.8, 480.0, 2100.0, 0.35, 0.37}};
    opt.bootstrap = 20;
    opt.seed = 1;
    const FitResult a = fitLaw(in, opt);
    opt.seed = 2;
    const FitResult b = fitLaw(in, opt);
    QVERIFY(a.bootstrapSamples != b.bootstrapSamples);
    QCOMPARE(a.params[0].value, b.params[0].value);  // the point estimate does not depend on the seed
}

void TestFitUncertainty::noBootstrapNoIntervals() {
    const FitInput in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.01, 3, 6, 5);
    FitOptions opt;
    opt.law = "chinchilla";
    opt.starts = {{1.8, 480.0, 2100.0, 0.35, 0.37}};
    const FitResult r = fitLaw(in, opt);
    QCOMPARE(r.bootstrapResamples, 0);
    for (const auto& p : r.params) {
        QVERIFY(std::isnan(p.ciLow) && std::isnan(p.ciHigh) && std::isnan(p.seBootstrap));
        QVERIFY(p.seAsymptotic > 0);
    }
}

QTEST_APPLESS_MAIN(TestFitUncertainty)
#include "test_fit_uncertainty.moc"
