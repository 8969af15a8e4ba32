// SPDX-License-Identifier: GPL-3.0-or-later
// Training on a CUDA device (ctest label `cuda`): a run learns, its fp32 losses agree with CPU for
// the first steps, checkpoints cross between CUDA and CPU in both directions (a branch from a CUDA
// checkpoint on CPU and the reverse), a stopped run resumes, reweighting and its weight snapshots
// work, and a diverging run is stopped by the NaN guard.
//
// The device under test is $ANNEAL_TEST_DEVICE (default "cuda"); without a CUDA device the suite is
// skipped and says so. bench/gpu/run_gpu.sh --cpu-check runs it with ANNEAL_TEST_DEVICE=cpu, which
// checks the tests' own logic on a machine without a GPU (there every comparison is exact).
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "anneal/trainer.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

/// Relative agreement of fp32 losses between the device and CPU over the first steps: different
/// kernels (cuBLAS vs OpenBLAS, other reduction orders) round differently, and the difference grows
/// with every update. TF32 is off for fp32 runs, so this is float32 rounding only.
constexpr double kFirstStepsTolerance = 1e-4;
constexpr int kFirstSteps = 5;
/// After 10 updates on one device and 10 on the other (checkpoint crossings), losses still agree to this.
constexpr double kCrossingTolerance = 2e-3;

const std::vector<Override> kCheckpointEvery10 = {"log.checkpoint_every=10", "log.keep_checkpoints=10"};

double maxRelativeDifference(const std::vector<double>& a, const std::vector<double>& b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n && i < a.size() && i < b.size(); ++i) {
        worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1e-12, std::abs(b[i])));
    }
    return worst;
}

std::vector<double> tail(const std::vector<double>& v, size_t from) {
    return from >= v.size() ? std::vector<double>{}
                            : std::vector<double>(v.begin() + static_cast<long>(from), v.end());
}

}  // namespace

class TestCudaTraining : public QObject {
    Q_OBJECT
private:
    std::string m_device = "cuda";
    std::string dev() const { return "device=" + m_device; }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        if (qEnvironmentVariableIsSet("ANNEAL_TEST_DEVICE")) {
            m_device = qEnvironmentVariable("ANNEAL_TEST_DEVICE").toStdString();
        }
        if (m_device == "cuda" && !cudaAvailable()) {
            QSKIP(
                "no CUDA device here (this LibTorch has no CUDA, or no GPU is visible): the CUDA tests need "
                "one; bench/gpu/run_gpu.sh runs them on a GPU machine");
        }
        qInfo("device under test: %s", m_device.c_str());
    }

    /// 300 steps of the default experiment on the device learn beyond byte frequencies.
    void learnsBelowUnigramEntropy() {
        test::TempDir dir;
        const std::string db = dir.path("l.db");
        const std::string file = test::sourceFile("resources/experiments/default.toml");
        const std::vector<Override> ov = {"train.steps=300", "data.val_every=100", "log.checkpoint_every=0",
                                          dev()};
        const std::int64_t id = test::runToml(db, readTextFile(file), ov);
        auto store = Store::open(db, Store::Mode::ReadOnly);
        const RunRecord r = store->run(id);
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(QString::fromStdString(r.device), QString::fromStdString(m_device));
        const double finalVal = store->metric(id, "val_loss").values.back();
        const double unigram = test::unigramEntropy(loadExperiment(file, ov));
        qInfo("final val loss %.4f, unigram entropy %.4f, floor %.4f nats/token", finalVal, unigram,
              r.entropyFloor);
        QVERIFY2(finalVal < unigram - 0.3, "the model did not learn beyond byte frequencies");
        QVERIFY2(finalVal > r.entropyFloor, "validation loss below the sources' entropy floor: impossible");
    }

    /// fp32: the device's first losses are CPU's within kFirstStepsTolerance (the first is the same
    /// initial model on the same batch).
    void fp32FirstStepsAgreeWithCpu() {
        test::TempDir dir;
        const std::string db = dir.path("a.db");
        const std::string toml = test::tinyExperimentToml(10, 3);
        const auto onDevice = test::storedMetric(db, test::runToml(db, toml, {dev()}), "train_loss");
        const auto onCpu = test::storedMetric(db, test::runToml(db, toml, {"device=cpu"}), "train_loss");
        QCOMPARE(onDevice.size(), size_t{10});
        const double d = maxRelativeDifference(onDevice, onCpu, kFirstSteps);
        qInfo("first %d losses: max relative difference %.3g (tolerance %.0e)", kFirstSteps, d,
              kFirstStepsTolerance);
        QVERIFY2(d <= kFirstStepsTolerance, qPrintable(QString::number(d)));
    }

    /// A checkpoint written on the device continues on CPU, and one written on CPU continues on the
    /// device: the branch's losses follow the parent's own continuation.
    void checkpointsCrossDevices_data() {
        QTest::addColumn<bool>("parentOnDevice");
        QTest::newRow("device -> cpu") << true;
        QTest::newRow("cpu -> device") << false;
    }

    void checkpointsCrossDevices() {
        QFETCH(bool, parentOnDevice);
        test::TempDir dir;
        const std::string db = dir.path("x.db");
        std::vector<Override> ov = kCheckpointEvery10;
        ov.push_back(parentOnDevice ? dev() : "device=cpu");
        const auto parent = test::runToml(db, test::tinyExperimentToml(30, 4), ov, "parent");
        const auto lp = test::storedMetric(db, parent, "train_loss");
        auto branch = RunSession::branch(db, parent, 20, {parentOnDevice ? "device=cpu" : dev()}, "crossed");
        test::driveSession(*branch);
        auto store = Store::open(db, Store::Mode::ReadOnly);
        QCOMPARE(store->run(branch->runId()).status, RunStatus::Completed);
        const auto lb = test::storedMetric(db, branch->runId(), "train_loss");
        QCOMPARE(lb.size(), size_t{10});
        const double first = maxRelativeDifference(lb, tail(lp, 20), 1);
        const double all = maxRelativeDifference(lb, tail(lp, 20), lb.size());
        qInfo("branch at 20 on the other device: first loss %.3g, all %.3g relative to the parent's", first,
              all);
        QVERIFY2(first <= kFirstStepsTolerance,
                 "the first step after the crossing is not the parent's state");
        QVERIFY2(all <= kCrossingTolerance, qPrintable(QString::number(all)));
    }

    /// A run stopped on the device resumes there from its checkpoint and ends like an uninterrupted one.
    void stoppedRunResumes() {
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        std::vector<Override> ov = kCheckpointEvery10;
        ov.push_back(dev());
        const std::string toml = test::tinyExperimentToml(30, 5);
        const auto full = test::storedMetric(db, test::runToml(db, toml, ov), "train_loss");

        LaunchRequest req;
        req.dbPath = db;
        req.specText = toml;
        req.origin = "<test>";
        req.overrides = ov;
        auto s = RunSession::launch(req);
        test::driveSession(*s, [&](const StepEvent& e) {
            if (e.step == 14) {
                s->stop();
            }
        });
        const std::int64_t id = s->runId();
        s.reset();
        auto resumed = RunSession::resume(db, id);
        QVERIFY(resumed->startStep() >= 10);
        test::driveSession(*resumed);
        auto store = Store::open(db, Store::Mode::ReadOnly);
        QCOMPARE(store->run(id).status, RunStatus::Completed);
        const auto got = test::storedMetric(db, id, "train_loss");
        QCOMPARE(got.size(), size_t{30});
        const double d = maxRelativeDifference(got, full, got.size());
        qInfo("resumed run vs uninterrupted: max relative difference %.3g", d);
        QVERIFY2(d <= kCrossingTolerance, qPrintable(QString::number(d)));
    }

    /// Every reweighting strategy trains on the device and stores per-sample weight snapshots that
    /// are finite, positive and not all equal.
    void reweightingAndSnapshots_data() {
        QTest::addColumn<QString>("strategy");
        QTest::newRow("loss_linupper") << "loss_linupper";
        QTest::newRow("loss_quadratic") << "loss_quadratic";
        QTest::newRow("meta_rescale") << "meta_rescale";
    }

    void reweightingAndSnapshots() {
        QFETCH(QString, strategy);
        test::TempDir dir;
        const std::string db = dir.path("w.db");
        const std::string file = test::sourceFile("resources/experiments/noisy-reweight.toml");
        const std::int64_t id = test::runToml(
            db, readTextFile(file),
            {"train.steps=120", "reweight.strategy=" + strategy.toStdString(), "reweight.burnin_steps=40",
             "log.weights_every=40", "data.val_every=60", "log.checkpoint_every=0", dev()});
        auto store = Store::open(db, Store::Mode::ReadOnly);
        QCOMPARE(store->run(id).status, RunStatus::Completed);
        const auto steps = store->weightSnapshotSteps(id);
        QVERIFY2(!steps.empty(), "no weight snapshot was stored");
        const auto weights = store->weightSnapshot(id, steps.back());
        QVERIFY(!weights.empty());
        double lo = INFINITY, hi = -INFINITY;
        for (const SampleWeight& w : weights) {
            QVERIFY2(std::isfinite(w.weight) && w.weight >= 0, qPrintable(QString::number(w.weight)));
            lo = std::min(lo, static_cast<double>(w.weight));
            hi = std::max(hi, static_cast<double>(w.weight));
        }
        qInfo("%s: %zu snapshots, last at step %lld: %zu weights in [%.3g, %.3g]", qPrintable(strategy),
              steps.size(), static_cast<long long>(steps.back()), weights.size(), lo, hi);
        QVERIFY2(hi > lo, "every sample has the same weight: the strategy did nothing");
    }

    /// A diverging run (AdamW's decay multiplies the matrices by -99 per step) fails with the cause
    /// and the step, as on CPU.
    void nanGuardStopsADivergingRun() {
        test::TempDir dir;
        const std::string db = dir.path("n.db");
        const std::int64_t id =
            test::runToml(db, test::tinyExperimentToml(20, 1),
                          {"train.lr=10", "train.weight_decay=10", "train.grad_clip=0", dev()});
        auto store = Store::open(db, Store::Mode::ReadOnly);
        const RunRecord r = store->run(id);
        QCOMPARE(r.status, RunStatus::Failed);
        QVERIFY(r.messageStep.has_value());
        QVERIFY2(r.message.find("non-finite") != std::string::npos, r.message.c_str());
        qInfo("failed at step %lld: %s", static_cast<long long>(*r.messageStep), r.message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCudaTraining)
#include "test_cuda_training.moc"
