// SPDX-License-Identifier: GPL-3.0-or-later
// LR schedules and mixture schedules against closed forms (METHODS 8.3, 8.6), at the boundaries:
// first step, end of warmup, start and end of decay, past the end.
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/mixture.h"
#include "anneal/reweight.h"
#include "anneal/schedule.h"

using namespace anneal;

namespace {

const double kPi = 3.14159265358979323846;

ExperimentSpec spec(const std::string& schedule, std::int64_t steps, double lr = 1.0,
                    const std::string& extra = {}) {
    return parseExperiment("[[data.domain]]\nname = \"a\"\nsource = \"synthetic:noise\"\n[train]\nsteps = " +
                               std::to_string(steps) + "\nlr = " + std::to_string(lr) + "\n[schedule]\n" +
                               schedule + extra,
                           "<test>");
}

void near(double got, double want, double rel, const char* what) {
    const double err = std::abs(got - want) / std::max(std::abs(want), 1e-300);
    QVERIFY2(err <= rel || std::abs(got - want) < 1e-300,
             qPrintable(QString("%1: got %2, want %3 (rel. error %4)")
                            .arg(what)
                            .arg(got, 0, 'g', 17)
                            .arg(want, 0, 'g', 17)
                            .arg(err)));
}

}  // namespace

class TestSchedule : public QObject {
    Q_OBJECT
private slots:
    // METHODS 8.3 item 9: LinearLR(base 0.05, start_factor 0.05, total_iters 40) is our warmup.
    void warmupMatchesLinearLR() {
        const auto s =
            spec("kind = \"constant\"\nwarmup_steps = 40\nwarmup_start_fraction = 0.05\n", 100, 0.05);
        const double published[] = {0.0025, 0.0036875, 0.004875, 0.0060625, 0.00725};
        for (int t = 0; t < 5; ++t) {
            near(learningRate(s, t), 0.05 * (0.05 + 0.95 * t / 40.0), 1e-12, "closed form");
            near(learningRate(s, t), published[t], 1e-12, "METHODS 8.3 item 9");
        }
        near(learningRate(s, 39), 0.05 * (0.05 + 0.95 * 39 / 40.0), 1e-12, "last warmup step");
        near(learningRate(s, 40), 0.05, 1e-12, "end of warmup");
        near(learningRate(s, 99), 0.05, 1e-12, "constant");
    }

    // METHODS 8.3 item 10: CosineAnnealingLR(base 0.1, T_max 10) equals a 10-step cosine to 0;
    // past the end we hold the final value (PyTorch rises again; a documented difference).
    void cosineMatchesCosineAnnealingLR() {
        const auto s = spec("kind = \"cosine\"\nfinal_lr_fraction = 0.0\n", 10, 0.1);
        const std::pair<int, double> published[] = {
            {0, 0.1}, {1, 0.0975528}, {5, 0.05}, {9, 0.0024472}, {10, 0.0}};
        for (const auto& [t, v] : published) {
            near(learningRate(s, t), 0.1 * 0.5 * (1 + std::cos(kPi * t / 10.0)), 1e-12, "closed form");
            if (v > 0) {
                QVERIFY(std::abs(learningRate(s, t) - v) < 5e-8);  // METHODS prints 7 decimals
            } else {
                QVERIFY(std::abs(learningRate(s, t)) < 1e-15);
            }
        }
        QCOMPARE(learningRate(s, 11), 0.0);
        QCOMPARE(learningRate(s, 20), 0.0);
    }

    void cosineWithWarmupAndFloor() {
        const auto s = spec("kind = \"cosine\"\nwarmup_steps = 10\nfinal_lr_fraction = 0.1\n", 110, 1.0);
        near(learningRate(s, 0), 0.01, 1e-12, "first step");
        near(learningRate(s, 10), 1.0, 1e-12, "peak at end of warmup");
        near(learningRate(s, 60), 0.1 + 0.9 * 0.5 * (1 + std::cos(kPi * 0.5)), 1e-12, "midway");
        near(learningRate(s, 110), 0.1, 1e-12, "end");
        near(learningRate(s, 1000), 0.1, 1e-12, "past the end");
    }

    void linearDecay() {
        const auto s = spec("kind = \"linear\"\nwarmup_steps = 0\nfinal_lr_fraction = 0.0\n", 100, 2.0);
        near(learningRate(s, 0), 2.0, 1e-12, "first");
        near(learningRate(s, 25), 1.5, 1e-12, "quarter");
        near(learningRate(s, 99), 0.02, 1e-12, "last update");
    }

    // METHODS 8.3 item 13: the cooldown shapes g(x) at x = 0, .25, .5, .75, 1 inside a WSD run.
    void wsdDecayShapes_data() {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QVector<double>>("g");
        QTest::newRow("linear") << "linear" << QVector<double>{1, .75, .5, .25, 0};
        QTest::newRow("cosine") << "cosine" << QVector<double>{1, .853553, .5, .146447, 0};
        QTest::newRow("1-sqrt") << "1-sqrt" << QVector<double>{1, .5, .292893, .133975, 0};
        QTest::newRow("square") << "square" << QVector<double>{1, .9375, .75, .4375, 0};
    }
    void wsdDecayShapes() {
        QFETCH(QString, shape);
        QFETCH(QVector<double>, g);
        // T = 100, decay over the last 40 steps: x = (t - 60)/40.
        const auto s = spec(
            "kind = \"wsd\"\nwarmup_steps = 10\ndecay_fraction = 0.4\nfinal_lr_fraction = 0.0\n"
            "decay_shape = \"" +
                shape.toStdString() + "\"\n",
            100);
        auto closed = [&](double x) {
            if (shape == "linear") {
                return 1 - x;
            }
            if (shape == "cosine") {
                return 0.5 * (1 + std::cos(kPi * x));
            }
            if (shape == "1-sqrt") {
                return 1 - std::sqrt(x);
            }
            return 1 - x * x;
        };
        for (int i = 0; i < 5; ++i) {
            const int t = 60 + 10 * i;
            const double x = i * 0.25;
            QVERIFY(std::abs(learningRate(s, t) - closed(x)) <= 1e-12 * std::max(1.0, closed(x)));
            QVERIFY2(std::abs(learningRate(s, t) - g[i]) < 1e-6, qPrintable(QString("x=%1").arg(x)));
        }
        near(learningRate(s, 59), 1.0, 1e-12, "last stable step");
        near(learningRate(s, 9), 0.01 + 0.99 * 0.9, 1e-12, "last warmup step");
        QCOMPARE(decayStartStep(s.schedule, 100), std::int64_t{60});
    }

    void wsdFinalFractionAndExponential() {
        const auto s = spec("kind = \"wsd\"\ndecay_fraction = 0.2\nfinal_lr_fraction = 0.1\n", 100);
        near(learningRate(s, 90), 0.1 + 0.9 * 0.5, 1e-12, "linear midway");
        near(learningRate(s, 99), 0.1 + 0.9 * 0.05, 1e-12, "last update");
        near(learningRate(s, 100), 0.1, 1e-12, "end");
        const auto e = spec(
            "kind = \"wsd\"\ndecay_fraction = 0.5\ndecay_shape = \"exponential\"\nfinal_lr_fraction = 0.01\n",
            100);
        near(learningRate(e, 75), std::pow(0.01, 0.5), 1e-12, "phi^x");
        near(learningRate(e, 100), 0.01, 1e-12, "end");
    }

    // METHODS 8.3 item 15: half-life decay 0.5^(x/1000).
    void halfLife() {
        const auto s = spec(
            "kind = \"wsd\"\ndecay_fraction = 0.3\ndecay_shape = \"exponential\"\ndecay_half_life = 1000.0\n"
            "final_lr_fraction = 0.001\n",
            10000);
        near(learningRate(s, 7000), 1.0, 1e-12, "x = 0");
        near(learningRate(s, 8000), 0.5, 1e-12, "x = 1000");
        near(learningRate(s, 9000), 0.25, 1e-12, "x = 2000");
    }

    void inverseSqrtIsFairseq() {
        const auto s = spec("kind = \"inverse_sqrt\"\nwarmup_steps = 100\n", 1000);
        for (int t : {100, 200, 400, 999}) {
            near(learningRate(s, t), std::sqrt(100.0 / t), 1e-12, "sqrt(W/t)");
        }
        const auto c = spec(
            "kind = \"inverse_sqrt\"\nwarmup_steps = 100\ndecay_fraction = 0.1\nfinal_lr_fraction = 0.0\n",
            1000);
        near(learningRate(c, 899), std::sqrt(100.0 / 899), 1e-12, "before cooldown");
        near(learningRate(c, 950), std::sqrt(100.0 / 900) * 0.5, 1e-12, "linear cooldown from f(900)");
        QVERIFY(std::abs(learningRate(c, 1000)) < 1e-15);
    }

    // METHODS 8.3 item 14: Ibrahim-style inverse-sqrt cooldown (alpha 10, eta_max 3e-4, eta_const 1.65e-4).
    void infiniteSchedule() {
        const auto s = spec(
            "kind = \"infinite\"\nwarmup_steps = 0\ncooldown_steps = 10\nconstant_lr_fraction = 0.55\n"
            "cooldown_timescale = 10.0\nanneal_fraction = 0.2\nfinal_lr_fraction = 0.055\n",
            100, 3e-4);
        near(learningRate(s, 0), 3.0e-4, 1e-12, "u = 0");
        near(learningRate(s, 1), 2.433912e-4, 1e-6, "u = 0.1 (METHODS)");
        near(learningRate(s, 5), 1.856295e-4, 1e-6, "u = 0.5 (METHODS)");
        near(learningRate(s, 10), 1.65e-4, 1e-12, "u = 1");
        auto h = [](double x) { return 1 / std::sqrt(1 + 10 * x) - 1; };
        near(learningRate(s, 3), 3e-4 + (1.65e-4 - 3e-4) * h(0.3) / h(1.0), 1e-12, "closed form");
        near(learningRate(s, 79), 1.65e-4, 1e-12, "constant phase");
        near(learningRate(s, 90), 1.65e-4 * std::pow(0.1, 0.5), 1e-12, "exponential anneal midway");
        near(learningRate(s, 100), 1.65e-5, 1e-12, "end");
    }

    void rewarm() {
        const auto s = spec(
            "kind = \"rewarm\"\nwarmup_steps = 10\nfinal_lr_fraction = 0.1\nrewarm_at = 100\n"
            "rewarm_steps = 20\nrewarm_peak_fraction = 0.5\n",
            200);
        near(learningRate(s, 10), 1.0, 1e-12, "first peak");
        near(learningRate(s, 55), 0.1 + 0.9 * 0.5 * (1 + std::cos(kPi * 0.5)), 1e-12, "first decay");
        near(learningRate(s, 100), 0.1, 1e-12, "re-warm start");
        near(learningRate(s, 110), 0.3, 1e-12, "re-warm midway");
        near(learningRate(s, 120), 0.5, 1e-12, "new peak");
        near(learningRate(s, 160), 0.1 + 0.4 * 0.5 * (1 + std::cos(kPi * 0.5)), 1e-12, "re-decay");
        near(learningRate(s, 200), 0.1, 1e-12, "end");
    }

    void knots() {
        const auto s = spec("kind = \"wsd\"\nwarmup_steps = 10\ndecay_fraction = 0.2\n", 100);
        const auto k = scheduleKnots(s.schedule, 100);
        QCOMPARE(k.size(), size_t{3});
        QCOMPARE(k[0].step, std::int64_t{10});
        QCOMPARE(k[1].step, std::int64_t{80});
        QCOMPARE(k[2].step, std::int64_t{100});
        QCOMPARE(k[1].multiplier, 1.0);
    }

    // METHODS 8.6 item 18.
    void temperatureSampling() {
        const std::vector<double> n = {900, 90, 10};
        const std::vector<std::pair<double, std::vector<double>>> cases = {
            {1.0, {0.9, 0.09, 0.01}},
            {2.0, {0.703414, 0.222439, 0.074146}},
            {5.0, {0.490787, 0.309666, 0.199547}},
            {1e12, {1.0 / 3, 1.0 / 3, 1.0 / 3}}};
        for (const auto& [T, want] : cases) {
            const auto p = temperatureProbabilities(n, T);
            double z = 0;
            for (double x : n) {
                z += std::pow(x, 1 / T);
            }
            for (size_t i = 0; i < 3; ++i) {
                near(p[i], std::pow(n[i], 1 / T) / z, 1e-12, "closed form");
                QVERIFY2(std::abs(p[i] - want[i]) < 1e-6, qPrintable(QString("T=%1 i=%2").arg(T).arg(i)));
            }
        }
    }

    // METHODS 8.6: scalarization weights equivalent to T = 2 when sampling proportionally to size.
    void scalarizationWeightsMatchTemperature() {
        const auto s = parseExperiment(R"(
[[data.domain]]
name = "a"
source = "synthetic:noise"
weight = 900
size = 900
[[data.domain]]
name = "b"
source = "synthetic:noise"
weight = 90
size = 90
[[data.domain]]
name = "c"
source = "synthetic:noise"
weight = 10
size = 10
[reweight]
strategy = "domain_scalarization"
temperature = 2.0
)",
                                       "<t>");
        const auto w = scalarizationWeights(s, 0);
        const double want[] = {0.781571, 2.471544, 7.414634};
        for (size_t i = 0; i < 3; ++i) {
            QVERIFY2(std::abs(w[i] - want[i]) < 1e-5, qPrintable(QString::number(w[i], 'g', 10)));
        }
    }

    void temperatureCooldown() {
        const std::string base = R"(
[[data.domain]]
name = "a"
source = "synthetic:noise"
size = 900
[[data.domain]]
name = "b"
source = "synthetic:noise"
size = 100
[train]
steps = 100
[mixture]
kind = "temperature"
temperature = 5.0
)";
        const auto lin =
            parseExperiment(base + "temperature_schedule = \"linear\"\ntemperature_end = 1.0\n", "<t>");
        near(temperatureAt(lin.mixture, 0, 100), 5.0, 1e-12, "start");
        near(temperatureAt(lin.mixture, 50, 100), 3.0, 1e-12, "middle");
        near(temperatureAt(lin.mixture, 100, 100), 1.0, 1e-12, "end");
        near(mixtureAt(lin, 100)[0], 0.9, 1e-12, "T = 1 is proportional");
        const auto step = parseExperiment(base +
                                              "temperature_schedule = \"step\"\ntemperature_end = 1.0\n"
                                              "temperature_switch_fraction = 0.3\n",
                                          "<t>");
        near(temperatureAt(step.mixture, 29, 100), 5.0, 1e-12, "before switch");
        near(temperatureAt(step.mixture, 30, 100), 1.0, 1e-12, "at switch");
    }

    void upsamplingSwitchesExactly() {
        const auto s = parseExperiment(R"(
[[data.domain]]
name = "web"
source = "synthetic:noise"
weight = 0.9
[[data.domain]]
name = "code"
source = "synthetic:noise"
weight = 0.1
[train]
steps = 1000
[mixture.upsample]
start_fraction = 0.9
weights = { code = 0.9 }
)",
                                       "<t>");
        QCOMPARE(upsampleStartStep(s), std::int64_t{900});
        near(mixtureAt(s, 899)[1], 0.1, 1e-12, "base mix before the window");
        near(mixtureAt(s, 900)[1], 0.5, 1e-12, "upsampled (code 0.9 vs web 0.9) from the window");
        near(mixtureAt(s, 999)[1], 0.5, 1e-12, "to the end");
    }

    void replayMixesEarlierData() {
        const auto s = parseExperiment(R"(
[[data.domain]]
name = "old"
source = "synthetic:noise"
weight = 0.0
[[data.domain]]
name = "new"
source = "synthetic:noise"
weight = 1.0
[train]
steps = 100
[mixture.replay]
fraction = 0.25
start_step = 10
weights = { old = 1.0 }
)",
                                       "<t>");
        near(mixtureAt(s, 9)[0], 0.0, 1e-12, "before replay");
        near(mixtureAt(s, 10)[0], 0.25, 1e-12, "replay share");
        near(mixtureAt(s, 10)[1], 0.75, 1e-12, "new data share");
    }
};

QTEST_APPLESS_MAIN(TestSchedule)
#include "test_schedule.moc"
