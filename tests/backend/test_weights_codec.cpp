// SPDX-License-Identifier: GPL-3.0-or-later
// The per-sample weight blobs (store/weights_codec.h) and the snapshot summaries
// (store/weights_summary.h), against references written here the plain way: records sorted with
// std::stable_sort, format-1 blobs laid out field by field, quantiles from a fully sorted copy, and
// histogram bins from a log10 per weight.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "store/weights_codec.h"
#include "store/weights_summary.h"

using namespace anneal;
using namespace anneal::store;

namespace {

struct Sample {
    std::uint64_t id;
    std::int32_t step;
    float loss, weight;
    std::uint8_t flags;
};

WeightSnapshotEvent eventOf(const std::vector<Sample>& samples, std::int64_t step = 1000) {
    WeightSnapshotEvent e;
    e.step = step;
    for (const Sample& s : samples) {
        e.sampleIds.push_back(s.id);
        e.steps.push_back(s.step);
        e.losses.push_back(s.loss);
        e.weights.push_back(s.weight);
        e.flags.push_back(s.flags);
    }
    return e;
}

/// Every chunk decoded, in bucket order, against the samples sorted by (id, step) (arrival order
/// kept among equals): the same records, bit for bit.
void checkRoundTrip(const std::vector<Sample>& samples, const std::vector<EncodedChunk>& chunks) {
    std::vector<Sample> want = samples;
    std::stable_sort(want.begin(), want.end(), [](const Sample& a, const Sample& b) {
        return a.id != b.id ? a.id < b.id : a.step < b.step;
    });
    std::vector<WeightRecord> got;
    std::int64_t lastBucket = -1;
    for (const EncodedChunk& c : chunks) {
        QVERIFY(c.bucket > lastBucket);
        lastBucket = c.bucket;
        const auto part = decodeChunk(c.bucket, c.blob.data(), c.blob.size(), c.n);
        QCOMPARE(part.size(), static_cast<size_t>(c.n));
        got.insert(got.end(), part.begin(), part.end());
    }
    QCOMPARE(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        QCOMPARE(got[i].sampleId, want[i].id);
        QCOMPARE(got[i].step, want[i].step);
        QCOMPARE(std::memcmp(&got[i].loss, &want[i].loss, 4), 0);
        QCOMPARE(std::memcmp(&got[i].weight, &want[i].weight, 4), 0);
        QCOMPARE(got[i].flags, want[i].flags);
    }
    // One sample's records through decodeSample: those of its id, in step order.
    for (size_t probe = 0; probe < want.size(); probe += std::max<size_t>(1, want.size() / 37)) {
        const std::uint64_t id = want[probe].id;
        std::vector<WeightRecord> one;
        for (const EncodedChunk& c : chunks) {
            decodeSample(c.bucket, c.blob.data(), c.blob.size(), c.n, id, one);
        }
        std::vector<Sample> expect;
        std::copy_if(want.begin(), want.end(), std::back_inserter(expect),
                     [id](const Sample& s) { return s.id == id; });
        QCOMPARE(one.size(), expect.size());
        for (size_t k = 0; k < one.size(); ++k) {
            QCOMPARE(one[k].step, expect[k].step);
            QCOMPARE(one[k].weight, expect[k].weight);
        }
    }
}

/// Format 1 (the blobs of databases written before format 2), laid out as its description says.
std::string formatOne(const std::vector<Sample>& sorted) {
    const size_t n = sorted.size();
    std::string b(15 * n, '\0');
    for (size_t i = 0; i < n; ++i) {
        const auto off = static_cast<std::uint16_t>(sorted[i].id & 4095);
        std::memcpy(&b[2 * i], &off, 2);
        std::memcpy(&b[2 * n + 4 * i], &sorted[i].step, 4);
        std::memcpy(&b[6 * n + 4 * i], &sorted[i].loss, 4);
        std::memcpy(&b[10 * n + 4 * i], &sorted[i].weight, 4);
        b[14 * n + i] = static_cast<char>(sorted[i].flags);
    }
    return b;
}

/// The histogram bin as the store computed it before (a log10 per weight).
int referenceBin(float w) {
    const double lw = std::log10(std::max<double>(w, 1e-30));
    const int bin = static_cast<int>(std::floor((lw - kHistLo) / (kHistHi - kHistLo) * kHistBins));
    return std::clamp(bin, 0, kHistBins - 1);
}

double referenceQuantile(const std::vector<double>& sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

void checkSummary(const WeightSummary& got, const std::vector<const Sample*>& members, double total) {
    QCOMPARE(got.count, static_cast<std::int64_t>(members.size()));
    std::vector<double> w;
    double sum = 0, lossSum = 0, noisySum = 0;
    std::int64_t noisy = 0;
    std::vector<std::uint32_t> hist(kHistBins, 0);
    for (const Sample* s : members) {
        w.push_back(s->weight);
        sum += s->weight;
        lossSum += s->loss;
        if (s->flags & 1) {
            ++noisy;
            noisySum += s->weight;
        }
        ++hist[static_cast<size_t>(referenceBin(s->weight))];
    }
    std::sort(w.begin(), w.end());
    const double mean = sum / static_cast<double>(w.size());
    double var = 0;
    for (double x : w) {
        var += (x - mean) * (x - mean);
    }
    const double sd = std::sqrt(var / static_cast<double>(w.size()));
    QVERIFY2(std::abs(got.mean - mean) <= 1e-12 * std::abs(mean),
             qPrintable(QString::number(got.mean - mean)));
    QVERIFY2(std::abs(got.std - sd) <= 1e-9 * sd + 1e-300, qPrintable(QString::number(got.std - sd)));
    QCOMPARE(got.min, w.front());
    QCOMPARE(got.max, w.back());
    QCOMPARE(got.q05, referenceQuantile(w, 0.05));
    QCOMPARE(got.q25, referenceQuantile(w, 0.25));
    QCOMPARE(got.q50, referenceQuantile(w, 0.50));
    QCOMPARE(got.q75, referenceQuantile(w, 0.75));
    QCOMPARE(got.q95, referenceQuantile(w, 0.95));
    QVERIFY(std::abs(got.share - sum / total) <= 1e-12);
    QVERIFY(std::abs(got.lossMean - lossSum / static_cast<double>(w.size())) <= 1e-12 * std::abs(lossSum));
    QCOMPARE(got.noisyCount, noisy);
    if (noisy > 0) {
        QVERIFY(std::abs(got.noisyMean - noisySum / static_cast<double>(noisy)) <= 1e-12 * noisySum);
    } else {
        QVERIFY(std::isnan(got.noisyMean));
    }
    QCOMPARE(got.hist, hist);
}

/// Summaries of a snapshot against the plain computation, overall and per domain.
void checkSummaries(const std::vector<Sample>& samples) {
    const auto got = summarizeSnapshot(eventOf(samples));
    std::vector<int> domains;
    for (const Sample& s : samples) {
        domains.push_back(sampleDomain(s.id));
    }
    std::sort(domains.begin(), domains.end());
    domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
    QCOMPARE(got.size(), domains.size() + 1);
    std::vector<const Sample*> all;
    double total = 0;
    for (const Sample& s : samples) {
        all.push_back(&s);
        total += s.weight;
    }
    QCOMPARE(got[0].domain, -1);
    checkSummary(got[0], all, total);
    for (size_t k = 0; k < domains.size(); ++k) {
        std::vector<const Sample*> members;
        for (const Sample& s : samples) {
            if (sampleDomain(s.id) == domains[k]) {
                members.push_back(&s);
            }
        }
        QCOMPARE(got[k + 1].domain, domains[k]);
        checkSummary(got[k + 1], members, total);
    }
}

}  // namespace

class TestWeightsCodec : public QObject {
    Q_OBJECT
private slots:
    void denseBucketsTakeAboutTenBytesASample() {
        // Three domains drawn in turn, consecutive ids: the layout a training run produces.
        std::vector<Sample> s;
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(0.f, 2.f);
        for (int i = 0; i < 3 * 8192; ++i) {
            const int d = i % 3;
            s.push_back({makeSampleId(d, 100 + static_cast<std::uint64_t>(i / 3)), 900 + i / 300, u(rng),
                         u(rng), static_cast<std::uint8_t>(i % 17 == 0)});
        }
        const auto chunks = encodeSnapshot(eventOf(s));
        checkRoundTrip(s, chunks);
        size_t bytes = 0;
        for (const auto& c : chunks) {
            bytes += c.blob.size();
        }
        const double perSample = static_cast<double>(bytes) / static_cast<double>(s.size());
        // ids as a bitmap (0.125), u16 step offsets (2), loss and weight (8), flag bits (0.125), headers.
        QVERIFY2(perSample < 10.6, qPrintable(QString::number(perSample)));
    }

    void everyLayoutRoundTrips() {
        std::vector<Sample> dup, wide, flagBytes, noFlags, reversed, sparse;
        for (int i = 0; i < 600; ++i) {
            const auto id = makeSampleId(1, 5000 + static_cast<std::uint64_t>(i % 400));  // repeated ids
            dup.push_back({id, i, 0.5f * static_cast<float>(i), 1.0f + static_cast<float>(i),
                           static_cast<std::uint8_t>(i % 2)});
            wide.push_back({makeSampleId(0, static_cast<std::uint64_t>(i)), i * 1000 - 70000, 1.f, 2.f,
                            0});  // steps span > 65535
            flagBytes.push_back({makeSampleId(2, static_cast<std::uint64_t>(i)), 10, 1.f, 0.5f,
                                 static_cast<std::uint8_t>(i % 4)});
            noFlags.push_back({makeSampleId(3, static_cast<std::uint64_t>(i)), 10, 3.f, 0.25f, 0});
            reversed.push_back({makeSampleId(0, static_cast<std::uint64_t>(9000 - i)), 20 + i % 3, 1.f,
                                static_cast<float>(i), 1});
            sparse.push_back({makeSampleId(0, static_cast<std::uint64_t>(i) * 97), 7, -1.f,
                              std::numeric_limits<float>::infinity(), 0});
        }
        for (const auto* set : {&dup, &wide, &flagBytes, &noFlags, &reversed, &sparse}) {
            checkRoundTrip(*set, encodeSnapshot(eventOf(*set)));
        }
        // Per-sample steps and flags may be missing: the snapshot's step and no flags.
        WeightSnapshotEvent bare = eventOf(noFlags, 4321);
        bare.steps.clear();
        bare.flags.clear();
        for (const auto& c : encodeSnapshot(bare)) {
            for (const auto& r : decodeChunk(c.bucket, c.blob.data(), c.blob.size(), c.n)) {
                QCOMPARE(r.step, 4321);
                QCOMPARE(r.flags, std::uint8_t{0});
            }
        }
    }

    void formatOneStillReads() {
        std::vector<Sample> s;
        for (int i = 0; i < 50; ++i) {
            s.push_back({(std::uint64_t{7} << kBucketBits) + static_cast<std::uint64_t>(i / 2 * 3), 100 + i,
                         static_cast<float>(i) / 7, 1.f / static_cast<float>(i + 1),
                         static_cast<std::uint8_t>(i % 3)});
        }
        const std::string blob = formatOne(s);
        const auto got = decodeChunk(7, blob.data(), blob.size(), 50);
        QCOMPARE(got.size(), size_t{50});
        for (size_t i = 0; i < s.size(); ++i) {
            QCOMPARE(got[i].sampleId, s[i].id);
            QCOMPARE(got[i].step, s[i].step);
            QCOMPARE(got[i].weight, s[i].weight);
            QCOMPARE(got[i].flags, s[i].flags);
        }
        std::vector<WeightRecord> one;
        decodeSample(7, blob.data(), blob.size(), 50, s[10].id, one);
        QCOMPARE(one.size(), size_t{2});
        QCOMPARE(one[0].step, 110);
        QCOMPARE(one[1].step, 111);
    }

    void corruptBlobsAreRefused() {
        std::vector<Sample> s;
        for (int i = 0; i < 300; ++i) {
            s.push_back({static_cast<std::uint64_t>(i), 1, 1.f, 1.f, 0});
        }
        const auto chunks = encodeSnapshot(eventOf(s));
        QCOMPARE(chunks.size(), size_t{1});
        const std::string good = chunks[0].blob;
        auto refused = [](const std::string& blob, int n) {
            try {
                decodeChunk(0, blob.data(), blob.size(), n);
            } catch (const Error& e) {
                return e.code() == ErrorCode::Storage &&
                       std::string(e.what()).find("bucket 0") != std::string::npos;
            }
            return false;
        };
        QVERIFY(!refused(good, 300));
        QVERIFY(refused(good.substr(0, good.size() - 1), 300));  // truncated
        QVERIFY(refused(good, 299));                             // count disagrees
        std::string badVersion = good;
        badVersion[2] = 9;
        QVERIFY(refused(badVersion, 300));
        std::string badLayout = good;
        badLayout[3] = static_cast<char>(0x40);
        QVERIFY(refused(badLayout, 300));
        std::string badBitmap = good;
        badBitmap[8 + 100] = static_cast<char>(badBitmap[8 + 100] ^ 0x10);  // one id more or less
        QVERIFY(refused(badBitmap, 300));
        QVERIFY(refused(std::string(14, '\0'), 1));  // format 1 of the wrong size
    }

    void summariesMatchThePlainComputation() {
        std::mt19937 rng(17);
        std::lognormal_distribution<float> logw(0.f, 1.5f);
        std::vector<Sample> s;
        for (int i = 0; i < 60000; ++i) {
            const int d = (i * 7) % 5 == 0 ? 4 : i % 3;  // four domains of unequal size
            s.push_back({makeSampleId(d, static_cast<std::uint64_t>(i)), i / 100, static_cast<float>(i % 11),
                         logw(rng), static_cast<std::uint8_t>(i % 13 == 0)});
        }
        // Weights on both sides of every histogram edge, below and above the histogram's range, zero
        // and repeated values.
        for (int b = 0; b <= kHistBins; ++b) {
            const auto edge =
                static_cast<float>(std::pow(10.0, kHistLo + (kHistHi - kHistLo) * b / kHistBins));
            for (float w : {std::nextafter(edge, 0.f), edge, std::nextafter(edge, 1e30f)}) {
                s.push_back({makeSampleId(1, 100000 + s.size()), 5, 1.f, w, 0});
            }
        }
        for (float w : {0.f, 1e-35f, 1e-3f, 1e5f, 3e38f, 1.f, 1.f, 1.f}) {
            s.push_back({makeSampleId(2, 200000 + s.size()), 5, 1.f, w, 1});
        }
        checkSummaries(s);
        for (const Sample& x : s) {
            QCOMPARE(histBin(x.weight), referenceBin(x.weight));
        }
    }

    void summariesOfEqualAndFewWeights() {
        // All weights equal (no reweighting): every quantile sits in one cell of 50,000 samples.
        std::vector<Sample> equal;
        for (int i = 0; i < 50000; ++i) {
            equal.push_back({makeSampleId(i % 2, static_cast<std::uint64_t>(i)), 1, 2.f, 1.f, 0});
        }
        checkSummaries(equal);
        checkSummaries({{makeSampleId(0, 1), 1, 2.f, 0.7f, 1}});
        checkSummaries({{makeSampleId(0, 1), 1, 2.f, 0.7f, 0}, {makeSampleId(3, 1), 1, 1.f, 0.1f, 0}});
        const auto empty = summarizeSnapshot(WeightSnapshotEvent{});
        QCOMPARE(empty.size(), size_t{1});
        QCOMPARE(empty[0].count, std::int64_t{0});
        QVERIFY(std::isnan(empty[0].mean));
    }
};

QTEST_APPLESS_MAIN(TestWeightsCodec)
#include "test_weights_codec.moc"
