// SPDX-License-Identifier: GPL-3.0-or-later
// Reweighting: Sow et al.'s strategies against METHODS 8.5; upsample vs upweight equivalence under
// full-batch gradient descent (METHODS 4); planted-noise detection (AUC) in real training runs; the
// effective gradient share of domain scalarization matches the temperature mix.
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "anneal/config.h"
#include "anneal/mixture.h"
#include "anneal/reweight.h"
#include "anneal/store.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

/// The overall (all domains) statistics row of the last weight snapshot.
WeightStatsRow lastOverall(const std::vector<WeightStatsRow>& rows) {
    WeightStatsRow last;
    for (const auto& r : rows) {
        if (r.domain == -1) {
            last = r;
        }
    }
    return last;
}

/// Mann-Whitney AUC: probability that a clean sample's weight exceeds a noisy one's (ties count half).
double cleanAboveNoisyAuc(const std::vector<SampleWeight>& rows) {
    std::vector<double> clean, noisy;
    for (const auto& r : rows) {
        (r.noisy ? noisy : clean).push_back(r.weight);
    }
    if (clean.empty() || noisy.empty()) {
        return std::nan("");
    }
    std::sort(noisy.begin(), noisy.end());
    double wins = 0;
    for (double c : clean) {
        const auto lo = std::lower_bound(noisy.begin(), noisy.end(), c);
        const auto hi = std::upper_bound(noisy.begin(), noisy.end(), c);
        wins += static_cast<double>(lo - noisy.begin()) + 0.5 * static_cast<double>(hi - lo);
    }
    return wins / (static_cast<double>(clean.size()) * static_cast<double>(noisy.size()));
}

std::string noisyMixToml(const std::string& reweight) {
    return R"(
name = "noise-detection"
seed = 4
device = "cpu"
[model]
n_layer = 1
d_model = 48
n_head = 2
context = 32
[data]
batch_size = 32
val_every = 0
val_batches = 1
[[data.domain]]
name = "markov"
source = "synthetic:markov"
weight = 0.7
[data.domain.params]
order = 1
alphabet = 8
entropy = 0.8
noise_rate = 0.2
[[data.domain]]
name = "brackets"
source = "synthetic:brackets"
weight = 0.3
[train]
steps = 160
lr = 0.01
threads = 2
[schedule]
kind = "constant"
warmup_steps = 10
[log]
weights_every = 20
)" + reweight;
}

}  // namespace

class TestReweight : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    // METHODS 8.5 item 17 (delta = 1).
    void sowWeightsMatchReference_data() {
        QTest::addColumn<QString>("strategy");
        QTest::addColumn<double>("r");
        QTest::addColumn<QVector<double>>("expected");
        QTest::newRow("linupper r=1")
            << "loss_linupper" << 1.0 << QVector<double>{0.119271, 0.232307, 0.324211, 0.324211};
        QTest::newRow("quadratic r=1")
            << "loss_quadratic" << 1.0 << QVector<double>{0.14567, 0.35433, 0.35433, 0.14567};
        QTest::newRow("extremes r=1")
            << "loss_extremes" << 1.0 << QVector<double>{0.330378, 0.169622, 0.169622, 0.330378};
        QTest::newRow("linupper r=0.4")
            << "loss_linupper" << 0.4 << QVector<double>{0.032616, 0.172687, 0.397348, 0.397348};
        QTest::newRow("quadratic r=0.4")
            << "loss_quadratic" << 0.4 << QVector<double>{0.048886, 0.451114, 0.451114, 0.048886};
        QTest::newRow("extremes r=0.4")
            << "loss_extremes" << 0.4 << QVector<double>{0.420565, 0.079435, 0.079435, 0.420565};
    }
    void sowWeightsMatchReference() {
        QFETCH(QString, strategy);
        QFETCH(double, r);
        QFETCH(QVector<double>, expected);
        const std::vector<double> losses = {1, 2, 3, 4};
        const auto w = lossBasedWeights(losses, strategy.toStdString(), 1.0, r);
        double sum = 0;
        for (size_t i = 0; i < 4; ++i) {
            QVERIFY2(std::abs(w[i] - expected[static_cast<int>(i)]) < 1e-6,
                     qPrintable(QString("w[%1] = %2").arg(i).arg(w[i], 0, 'g', 10)));
            sum += w[i];
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
        // Invariance under l -> a·l + b (a > 0).
        std::vector<double> scaled;
        for (double l : losses) {
            scaled.push_back(3.7 * l - 1.2);
        }
        const auto ws = lossBasedWeights(scaled, strategy.toStdString(), 1.0, r);
        for (size_t i = 0; i < 4; ++i) {
            QVERIFY(std::abs(ws[i] - w[i]) < 1e-12);
        }
    }

    void equalLossesGiveUniformWeights() {
        const auto w = lossBasedWeights({2.5, 2.5, 2.5}, "loss_linupper", 1.0, 1.0);
        for (double x : w) {
            QVERIFY(std::abs(x - 1.0 / 3) < 1e-12);
        }
    }

    // METHODS 4: under full-batch gradient descent, sampling domains with p(T) and sampling with q
    // while weighting domain losses by w = p/q give the same update. Tiny problem: per-domain losses
    // L_d(θ) = ½‖θ - c_d‖², whose full-batch gradient is sum_d share_d (θ - c_d).
    void upsampleEqualsUpweightUnderFullBatchGd() {
        const ExperimentSpec s = parseExperiment(R"(
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
        const std::vector<std::array<double, 2>> c = {{{1.0, -2.0}}, {{0.5, 3.0}}, {{-4.0, 0.25}}};
        const std::vector<double> p = temperatureProbabilities({900, 90, 10}, 2.0);  // upsampling
        const std::vector<double> q = mixtureAt(s, 0);                               // proportional sampling
        const std::vector<double> w = scalarizationWeights(s, 0);                    // upweighting
        std::array<double, 2> up = {0.3, -0.7};
        std::array<double, 2> uw = up;
        const double eta = 0.1;
        double maxDiff = 0;
        for (int step = 0; step < 50; ++step) {
            std::array<double, 2> gUp = {0, 0}, gUw = {0, 0};
            for (size_t d = 0; d < 3; ++d) {
                for (int k = 0; k < 2; ++k) {
                    gUp[k] += p[d] * (up[k] - c[d][k]);
                    gUw[k] += q[d] * w[d] * (uw[k] - c[d][k]);
                }
            }
            for (int k = 0; k < 2; ++k) {
                up[k] -= eta * gUp[k];
                uw[k] -= eta * gUw[k];
                maxDiff = std::max(maxDiff, std::abs(up[k] - uw[k]));
            }
        }
        qInfo("max |θ_upsample - θ_upweight| over 50 full-batch steps: %.3g", maxDiff);
        QVERIFY(maxDiff < 1e-6);
    }

    // Sow et al.'s strategies are made to up-weight informative samples, not to filter noise:
    // quadratic lowers both loss extremes (planted noise is the top one), so it separates noise only
    // partly; meta_rescale (below) is the strategy made for noisy labels.
    void quadraticDownweightsPlantedNoise() {
        test::TempDir dir;
        const std::string db = dir.path("n.db");
        const auto id =
            test::runToml(db, noisyMixToml("[reweight]\nstrategy = \"loss_quadratic\"\nburnin_steps = 40\n"));
        auto store = Store::open(db, Store::Mode::ReadOnly);
        std::vector<SampleWeight> after;
        for (std::int64_t s : store->weightSnapshotSteps(id)) {
            for (const auto& w : store->weightSnapshot(id, s)) {
                if (w.step >= 40 && w.domain == 0) {
                    after.push_back(w);
                }
            }
        }
        const double auc = cleanAboveNoisyAuc(after);
        qInfo(
            "loss_quadratic: AUC(clean weight > planted-noise weight) = %.3f over %zu samples after burn-in",
            auc, after.size());
        QVERIFY2(auc > 0.55, qPrintable(QString::number(auc)));
        // Stored weights are relative to plain averaging: their mean per step is 1.
        double sum = 0;
        int n = 0;
        for (const auto& w : store->weightsAtStep(id, 100)) {
            sum += w.weight;
            ++n;
        }
        QCOMPARE(n, 32);
        QVERIFY(std::abs(sum / n - 1.0) < 1e-5);
        const WeightStatsRow last = lastOverall(store->weightStats(id));
        QVERIFY(last.noisyCount > 0);
        QVERIFY(last.noisyMean < last.mean);
    }

    void linupperUpweightsHighLoss() {
        // LinUpper raises high-loss samples (planted noise has the highest loss): the opposite effect.
        test::TempDir dir;
        const std::string db = dir.path("l.db");
        const auto id =
            test::runToml(db, noisyMixToml("[reweight]\nstrategy = \"loss_linupper\"\nburnin_steps = 40\n"));
        auto store = Store::open(db, Store::Mode::ReadOnly);
        std::vector<SampleWeight> after;
        for (std::int64_t s : store->weightSnapshotSteps(id)) {
            for (const auto& w : store->weightSnapshot(id, s)) {
                if (w.step >= 40 && w.domain == 0) {
                    after.push_back(w);
                }
            }
        }
        const double auc = cleanAboveNoisyAuc(after);
        qInfo("loss_linupper: AUC(clean weight > planted-noise weight) = %.3f", auc);
        QVERIFY2(auc < 0.5, qPrintable(QString::number(auc)));
    }

    void metaRescaleRunsAndSeparates() {
        test::TempDir dir;
        const std::string db = dir.path("m.db");
        const auto id =
            test::runToml(db, noisyMixToml("[reweight]\nstrategy = \"meta_rescale\"\nburnin_steps = "
                                           "40\nmeta_lr = 0.5\nmeta_batch = 16\n"));
        auto store = Store::open(db, Store::Mode::ReadOnly);
        QCOMPARE(store->run(id).status, RunStatus::Completed);
        std::vector<SampleWeight> after;
        for (std::int64_t s : store->weightSnapshotSteps(id)) {
            for (const auto& w : store->weightSnapshot(id, s)) {
                if (w.step >= 80 && w.domain == 0) {
                    after.push_back(w);
                }
            }
        }
        const double auc = cleanAboveNoisyAuc(after);
        qInfo("meta_rescale: AUC(clean weight > planted-noise weight) = %.3f", auc);
        QVERIFY2(auc > 0.8, qPrintable(QString::number(auc)));
        const WeightStatsRow last = lastOverall(store->weightStats(id));
        QVERIFY(last.noisyCount > 0);
        QVERIFY(last.noisyMean < last.mean);
    }

    void scalarizationGradientShareIsTemperatureMix() {
        test::TempDir dir;
        const std::string db = dir.path("s.db");
        const auto id = test::runToml(db, R"(
seed = 2
device = "cpu"
[model]
n_layer = 1
d_model = 16
n_head = 2
context = 8
[data]
batch_size = 64
val_every = 0
[[data.domain]]
name = "big"
source = "synthetic:noise"
weight = 900
size = 900
[[data.domain]]
name = "mid"
source = "synthetic:noise"
weight = 90
size = 90
[[data.domain]]
name = "small"
source = "synthetic:noise"
weight = 10
size = 10
[train]
steps = 300
threads = 1
[reweight]
strategy = "domain_scalarization"
temperature = 2.0
[log]
weights_every = 0
)");
        auto store = Store::open(db, Store::Mode::ReadOnly);
        const std::vector<double> p = temperatureProbabilities({900, 90, 10}, 2.0);
        const char* names[] = {"big", "mid", "small"};
        for (int d = 0; d < 3; ++d) {
            const auto share = store->metric(id, std::string("grad_share.") + names[d]).values;
            QCOMPARE(share.size(), size_t{300});
            double mean = 0;
            for (double v : share) {
                mean += v;
            }
            mean /= 300;
            qInfo("%s: mean effective gradient share %.4f, temperature mix p(T=2) %.4f", names[d], mean,
                  p[static_cast<size_t>(d)]);
            // A ratio estimator of p over 300 batches of 64: a few hundredths of sampling error at most.
            QVERIFY2(std::abs(mean - p[static_cast<size_t>(d)]) < 0.03, names[d]);
        }
        // The drawn mix is proportional to size.
        double mixSmall = 0;
        for (double v : store->metric(id, "mix.small").values) {
            mixSmall += v;
        }
        QVERIFY(std::abs(mixSmall / 300 - 0.01) < 0.005);
    }
};

QTEST_APPLESS_MAIN(TestReweight)
#include "test_reweight.moc"
