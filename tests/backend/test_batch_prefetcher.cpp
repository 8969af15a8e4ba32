// SPDX-License-Identifier: GPL-3.0-or-later
// The read-ahead thread of the training data (data/batch_prefetcher.h) against the sampler it runs
// ahead of: every batch, every sample id and every counter equal MixtureSampler::nextBatch's drawn
// on the test's thread, in order, out of order and after the counters are set (a resumed run), on a
// mixture that changes during the run and a finite domain that repeats in epochs.
#include <QtTest>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "data/batch_prefetcher.h"

using namespace anneal;

namespace {

ExperimentSpec mixedSpec() {
    // Two generated domains, one finite (size 40: an epoch every few steps), and an upsampling window
    // from step 30 of 60 so that the mixture differs between the steps the thread reads ahead.
    return parseExperiment(R"(
[model]
context = 24
[train]
steps = 60
[data]
batch_size = 8
[[data.domain]]
name = "markov"
source = "synthetic:markov"
weight = 0.7
[data.domain.params]
noise_rate = 0.2
[[data.domain]]
name = "arith"
source = "synthetic:arithmetic"
weight = 0.3
size = 40
[mixture.upsample]
start_fraction = 0.5
weights = { arith = 5.0 }
)",
                           "<t>");
}

bool sameBatch(const Batch& a, const Batch& b) {
    return a.size == b.size && a.length == b.length && a.tokens == b.tokens && a.ids == b.ids &&
           a.domains == b.domains && a.noisy == b.noisy;
}

/// Step t's batch from a plain sampler, drawn in order from the start (the reference).
std::vector<Batch> reference(const ExperimentSpec& spec, const Dataset& data, int steps,
                             std::vector<SamplerState>* states) {
    MixtureSampler s(spec, data);
    std::vector<Batch> out(static_cast<size_t>(steps));
    for (int t = 0; t < steps; ++t) {
        s.nextBatch(t, out[static_cast<size_t>(t)]);
        states->push_back(s.state());
    }
    return out;
}

}  // namespace

class TestBatchPrefetcher : public QObject {
    Q_OBJECT

private slots:
    void sameBatchesAsTheSamplerInOrder() {
        const ExperimentSpec spec = mixedSpec();
        const Dataset data(spec);
        std::vector<SamplerState> states;
        const std::vector<Batch> ref = reference(spec, data, 60, &states);
        for (int depth : {0, 1, 3}) {
            data::BatchPrefetcher p(spec, data, depth);
            Batch b;
            for (int t = 0; t < 60; ++t) {
                p.take(t, b);
                QVERIFY2(sameBatch(b, ref[static_cast<size_t>(t)]),
                         qPrintable(QString("depth %1, step %2").arg(depth).arg(t)));
                QCOMPARE(p.state().drawn, states[static_cast<size_t>(t)].drawn);
            }
        }
        // The reference draws both domains, and the finite one past its first epoch.
        QVERIFY(states.back().drawn[0] > 0);
        QVERIFY(states.back().drawn[1] > 40);
    }

    void readsAheadOnItsOwnThread() {
        const ExperimentSpec spec = mixedSpec();
        const Dataset data(spec);
        data::BatchPrefetcher p(spec, data, 3);
        QCOMPARE(p.ready(), 0);  // nothing is drawn before the first take
        Batch b;
        p.take(0, b);
        QTRY_COMPARE_WITH_TIMEOUT(p.ready(), 3, 5000);  // steps 1..3, drawn while nobody asks
    }

    void outOfOrderAndResumedStepsAreExact() {
        const ExperimentSpec spec = mixedSpec();
        const Dataset data(spec);
        std::vector<SamplerState> states;
        const std::vector<Batch> ref = reference(spec, data, 60, &states);
        data::BatchPrefetcher p(spec, data, 2);
        Batch b;
        for (int t = 0; t < 10; ++t) {
            p.take(t, b);
        }
        // A resumed run: the counters of the checkpoint after step 24, then steps 25.. in order,
        // with the thread's read-ahead of steps 10..11 thrown away.
        p.setState(states[24]);
        for (int t = 25; t < 40; ++t) {
            p.take(t, b);
            QVERIFY2(sameBatch(b, ref[static_cast<size_t>(t)]), qPrintable(QString("step %1").arg(t)));
            QCOMPARE(p.state().drawn, states[static_cast<size_t>(t)].drawn);
        }
        // Back to an earlier state and a step out of order: what a plain sampler with the same
        // counters draws at that step.
        p.setState(states[4]);
        p.take(50, b);
        MixtureSampler s(spec, data);
        s.setState(states[4]);
        Batch expected;
        s.nextBatch(50, expected);
        QVERIFY(sameBatch(b, expected));
        QCOMPARE(p.state().drawn, s.state().drawn);
        // And the step after it continues from there, ahead again.
        p.take(51, b);
        s.nextBatch(51, expected);
        QVERIFY(sameBatch(b, expected));
    }

    void aStateOfTheWrongShapeIsRefused() {
        const ExperimentSpec spec = mixedSpec();
        const Dataset data(spec);
        data::BatchPrefetcher p(spec, data, 2);
        Batch b;
        p.take(0, b);
        const SamplerState before = p.state();
        QVERIFY_THROWS_EXCEPTION(std::exception, p.setState(SamplerState{{1, 2, 3}}));
        QCOMPARE(p.state().drawn, before.drawn);  // unchanged
        p.take(1, b);                             // and still drawing in order
        std::vector<SamplerState> states;
        const std::vector<Batch> ref = reference(spec, data, 2, &states);
        QVERIFY(sameBatch(b, ref[1]));
    }
};

QTEST_APPLESS_MAIN(TestBatchPrefetcher)
#include "test_batch_prefetcher.moc"
