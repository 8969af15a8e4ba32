// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule optimiser (schedule_optimizer.h, METHODS 2.1): the analytic gradient of the final loss
// against central differences for both curve laws, its value against predictCurveAt(), the optimum of
// fitted laws against a brute-force WSD family (every cooldown length x final LRs) evaluated by the same
// law, the constraints, bad problems and cancellation.
#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <chrono>
#include <fstream>
#include <random>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/fit/fit_record.h"
#include "anneal/lr_table.h"
#include "anneal/store.h"
#include "anneal/experiment.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/mpl.h"
#include "anneal/fit/schedule_optimizer.h"
#include "anneal/schedule.h"
#include "fit_result.h"
#include "process.h"
#include "run_helpers.h"
#include "temp_paths.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

constexpr double kPeak = 3e-4;
// METHODS 8.8, 400M: L0, A, alpha, B, C, beta, gamma.
const std::vector<double> k400M = {2.37474466, 0.65421216, 0.42878731, 523.42464371,
                                   2.02462735, 0.59350493, 0.63472457};
// For T = 200 updates: the LR area of Luo et al.'s 24,000 updates at 3e-4, so the 8.8 parameters (and
// laws fitted on such curves) act in the regime they were fitted in.
constexpr double kShortPeak = 24000 * 3e-4 / 200;

/// The 8.8 parameters for a schedule s times shorter with s times larger LRs: S1 and S_k keep their
/// values, the drops grow s times and eta^-gamma shrinks s^gamma times, so B -> B / s, C -> C s^gamma.
std::vector<double> compressed400M(double s) {
    std::vector<double> p = k400M;
    p[3] /= s;
    p[4] *= std::pow(s, p[6]);
    return p;
}

FitResult makeFit(const std::string& law, const std::vector<double>& values,
                  WarmupMode mode = WarmupMode::ClampDrops) {
    FitResult r = test::fitWithParams(law, values);
    r.options.warmup = mode;
    return r;
}

/// A non-monotone positive schedule: warmup to the peak at W, then a random walk in [0.05, 1] x peak.
std::vector<double> randomSchedule(int T, int W, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-0.08, 0.08);
    std::vector<double> lr(static_cast<size_t>(T));
    double f = 1.0;
    for (int t = 0; t < T; ++t) {
        if (t < W) {
            lr[t] = kPeak * (0.01 + 0.99 * t / W);
            continue;
        }
        if (t > W) {
            f = std::clamp(f + u(rng), 0.05, 0.97);
        }
        lr[t] = kPeak * f;
    }
    return lr;
}

/// The WSD family: warmup, stable at the peak, linear cooldown over floor(c T) steps to phi x peak.
double bestWsd(const FitResult& fit, int T, int W, double peak, std::string* which) {
    double best = std::numeric_limits<double>::infinity();
    for (int decay = 1; decay <= T - W; ++decay) {
        for (double phi : {0.0, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5}) {
            ExperimentSpec s;
            s.train.steps = T;
            s.train.lr = peak;
            s.schedule.kind = "wsd";
            s.schedule.warmupSteps = W;
            s.schedule.decayFraction = (decay + 0.5) / T;  // floor(fraction T) = decay
            s.schedule.finalLrFraction = phi;
            const double L = finalLossGradient(fit, learningRates(s), W, nullptr);
            if (L < best) {
                best = L;
                *which = "decay " + std::to_string(decay) + " steps to " + std::to_string(phi) + " x peak";
            }
        }
    }
    return best;
}

void checkConstraints(const OptimizedSchedule& o, const ScheduleProblem& p) {
    const auto& lr = o.best.lr;
    QCOMPARE(lr.size(), static_cast<size_t>(p.steps));
    const std::vector<double> warm = o.references[0].lr;  // cosine: the same warmup
    for (std::int64_t t = 0; t < p.warmupSteps; ++t) {
        QCOMPARE(lr[t], warm[t]);
    }
    QCOMPARE(lr[p.warmupSteps], p.peakLr);
    for (std::int64_t t = p.warmupSteps + 1; t < p.steps; ++t) {
        QVERIFY2(lr[t] <= lr[t - 1], qPrintable(QString("rises at %1").arg(t)));
        QVERIFY2(lr[t] >= std::max(p.minLr, 0.0) && lr[t] >= o.floorLr && lr[t] <= p.peakLr,
                 qPrintable(QString("bound at %1: %2").arg(t).arg(lr[t])));
    }
}

FitInput knownCurves(int total, int warmup) {
    auto sampled = [&](const std::string& name, const std::vector<double>& lr) {
        fit::Curve c;
        c.name = name;
        c.lr = lr;
        for (int64_t u = 9; u < total; u += 10) {
            c.steps.push_back(u);
        }
        c.losses = mplEvaluate(compressed400M(kShortPeak / kPeak), lr, c.steps, warmup).loss;
        return c;
    };
    FitInput in;
    in.curves = {sampled("constant", fittest::constantSchedule(kShortPeak, total, warmup)),
                 sampled("cosine", fittest::cosineSchedule(kShortPeak, total, warmup, 0.1))};
    return in;
}

}  // namespace

class TestScheduleOptimizer : public QObject {
    Q_OBJECT
private slots:
    void gradientMatchesCentralDifferences_data() {
        QTest::addColumn<QString>("law");
        QTest::addColumn<int>("mode");
        QTest::newRow("mpl") << "mpl" << 0;
        QTest::newRow("lr_annealing clamp") << "lr_annealing" << int(WarmupMode::ClampDrops);
        QTest::newRow("lr_annealing after warmup") << "lr_annealing" << int(WarmupMode::StartAfterWarmup);
    }
    // T = 200 at random non-monotone schedules: every component against central differences.
    void gradientMatchesCentralDifferences() {
        QFETCH(QString, law);
        QFETCH(int, mode);
        const FitResult fit = law == "mpl"
                                  ? makeFit("mpl", k400M)
                                  : makeFit("lr_annealing", {2.4, 0.6, 0.45, 5.0, 0.99}, WarmupMode(mode));
        const int T = 200, W = 20;
        double worst = 0.0;
        for (unsigned seed = 1; seed <= 3; ++seed) {
            std::vector<double> lr = randomSchedule(T, W, seed);
            std::vector<double> g;
            const double L = finalLossGradient(fit, lr, W, &g);
            QVERIFY(std::isfinite(L));
            double gmax = 0.0;
            for (double v : g) {
                gmax = std::max(gmax, std::abs(v));
            }
            for (int j = 0; j < T; ++j) {
                // Five-point central difference (truncation O(h^4)).
                const double h = 1e-3 * std::max(lr[j], 0.05 * kPeak);
                auto at = [&](double dx) {
                    std::vector<double> x = lr;
                    x[j] += dx;
                    return finalLossGradient(fit, x, W, nullptr);
                };
                const double fd = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
                const double err = std::abs(fd - g[j]) / std::max(std::abs(g[j]), 1e-3 * gmax);
                worst = std::max(worst, err);
                QVERIFY2(err < 1e-6, qPrintable(QString("%1 seed %2 step %3: analytic %4, differences %5")
                                                    .arg(law)
                                                    .arg(seed)
                                                    .arg(j)
                                                    .arg(g[j], 0, 'g', 12)
                                                    .arg(fd, 0, 'g', 12)));
            }
        }
        qInfo("%s: worst relative error of the gradient against central differences %.3g", qPrintable(law),
              worst);
    }

    void finalLossEqualsTheLawsCurve() {
        const int T = 500, W = 30;
        const std::vector<double> lr = randomSchedule(T, W, 7);
        for (const FitResult& fit :
             {makeFit("mpl", k400M), makeFit("lr_annealing", {2.4, 0.6, 0.45, 5.0, 0.999}),
              makeFit("lr_annealing", {2.4, 0.6, 0.45, 5.0, 0.999}, WarmupMode::StartAfterWarmup)}) {
            const double want = predictCurveAt(fit, lr, {T - 1}, W)[0];
            const double got = finalLossGradient(fit, lr, W, nullptr);
            QVERIFY2(std::abs(got - want) <= 1e-13 * std::abs(want),
                     qPrintable(QString("%1: %2 vs %3")
                                    .arg(QString::fromStdString(fit.law))
                                    .arg(got, 0, 'g', 17)
                                    .arg(want, 0, 'g', 17)));
        }
    }

    void beatsEveryWsdOfAFittedLaw_data() {
        QTest::addColumn<QString>("law");
        QTest::newRow("mpl") << "mpl";
        QTest::newRow("lr_annealing") << "lr_annealing";
    }
    // Fit on a constant and a cosine curve of a known law, then optimise T = 200 and compare with the
    // best of 180 cooldown lengths x 7 final LRs, evaluated by the same fitted law.
    void beatsEveryWsdOfAFittedLaw() {
        QFETCH(QString, law);
        FitOptions opt;
        opt.law = law.toStdString();
        opt.threads = 2;
        const FitResult fit = fitLaw(knownCurves(400, 20), opt);
        ScheduleProblem p;
        p.steps = 200;
        p.peakLr = kShortPeak;
        p.warmupSteps = 20;
        const OptimizedSchedule o = optimizeSchedule(fit, p);
        checkConstraints(o, p);
        std::string which;
        const double wsd = bestWsd(fit, 200, 20, kShortPeak, &which);
        qInfo(
            "%s: optimised %.9f (%d iterations, %d evaluations, %s, projected gradient %.3g), best WSD %.9f "
            "(%s), "
            "cosine %.9f, wsd 20%% %.9f",
            qPrintable(law), o.best.finalLoss, o.iterations, o.evaluations,
            o.converged ? "converged" : "not converged", o.projectedGradient, wsd, which.c_str(),
            o.references[0].finalLoss, o.references[2].finalLoss);
        QVERIFY(o.best.finalLoss <= wsd + 1e-12 * wsd);
        for (const auto& r : o.references) {
            QVERIFY(o.best.finalLoss <= r.finalLoss);
        }
        QCOMPARE(o.best.finalLoss, finalLossGradient(fit, o.best.lr, 20, nullptr));
    }

    void respectsAMinimumLr() {
        ScheduleProblem p;
        p.steps = 300;
        p.peakLr = kShortPeak;
        p.warmupSteps = 30;
        p.minLr = 0.2 * kShortPeak;
        const OptimizedSchedule o = optimizeSchedule(makeFit("mpl", compressed400M(kShortPeak / kPeak)), p);
        checkConstraints(o, p);
        QCOMPARE(o.floorLr, p.minLr);
        qInfo(
            "min LR 0.2 x peak: optimised %.9f (%d iterations, %s), cosine %.9f, wsd 20%% %.9f, last LR %.3g "
            "x peak",
            o.best.finalLoss, o.iterations, o.converged ? "converged" : "not converged",
            o.references[0].finalLoss, o.references[2].finalLoss, o.best.lr.back() / p.peakLr);
        for (const auto& r : o.references) {
            QVERIFY(o.best.finalLoss <= r.finalLoss);
        }
    }

    // The range of LRs the fit's curves applied after warmup (up to their last logged loss), computed here
    // from the curves; a schedule outside it gets a warning naming the bound and the count of updates.
    void warnsWhereTheLawIsExtrapolated() {
        FitResult fit = makeFit("mpl", compressed400M(kShortPeak / kPeak));
        fit.curves = knownCurves(400, 20).curves;
        double lo = 1e300, hi = 0;
        for (const auto& c : fit.curves) {
            for (int64_t u = 20; u <= c.steps.back(); ++u) {
                lo = std::min(lo, c.lr[static_cast<size_t>(u)]);
                hi = std::max(hi, c.lr[static_cast<size_t>(u)]);
            }
        }
        QVERIFY(lo > 0.09 * kShortPeak && lo < 0.11 * kShortPeak);  // the cosine's 10 % end
        const std::vector<double> toZero = fittest::cosineSchedule(kShortPeak, 400, 20, 0.0);
        int64_t below = 0;
        for (int64_t u = 20; u < 400; ++u) {
            below += toZero[static_cast<size_t>(u)] < lo * (1 - 1e-9) ? 1 : 0;
        }
        auto w = extrapolationWarnings(fit, toZero, 20);
        QCOMPARE(w.size(), size_t(1));
        char bound[32];
        std::snprintf(bound, sizeof bound, "%.3g", lo);
        QVERIFY2(w[0].find(std::to_string(below) + " updates") == 0 && w[0].find(bound) != std::string::npos,
                 w[0].c_str());
        QVERIFY(extrapolationWarnings(fit, fit.curves[1].lr, 20).empty());  // a fitted curve itself
        std::vector<double> hot = fit.curves[0].lr;
        hot[300] = 2 * hi;
        w = extrapolationWarnings(fit, hot, 20);
        QVERIFY2(w.size() == 1 && w[0].find("1 updates use LRs above") == 0, w.empty() ? "" : w[0].c_str());
        // The optimiser reports it, and a minimum LR at the bound keeps it inside.
        ScheduleProblem p;
        p.steps = 400;
        p.peakLr = kShortPeak;
        p.warmupSteps = 20;
        QVERIFY(!optimizeSchedule(fit, p).warnings.empty());
        p.minLr = lo;
        QVERIFY(optimizeSchedule(fit, p).warnings.empty());
    }

    void badProblemsAreClearErrors() {
        const FitResult mpl = makeFit("mpl", k400M);
        auto fails = [&](const FitResult& f, ScheduleProblem p, const char* field) {
            try {
                optimizeSchedule(f, p);
                QFAIL("accepted");
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.field()), QString(field));
            }
        };
        ScheduleProblem ok;
        ok.steps = 100;
        ok.peakLr = kPeak;
        ok.warmupSteps = 10;
        FitResult chin = makeFit("chinchilla", {1.69, 406.4, 410.7, 0.34, 0.28});
        fails(chin, ok, "fit");
        ScheduleProblem p = ok;
        p.warmupSteps = 100;
        fails(mpl, p, "warmup");
        p = ok;
        p.warmupSteps = 99;
        fails(mpl, p, "warmup");
        p = ok;
        p.peakLr = 0;
        fails(mpl, p, "peak-lr");
        p = ok;
        p.minLr = 2 * kPeak;
        fails(mpl, p, "min-lr");
        p = ok;
        p.steps = 1;
        fails(mpl, p, "steps");
    }

    // anneal-cli schedule optimize on a stored mpl fit: the printed losses are the library's, the table
    // file and the experiment it writes hold the optimised LRs, `anneal-cli run` trains that experiment, and
    // bad arguments are errors naming the option (exit code 1).
    void cli() {
        test::TempDir dir;
        const std::string db = dir.path("lab.db");
        const QString qdb = QString::fromStdString(db);
        FitResult mpl = makeFit("mpl", compressed400M(kShortPeak / kPeak));
        FitResult chin = makeFit("chinchilla", {1.69, 406.4, 410.7, 0.34, 0.28});
        {
            auto store = Store::open(db);
            fit::Provenance prov;
            prov.source = "test";
            QCOMPARE(fit::storeFit(*store, mpl, prov, "mpl"), std::int64_t{1});
            QCOMPARE(fit::storeFit(*store, chin, prov, "chinchilla"), std::int64_t{2});
        }
        const QString csv = QString::fromStdString(dir.path("lr.csv"));
        auto r =
            test::runCli({"--db", qdb, "schedule", "optimize", "--fit", "1", "--steps", "200", "--peak-lr",
                          QString::number(kShortPeak, 'g', 17), "--warmup", "20", "--out", csv, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        ScheduleProblem p;
        p.steps = 200;
        p.peakLr = kShortPeak;
        p.warmupSteps = 20;
        const OptimizedSchedule o = optimizeSchedule(mpl, p);
        QCOMPARE(j["final_loss"].toDouble(), o.best.finalLoss);
        QCOMPARE(j["references"].toObject()["cosine"].toDouble(), o.references[0].finalLoss);
        const LrTable table = readLrTableFile(csv.toStdString());
        for (std::int64_t t = 0; t < 200; ++t) {
            QCOMPARE(tableLr(table.steps, table.lrs, t), o.best.lr[t]);
        }

        // From an experiment, into an experiment that `anneal-cli run` trains with exactly those LRs.
        const std::string exp = dir.path("exp.toml"), opt = dir.path("opt.toml");
        std::ofstream(exp) << test::tinyExperimentWithoutLog(200, 1) << "[log]\nevery = 1\n";
        r = test::runCli({"--db", qdb, "schedule", "optimize", "--fit", "1", "--experiment",
                          QString::fromStdString(exp), "--set",
                          "train.lr=" + QString::number(kShortPeak, 'g', 17), "--set",
                          "schedule.warmup_steps=20", "--out-experiment", QString::fromStdString(opt)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("optimized") && r.out.contains("wsd 20%"));
        const ExperimentSpec spec = loadExperiment(opt);
        QCOMPARE(spec.schedule.kind, std::string("table"));
        QCOMPARE(learningRates(spec), o.best.lr);
        r = test::runCli({"--db", qdb, "run", QString::fromStdString(opt), "--quiet", "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const std::int64_t runId = QJsonDocument::fromJson(r.out.toUtf8()).object()["run_id"].toInteger();
        QCOMPARE(test::storedMetric(db, runId, "lr"), o.best.lr);

        // Bad arguments: each error names its option.
        auto fails = [&](const QStringList& args, const QString& option) {
            const auto e = test::runCli(QStringList{"--db", qdb, "schedule", "optimize"} + args);
            QCOMPARE(e.exitCode, 1);
            QVERIFY2(e.err.startsWith("anneal-cli: error: " + option + ":"), qPrintable(e.err));
            QVERIFY(e.out.isEmpty());
        };
        const QStringList ok = {"--steps", "100", "--peak-lr", "1e-3"};
        fails(QStringList{"--fit", "9", "--warmup", "10"} + ok, "--fit");      // no such fit
        fails(QStringList{"--fit", "2", "--warmup", "10"} + ok, "--fit");      // chinchilla: no curve
        fails(QStringList{"--fit", "1", "--warmup", "100"} + ok, "--warmup");  // T <= W
        fails(QStringList{"--fit", "1", "--warmup", "99"} + ok, "--warmup");   // nothing to optimise
        fails({"--fit", "1", "--warmup", "10", "--steps", "100", "--peak-lr", "0"}, "--peak-lr");
        fails(QStringList{"--fit", "1", "--warmup", "10", "--min-lr", "2e-3"} + ok, "--min-lr");
        fails({"--fit", "1", "--steps", "100"}, "--steps/--peak-lr/--warmup");
        QCOMPARE(test::runCli({"--db", qdb, "schedule", "optimize", "--steps", "100"}).exitCode,
                 2);  // no --fit
    }

    void cancelStops() {
        ScheduleProblem p;
        p.steps = 100000;
        p.peakLr = kPeak;
        p.warmupSteps = 1000;
        int calls = 0;
        try {
            optimizeSchedule(makeFit("mpl", k400M), p, {}, [&](double) { return ++calls < 2; });
            QFAIL("not cancelled");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::Cancelled);
        }
        QCOMPARE(calls, 2);
    }
};

QTEST_APPLESS_MAIN(TestScheduleOptimizer)
#include "test_schedule_optimizer.moc"
