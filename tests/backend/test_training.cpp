// SPDX-License-Identifier: GPL-3.0-or-later
// Training end to end on CPU: the default experiment learns (below the mix's unigram entropy) but
// cannot beat the sources (above the known entropy floor); runs are deterministic by seed; the
// model's parameter count matches the closed form used for 6N FLOPs.
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "anneal/trainer.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

class TestTraining : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    void defaultExperimentLearnsButNotBelowFloor() {
        test::TempDir dir;
        const std::string db = dir.path("t.db");
        const std::string file = test::sourceFile("resources/experiments/default.toml");
        const std::vector<Override> ov = {"train.steps=300", "data.val_every=100", "log.checkpoint_every=0",
                                          "device=cpu", "train.threads=2"};
        const ExperimentSpec spec = loadExperiment(file, ov);
        const std::int64_t id = test::runToml(db, readTextFile(file), ov);
        auto store = Store::open(db, Store::Mode::ReadOnly);
        const RunRecord r = store->run(id);
        QCOMPARE(r.status, RunStatus::Completed);
        QCOMPARE(r.stepsDone, std::int64_t{300});
        const auto val = store->metric(id, "val_loss");
        QVERIFY(!val.values.empty());
        const double finalVal = val.values.back();
        const double unigram = test::unigramEntropy(spec);
        const double floor = r.entropyFloor;
        qInfo("final val loss %.4f; unigram entropy of the mix %.4f; entropy floor %.4f nats/token", finalVal,
              unigram, floor);
        QVERIFY2(finalVal < unigram - 0.3, "the model did not learn beyond byte frequencies");
        QVERIFY2(finalVal > floor, "validation loss below the sources' entropy floor: impossible");
        // Per domain: noise stays near ln 256, markov above its own floor.
        const double noise = store->metric(id, "val_loss.noise").values.back();
        QVERIFY2(noise > std::log(256.0) - 0.05, qPrintable(QString::number(noise)));
        QVERIFY(store->metric(id, "val_loss.markov").values.back() > r.domains[0].entropyFloor);
        QCOMPARE(store->metric(id, "train_loss").values.size(), size_t{300});
        QCOMPARE(store->metric(id, "lr").values.size(), size_t{300});
    }

    void sameSeedIsBitIdentical() {
        test::TempDir dir;
        const std::string db = dir.path("d.db");
        const auto a = test::runToml(db, test::tinyExperimentToml(30, 7));
        const auto b = test::runToml(db, test::tinyExperimentToml(30, 7));
        const auto c = test::runToml(db, test::tinyExperimentToml(30, 8));
        const auto la = test::storedMetric(db, a, "train_loss");
        const auto lb = test::storedMetric(db, b, "train_loss");
        const auto lc = test::storedMetric(db, c, "train_loss");
        QCOMPARE(la.size(), size_t{30});
        QVERIFY2(test::bitIdentical(la, lb), "same seed gave different losses");
        QVERIFY2(!test::bitIdentical(la, lc), "different seeds gave the same losses");
        QVERIFY(
            test::bitIdentical(test::storedMetric(db, a, "val_loss"), test::storedMetric(db, b, "val_loss")));
    }

    void pauseIsVisibleAndNotCountedAsTrainingTime() {
        test::TempDir dir;
        const std::string db = dir.path("p.db");
        LaunchRequest req;
        req.dbPath = db;
        req.specText = test::tinyExperimentToml(30);
        req.origin = "<test>";
        auto session = RunSession::launch(req);
        bool paused = false;
        bool sawPausedInStore = false;
        double maxGap = 0;
        double lastWall = -1;
        test::driveSession(*session, [&](const StepEvent& e) {
            if (lastWall >= 0) {
                maxGap = std::max(maxGap, e.wallSeconds - lastWall);
            }
            lastWall = e.wallSeconds;
            if (e.step == 10 && !paused) {
                paused = true;
                session->run().pause();
                QThread::msleep(1500);
                sawPausedInStore = Store::open(db, Store::Mode::ReadOnly)->run(session->runId()).paused;
                session->run().resume();
            }
        });
        QVERIFY2(sawPausedInStore, "a paused run did not show as paused to another reader");
        qInfo("largest training-time gap between steps around a 1.5 s pause: %.3f s", maxGap);
        QVERIFY(maxGap < 1.0);
        auto store = Store::open(db, Store::Mode::ReadOnly);
        QVERIFY(!store->run(session->runId()).paused);
        int pauses = 0, resumes = 0;
        for (const auto& n : store->notices(session->runId())) {
            pauses += n.kind == "paused";
            resumes += n.kind == "resumed";
        }
        QCOMPARE(pauses, 1);
        QCOMPARE(resumes, 1);
    }

    void parameterCountMatchesClosedForm_data() {
        QTest::addColumn<int>("layers");
        QTest::addColumn<int>("d");
        QTest::addColumn<int>("ctx");
        QTest::newRow("tiny") << 1 << 32 << 16;
        QTest::newRow("default") << 2 << 128 << 64;
        QTest::newRow("deeper") << 4 << 64 << 128;
    }
    void parameterCountMatchesClosedForm() {
        QFETCH(int, layers);
        QFETCH(int, d);
        QFETCH(int, ctx);
        ModelSpec m;
        m.nLayer = layers;
        m.dModel = d;
        m.nHead = 2;
        m.context = ctx;
        const ModelInfo mi = modelInfo(m);
        const std::int64_t perBlock = 12LL * d * d + 13LL * d;
        QCOMPARE(mi.params, layers * perBlock + 2LL * d + 256LL * d + static_cast<std::int64_t>(ctx) * d);
        QCOMPARE(mi.paramsNonEmbedding, layers * perBlock + 2LL * d);
        QCOMPARE(countModelParameters(m), mi.params);  // torch's own count of the module
    }
};

QTEST_APPLESS_MAIN(TestTraining)
#include "test_training.moc"
