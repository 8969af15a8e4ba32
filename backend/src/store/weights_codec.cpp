// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/weights_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "anneal/dataset.h"
#include "anneal/error.h"

namespace anneal::store {

std::vector<WeightChunk> chunkSnapshot(const WeightSnapshotEvent& s) {
    std::map<std::int64_t, WeightChunk> byBucket;
    for (size_t i = 0; i < s.sampleIds.size(); ++i) {
        const auto bucket = static_cast<std::int64_t>(s.sampleIds[i] >> kBucketBits);
        WeightChunk& c = byBucket[bucket];
        c.bucket = bucket;
        c.records.push_back({s.sampleIds[i], i < s.steps.size() ? s.steps[i] : static_cast<std::int32_t>(s.step),
                             s.losses[i], s.weights[i], i < s.flags.size() ? s.flags[i] : std::uint8_t{0}});
    }
    std::vector<WeightChunk> out;
    for (auto& [b, c] : byBucket) {
        std::sort(c.records.begin(), c.records.end(), [](const WeightRecord& a, const WeightRecord& b2) {
            return a.sampleId != b2.sampleId ? a.sampleId < b2.sampleId : a.step < b2.step;
        });
        out.push_back(std::move(c));
    }
    return out;
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

WeightSummary summarize(int domain, const std::vector<size_t>& idx, const WeightSnapshotEvent& s, double total) {
    WeightSummary w;
    w.domain = domain;
    w.count = static_cast<std::int64_t>(idx.size());
    w.hist.assign(kHistBins, 0);
    if (idx.empty()) {
        w.mean = w.std = w.min = w.max = w.q05 = w.q25 = w.q50 = w.q75 = w.q95 = w.lossMean = w.noisyMean = std::nan("");
        return w;
    }
    std::vector<double> v;
    double sum = 0, lossSum = 0, noisySum = 0;
    for (size_t i : idx) {
        v.push_back(s.weights[i]);
        sum += s.weights[i];
        lossSum += s.losses[i];
        if (i < s.flags.size() && (s.flags[i] & 1)) {
            ++w.noisyCount;
            noisySum += s.weights[i];
        }
        const double lw = std::log10(std::max<double>(s.weights[i], 1e-30));
        const int bin = static_cast<int>(std::floor((lw - kHistLo) / (kHistHi - kHistLo) * kHistBins));
        ++w.hist[static_cast<size_t>(std::clamp(bin, 0, kHistBins - 1))];
    }
    std::sort(v.begin(), v.end());
    const double n = static_cast<double>(v.size());
    w.mean = sum / n;
    double var = 0;
    for (double x : v) {
        var += (x - w.mean) * (x - w.mean);
    }
    w.std = std::sqrt(var / n);
    w.min = v.front();
    w.max = v.back();
    w.q05 = quantile(v, 0.05);
    w.q25 = quantile(v, 0.25);
    w.q50 = quantile(v, 0.50);
    w.q75 = quantile(v, 0.75);
    w.q95 = quantile(v, 0.95);
    w.share = total > 0 ? sum / total : 0.0;
    w.lossMean = lossSum / n;
    w.noisyMean = w.noisyCount > 0 ? noisySum / static_cast<double>(w.noisyCount) : std::nan("");
    return w;
}

}  // namespace

std::vector<WeightSummary> summarizeSnapshot(const WeightSnapshotEvent& s) {
    std::map<int, std::vector<size_t>> byDomain;
    std::vector<size_t> all(s.sampleIds.size());
    double total = 0;
    for (size_t i = 0; i < s.sampleIds.size(); ++i) {
        all[i] = i;
        byDomain[sampleDomain(s.sampleIds[i])].push_back(i);
        total += s.weights[i];
    }
    std::vector<WeightSummary> out;
    out.push_back(summarize(-1, all, s, total));
    for (const auto& [d, idx] : byDomain) {
        out.push_back(summarize(d, idx, s, total));
    }
    return out;
}

}  // namespace anneal::store
