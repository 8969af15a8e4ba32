// SPDX-License-Identifier: GPL-3.0-or-later
// Data sources against independent references: the markov source's measured conditional entropy
// (plug-in estimate from counts over 1e6 tokens) against its analytic rate; arithmetic and bracket
// entropy rates against closed forms worked out by hand; planted noise rates; sampler frequencies.
#include <QtTest>
#include <cmath>
#include <map>
#include <set>

#include "anneal/config.h"
#include "anneal/data_source.h"
#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/mixture.h"

using namespace anneal;

namespace {

DomainSpec domain(const std::string& source, SourceParams params) {
    DomainSpec d;
    d.name = "d";
    d.source = source;
    d.params = std::move(params);
    return d;
}

/// Plug-in estimate of H(X_t | previous k symbols) from counts, in nats.
double conditionalEntropy(const DataSource& src, int order, int samples, int length) {
    std::map<std::string, std::map<char, double>> counts;
    std::vector<std::uint8_t> buf(static_cast<size_t>(length));
    double total = 0;
    for (int s = 0; s < samples; ++s) {
        src.sample(static_cast<std::uint64_t>(s), buf.data(), length);
        for (int t = order; t < length; ++t) {
            const std::string ctx(reinterpret_cast<const char*>(&buf[static_cast<size_t>(t - order)]),
                                  static_cast<size_t>(order));
            counts[ctx][static_cast<char>(buf[static_cast<size_t>(t)])] += 1;
            total += 1;
        }
    }
    double h = 0;
    for (const auto& [ctx, next] : counts) {
        double n = 0;
        for (const auto& [c, k] : next) {
            n += k;
        }
        for (const auto& [c, k] : next) {
            h -= k / total * std::log(k / n);
        }
    }
    return h;
}

}  // namespace

class TestData : public QObject {
    Q_OBJECT
private slots:
    void markovEntropyMatchesAnalytic_data() {
        QTest::addColumn<int>("order");
        QTest::addColumn<int>("alphabet");
        QTest::addColumn<double>("entropy");
        QTest::newRow("order 2, alphabet 8") << 2 << 8 << 1.2;
        QTest::newRow("order 1, alphabet 32") << 1 << 32 << 2.5;
        QTest::newRow("order 3, alphabet 4, low entropy") << 3 << 4 << 0.5;
    }
    void markovEntropyMatchesAnalytic() {
        QFETCH(int, order);
        QFETCH(int, alphabet);
        QFETCH(double, entropy);
        auto src = makeSource(domain("synthetic:markov", {{"order", std::int64_t{order}},
                                                          {"alphabet", std::int64_t{alphabet}},
                                                          {"entropy", entropy}}),
                              "d");
        QVERIFY(std::abs(src->entropyRate() - entropy) < 1e-9);  // the bisection hit the target
        const double measured = conditionalEntropy(*src, order, 1000, 1000 + order);  // 1e6 predicted tokens
        const double rel = std::abs(measured - src->entropyRate()) / src->entropyRate();
        qInfo("markov k=%d a=%d: analytic %.5f, measured %.5f nats/token (rel. error %.4f)", order, alphabet,
              src->entropyRate(), measured, rel);
        QVERIFY2(rel < 0.01, "measured entropy differs from the analytic rate by more than 1%");
    }

    void markovFloorCountsUniformStart() {
        auto src =
            makeSource(domain("synthetic:markov",
                              {{"order", std::int64_t{3}}, {"alphabet", std::int64_t{8}}, {"entropy", 1.0}}),
                       "d");
        // Targets 1..2 are uniform (ln 8 each), targets 3..16 cost H = 1.0.
        const double expected = (2 * std::log(8.0) + 14 * 1.0) / 16.0;
        QVERIFY(std::abs(src->entropyFloor(16) - expected) < 1e-12);
    }

    void arithmeticRateClosedForm() {
        // digits = 1, ops "+": 100 equally likely expressions "a+b=c\n" carry ln 100 nats each; c has
        // two digits for the 45 pairs with a + b >= 10, so an expression is on average
        // a (1) + '+' (1) + b (1) + '=' (1) + c (1.45) + '\n' (1) = 6.45 bytes.
        auto src = makeSource(
            domain("synthetic:arithmetic", {{"digits", std::int64_t{1}}, {"ops", std::string("+")}}), "d");
        const double expected = std::log(100.0) / 6.45;
        QVERIFY2(std::abs(src->entropyRate() - expected) < 1e-12,
                 qPrintable(QString("rate %1 vs closed form %2").arg(src->entropyRate()).arg(expected)));
    }

    void arithmeticSamplesAreCorrect() {
        auto src = makeSource(domain("synthetic:arithmetic", {{"digits", std::int64_t{2}}}), "d");
        std::vector<std::uint8_t> buf(400);
        int checked = 0;
        for (std::uint64_t s = 0; s < 50; ++s) {
            src->sample(s, buf.data(), static_cast<int>(buf.size()));
            const QString text =
                QString::fromLatin1(reinterpret_cast<const char*>(buf.data()), static_cast<int>(buf.size()));
            const QStringList lines = text.split('\n');
            for (int i = 0; i + 1 < lines.size(); ++i) {  // the last line may be cut
                static const QRegularExpression re("^(\\d+)([-+*])(\\d+)=(-?\\d+)$");
                const auto m = re.match(lines[i]);
                QVERIFY2(m.hasMatch(), qPrintable("malformed expression: " + lines[i]));
                const long long a = m.captured(1).toLongLong();
                const long long b = m.captured(3).toLongLong();
                const QChar op = m.captured(2)[0];
                const long long c = op == '+' ? a + b : (op == '-' ? a - b : a * b);
                QCOMPARE(m.captured(4).toLongLong(), c);
                ++checked;
            }
        }
        QVERIFY(checked > 1000);
    }

    void bracketRateClosedForms_data() {
        QTest::addColumn<int>("kinds");
        QTest::addColumn<int>("depth");
        QTest::addColumn<double>("expected");
        QTest::newRow("one kind, depth 1: ()()() is deterministic") << 1 << 1 << 0.0;
        QTest::newRow("two kinds, depth 1: ln 2 per pair") << 2 << 1 << std::log(2.0) / 2.0;
        // depth 2, one kind, p = 1/2: depth chain 0 -> 1 -> {0, 2}, 2 -> 1; stationary pi = (1/4, 1/2, 1/4);
        // only depth 1 is a choice (ln 2): rate = ln 2 / 2.
        QTest::newRow("one kind, depth 2") << 1 << 2 << std::log(2.0) / 2.0;
    }
    void bracketRateClosedForms() {
        QFETCH(int, kinds);
        QFETCH(int, depth);
        QFETCH(double, expected);
        auto src = makeSource(domain("synthetic:brackets",
                                     {{"kinds", std::int64_t{kinds}}, {"max_depth", std::int64_t{depth}}}),
                              "d");
        QVERIFY2(std::abs(src->entropyRate() - expected) < 1e-12,
                 qPrintable(QString::number(src->entropyRate())));
    }

    void bracketsAreBalanced() {
        auto src = makeSource(
            domain("synthetic:brackets", {{"kinds", std::int64_t{3}}, {"max_depth", std::int64_t{5}}}), "d");
        std::vector<std::uint8_t> buf(300);
        for (std::uint64_t s = 0; s < 20; ++s) {
            src->sample(s, buf.data(), 300);
            std::string stack;
            for (std::uint8_t c : buf) {
                const std::string open = "([{";
                const std::string close = ")]}";
                if (open.find(static_cast<char>(c)) != std::string::npos) {
                    stack.push_back(static_cast<char>(c));
                    QVERIFY(stack.size() <= 5);
                } else {
                    const auto k = close.find(static_cast<char>(c));
                    QVERIFY(k != std::string::npos);
                    QVERIFY(!stack.empty());
                    QCOMPARE(stack.back(), open[k]);
                    stack.pop_back();
                }
            }
        }
    }

    void noiseIsUniform() {
        auto src = makeSource(domain("synthetic:noise", {}), "d");
        std::vector<double> counts(256, 0.0);
        std::vector<std::uint8_t> buf(1024);
        for (std::uint64_t s = 0; s < 256; ++s) {
            src->sample(s, buf.data(), 1024);
            for (auto b : buf) {
                counts[b] += 1;
            }
        }
        const double expected = 256.0 * 1024.0 / 256.0;
        double chi2 = 0;
        for (double c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 255 degrees of freedom: mean 255, sd ~22.6; 350 is beyond 4 sd.
        QVERIFY2(chi2 < 350, qPrintable(QString("chi2 = %1").arg(chi2)));
        QVERIFY(std::abs(src->entropyRate() - std::log(256.0)) < 1e-12);
    }

    void plantedNoiseRate() {
        const ExperimentSpec spec = parseExperiment(R"(
[model]
context = 32
[data]
batch_size = 8
[[data.domain]]
name = "a"
source = "synthetic:markov"
[data.domain.params]
noise_rate = 0.2
)",
                                                    "<t>");
        Dataset data(spec);
        int noisy = 0;
        std::vector<std::uint8_t> clean(33), dirty(33);
        const int n = 20000;
        for (int i = 0; i < n; ++i) {
            const std::uint64_t id = makeSampleId(0, static_cast<std::uint64_t>(i));
            if (data.isNoisy(id)) {
                ++noisy;
                data.source(0).sample(static_cast<std::uint64_t>(i), clean.data(), 33);
                data.fill(id, dirty.data());
                QVERIFY(std::equal(clean.begin(), clean.begin() + 16, dirty.begin()));  // prefix kept
                QVERIFY(!std::equal(clean.begin() + 16, clean.end(), dirty.begin() + 16));
            }
            QVERIFY(!data.isNoisy(makeSampleId(0, kValidationBit | static_cast<std::uint64_t>(i))));
        }
        const double rate = static_cast<double>(noisy) / n;
        // Binomial sd = sqrt(0.2·0.8/20000) = 0.0028: 5 sd = 0.014.
        QVERIFY2(std::abs(rate - 0.2) < 0.014, qPrintable(QString::number(rate)));
    }

    void permutationIsBijection() {
        for (std::uint64_t n : {1ULL, 2ULL, 7ULL, 100ULL, 1000ULL, 4097ULL}) {
            std::set<std::uint64_t> seen;
            for (std::uint64_t i = 0; i < n; ++i) {
                const auto p = permuteIndex(i, n, 12345);
                QVERIFY(p < n);
                seen.insert(p);
            }
            QCOMPARE(seen.size(), static_cast<size_t>(n));
        }
    }

    void samplerFrequenciesMatchMixture() {
        const ExperimentSpec spec = parseExperiment(R"(
[model]
context = 8
[data]
batch_size = 64
[[data.domain]]
name = "a"
source = "synthetic:noise"
weight = 0.6
[[data.domain]]
name = "b"
source = "synthetic:noise"
weight = 0.3
[[data.domain]]
name = "c"
source = "synthetic:noise"
weight = 0.1
size = 50
[train]
steps = 1000
)",
                                                    "<t>");
        Dataset data(spec);
        MixtureSampler sampler(spec, data);
        Batch b;
        std::vector<double> counts(3, 0.0);
        std::set<std::uint64_t> finiteSeen;
        for (std::int64_t t = 0; t < 1000; ++t) {
            sampler.nextBatch(t, b);
            for (int j = 0; j < b.size; ++j) {
                counts[static_cast<size_t>(b.domains[static_cast<size_t>(j)])] += 1;
                QCOMPARE(sampleDomain(b.ids[static_cast<size_t>(j)]), b.domains[static_cast<size_t>(j)]);
                if (b.domains[static_cast<size_t>(j)] == 2) {
                    finiteSeen.insert(sampleIndex(b.ids[static_cast<size_t>(j)]));
                }
            }
        }
        const double n = 64000;
        const std::vector<double> p = {0.6, 0.3, 0.1};
        double chi2 = 0;
        for (int d = 0; d < 3; ++d) {
            chi2 += std::pow(counts[static_cast<size_t>(d)] - n * p[static_cast<size_t>(d)], 2) /
                    (n * p[static_cast<size_t>(d)]);
        }
        // 2 degrees of freedom: P(chi2 > 13.8) = 0.001.
        QVERIFY2(chi2 < 13.8, qPrintable(QString("chi2 = %1").arg(chi2)));
        QCOMPARE(finiteSeen.size(), size_t{50});  // a finite domain cycles through exactly its samples
        QCOMPARE(sampler.state().drawn[2], static_cast<std::uint64_t>(counts[2]));
    }

    void samplerIsDeterministicAndResumable() {
        const ExperimentSpec spec = parseExperiment(R"(
[model]
context = 8
[data]
batch_size = 16
[[data.domain]]
name = "a"
source = "synthetic:markov"
[[data.domain]]
name = "b"
source = "synthetic:noise"
size = 10
)",
                                                    "<t>");
        Dataset data(spec);
        MixtureSampler a(spec, data);
        MixtureSampler b(spec, data);
        Batch x, y;
        SamplerState at5;
        for (std::int64_t t = 0; t < 10; ++t) {
            if (t == 5) {
                at5 = a.state();
            }
            a.nextBatch(t, x);
            b.nextBatch(t, y);
            QCOMPARE(x.ids, y.ids);
            QCOMPARE(x.tokens, y.tokens);
        }
        MixtureSampler c(spec, data);
        c.setState(at5);
        MixtureSampler d(spec, data);
        d.setState(at5);
        for (std::int64_t t = 5; t < 10; ++t) {
            c.nextBatch(t, x);
            d.nextBatch(t, y);
            QCOMPARE(x.ids, y.ids);
        }
    }
};

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"
