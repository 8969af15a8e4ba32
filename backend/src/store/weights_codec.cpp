// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/weights_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <unordered_map>

#include "anneal/dataset.h"
#include "anneal/error.h"

namespace anneal::store {

std::vector<WeightChunk> chunkSnapshot(const WeightSnapshotEvent& s) {
    // Two passes: count the samples of each bucket, then place each record straight into its chunk
    // (reserved to size), instead of growing 250 vectors one push at a time through a std::map.
    const size_t n = s.sampleIds.size();
    std::unordered_map<std::int64_t, std::uint32_t> slotOf;
    std::vector<std::uint32_t> slot(n);
    std::vector<std::int64_t> buckets;
    std::vector<size_t> counts;
    std::int64_t lastBucket = -1;
    std::uint32_t lastSlot = 0;
    for (size_t i = 0; i < n; ++i) {
        const auto bucket = static_cast<std::int64_t>(s.sampleIds[i] >> kBucketBits);
        if (bucket != lastBucket) {
            auto [it, fresh] = slotOf.emplace(bucket, static_cast<std::uint32_t>(buckets.size()));
            if (fresh) {
                buckets.push_back(bucket);
                counts.push_back(0);
            }
            lastBucket = bucket;
            lastSlot = it->second;
        }
        slot[i] = lastSlot;
        ++counts[lastSlot];
    }
    std::vector<WeightChunk> chunks(buckets.size());
    for (size_t k = 0; k < chunks.size(); ++k) {
        chunks[k].bucket = buckets[k];
        chunks[k].records.reserve(counts[k]);
    }
    for (size_t i = 0; i < n; ++i) {
        chunks[slot[i]].records.push_back({s.sampleIds[i], i < s.steps.size() ? s.steps[i] : static_cast<std::int32_t>(s.step),
                                           s.losses[i], s.weights[i], i < s.flags.size() ? s.flags[i] : std::uint8_t{0}});
    }
    const auto byIdStep = [](const WeightRecord& a, const WeightRecord& b2) {
        return a.sampleId != b2.sampleId ? a.sampleId < b2.sampleId : a.step < b2.step;
    };
    for (WeightChunk& c : chunks) {
        // Consecutive draws get consecutive ids: a bucket usually arrives sorted already.
        if (!std::is_sorted(c.records.begin(), c.records.end(), byIdStep)) {
            std::sort(c.records.begin(), c.records.end(), byIdStep);
        }
    }
    std::sort(chunks.begin(), chunks.end(), [](const WeightChunk& a, const WeightChunk& b) { return a.bucket < b.bucket; });
    return chunks;
}

std::string encodeChunk(const WeightChunk& c) {
    const size_t n = c.records.size();
    std::string blob(n * 15, '\0');
    char* p = blob.data();
    for (size_t i = 0; i < n; ++i) {
        const auto off = static_cast<std::uint16_t>(c.records[i].sampleId & ((1u << kBucketBits) - 1));
        std::memcpy(p + 2 * i, &off, 2);
        std::memcpy(p + 2 * n + 4 * i, &c.records[i].step, 4);
        std::memcpy(p + 6 * n + 4 * i, &c.records[i].loss, 4);
        std::memcpy(p + 10 * n + 4 * i, &c.records[i].weight, 4);
        p[14 * n + i] = static_cast<char>(c.records[i].flags);
    }
    return blob;
}

std::vector<WeightRecord> decodeChunk(std::int64_t bucket, const void* data, std::size_t bytes, int n) {
    if (n < 0 || bytes != static_cast<size_t>(n) * 15) {
        throw Error(ErrorCode::Storage, "corrupt weight chunk (bucket " + std::to_string(bucket) + ": " +
                                            std::to_string(bytes) + " bytes for " + std::to_string(n) + " samples)");
    }
    const auto* p = static_cast<const char*>(data);
    const auto N = static_cast<size_t>(n);
    std::vector<WeightRecord> out(N);
    for (size_t i = 0; i < N; ++i) {
        std::uint16_t off;
        std::memcpy(&off, p + 2 * i, 2);
        out[i].sampleId = (static_cast<std::uint64_t>(bucket) << kBucketBits) | off;
        std::memcpy(&out[i].step, p + 2 * N + 4 * i, 4);
        std::memcpy(&out[i].loss, p + 6 * N + 4 * i, 4);
        std::memcpy(&out[i].weight, p + 10 * N + 4 * i, 4);
        out[i].flags = static_cast<std::uint8_t>(p[14 * N + i]);
    }
    return out;
}

void decodeSample(std::int64_t bucket, const void* data, std::size_t bytes, int n, std::uint64_t sampleId,
                  std::vector<WeightRecord>& out) {
    if (n < 0 || bytes != static_cast<size_t>(n) * 15) {
        throw Error(ErrorCode::Storage, "corrupt weight chunk (bucket " + std::to_string(bucket) + ": " +
                                            std::to_string(bytes) + " bytes for " + std::to_string(n) + " samples)");
    }
    if ((sampleId >> kBucketBits) != static_cast<std::uint64_t>(bucket)) {
        return;
    }
    const auto* p = static_cast<const char*>(data);
    const auto N = static_cast<size_t>(n);
    const auto want = static_cast<std::uint16_t>(sampleId & ((1u << kBucketBits) - 1));
    auto offsetAt = [&](size_t i) {
        std::uint16_t off;
        std::memcpy(&off, p + 2 * i, 2);
        return off;
    };
    // Records are sorted by (id, step): the sample's are one run of equal offsets.
    size_t lo = 0, hi = N;
    while (lo < hi) {
        const size_t mid = (lo + hi) / 2;
        if (offsetAt(mid) < want) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; i < N && offsetAt(i) == want; ++i) {
        WeightRecord r;
        r.sampleId = sampleId;
        std::memcpy(&r.step, p + 2 * N + 4 * i, 4);
        std::memcpy(&r.loss, p + 6 * N + 4 * i, 4);
        std::memcpy(&r.weight, p + 10 * N + 4 * i, 4);
        r.flags = static_cast<std::uint8_t>(p[14 * N + i]);
        out.push_back(r);
    }
}

namespace {

double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) {
        return std::nan("");
    }
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

/// Indices 0..n-1 in ascending order of the weights: an LSD radix sort (3 passes of 11 bits) on the
/// floats' bit patterns mapped to unsigned order. A snapshot of 1e6 samples spent most of its store
/// time in std::sort of doubles (and then nth_element); this is ~10x faster and gives the same order
/// statistics, hence the same quantiles.
std::vector<std::uint32_t> orderByWeight(const std::vector<float>& w) {
    const size_t n = w.size();
    std::vector<std::uint32_t> key(n), idx(n), key2(n), idx2(n);
    for (size_t i = 0; i < n; ++i) {
        std::uint32_t b;
        std::memcpy(&b, &w[i], 4);
        key[i] = (b & 0x80000000u) ? ~b : (b | 0x80000000u);
        idx[i] = static_cast<std::uint32_t>(i);
    }
    for (int shift = 0; shift < 32; shift += 11) {
        std::vector<size_t> count(2049, 0);
        for (size_t i = 0; i < n; ++i) {
            ++count[((key[i] >> shift) & 2047u) + 1];
        }
        for (size_t b = 1; b < count.size(); ++b) {
            count[b] += count[b - 1];
        }
        for (size_t i = 0; i < n; ++i) {
            const size_t at = count[(key[i] >> shift) & 2047u]++;
            key2[at] = key[i];
            idx2[at] = idx[i];
        }
        key.swap(key2);
        idx.swap(idx2);
    }
    return idx;
}

/// The histogram bin of each weight (log10 over [kHistLo, kHistHi]), computed once per sample for the
/// overall and the per-domain summaries.
std::vector<std::uint8_t> histBins(const WeightSnapshotEvent& s) {
    std::vector<std::uint8_t> bins(s.weights.size());
    for (size_t i = 0; i < s.weights.size(); ++i) {
        const double lw = std::log10(std::max<double>(s.weights[i], 1e-30));
        const int bin = static_cast<int>(std::floor((lw - kHistLo) / (kHistHi - kHistLo) * kHistBins));
        bins[i] = static_cast<std::uint8_t>(std::clamp(bin, 0, kHistBins - 1));
    }
    return bins;
}

/// Summary of the samples idx (in index order); sorted: their weights, ascending.
WeightSummary summarize(int domain, const std::vector<size_t>& idx, const std::vector<double>& sorted,
                        const WeightSnapshotEvent& s, double total, const std::vector<std::uint8_t>& bins) {
    WeightSummary w;
    w.domain = domain;
    w.count = static_cast<std::int64_t>(idx.size());
    w.hist.assign(kHistBins, 0);
    if (idx.empty()) {
        w.mean = w.std = w.min = w.max = w.q05 = w.q25 = w.q50 = w.q75 = w.q95 = w.lossMean = w.noisyMean = std::nan("");
        return w;
    }
    double sum = 0, lossSum = 0, noisySum = 0;
    for (size_t i : idx) {
        const double x = s.weights[i];
        sum += x;
        lossSum += s.losses[i];
        if (i < s.flags.size() && (s.flags[i] & 1)) {
            ++w.noisyCount;
            noisySum += x;
        }
        ++w.hist[bins[i]];
    }
    const double n = static_cast<double>(sorted.size());
    w.mean = sum / n;
    double var = 0;
    for (double x : sorted) {  // in ascending order, as before
        var += (x - w.mean) * (x - w.mean);
    }
    w.std = std::sqrt(var / n);
    w.min = sorted.front();
    w.max = sorted.back();
    w.q05 = quantile(sorted, 0.05);
    w.q25 = quantile(sorted, 0.25);
    w.q50 = quantile(sorted, 0.50);
    w.q75 = quantile(sorted, 0.75);
    w.q95 = quantile(sorted, 0.95);
    w.share = total > 0 ? sum / total : 0.0;
    w.lossMean = lossSum / n;
    w.noisyMean = w.noisyCount > 0 ? noisySum / static_cast<double>(w.noisyCount) : std::nan("");
    return w;
}

}  // namespace

std::vector<WeightSummary> summarizeSnapshot(const WeightSnapshotEvent& s) {
    const size_t n = s.sampleIds.size();
    // Domains in ascending order, each sample's slot among them (few domains: a linear search).
    std::vector<int> domains;
    std::vector<std::uint32_t> slot(n);
    for (size_t i = 0; i < n; ++i) {
        const int d = sampleDomain(s.sampleIds[i]);
        auto it = std::find(domains.begin(), domains.end(), d);
        if (it == domains.end()) {
            domains.push_back(d);
            it = domains.end() - 1;
        }
        slot[i] = static_cast<std::uint32_t>(it - domains.begin());
    }
    std::vector<int> sortedDomains = domains;
    std::sort(sortedDomains.begin(), sortedDomains.end());
    std::vector<std::vector<size_t>> idxBy(domains.size());
    std::vector<size_t> all(n);
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
        all[i] = i;
        idxBy[slot[i]].push_back(i);
        total += s.weights[i];
    }
    // One sort of all weights; each domain's sorted weights follow from it.
    const std::vector<std::uint32_t> order = orderByWeight(s.weights);
    std::vector<double> sortedAll(n);
    std::vector<std::vector<double>> sortedBy(domains.size());
    for (size_t k = 0; k < domains.size(); ++k) {
        sortedBy[k].reserve(idxBy[k].size());
    }
    for (size_t k = 0; k < n; ++k) {
        const std::uint32_t i = order[k];
        sortedAll[k] = s.weights[i];
        sortedBy[slot[i]].push_back(s.weights[i]);
    }
    const std::vector<std::uint8_t> bins = histBins(s);
    std::vector<WeightSummary> out;
    out.push_back(summarize(-1, all, sortedAll, s, total, bins));
    for (int d : sortedDomains) {
        const size_t k = static_cast<size_t>(std::find(domains.begin(), domains.end(), d) - domains.begin());
        out.push_back(summarize(d, idxBy[k], sortedBy[k], s, total, bins));
    }
    return out;
}

}  // namespace anneal::store
