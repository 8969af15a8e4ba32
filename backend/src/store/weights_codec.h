// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Compact storage of per-sample weights. Samples are grouped into buckets of 4096 consecutive ids
// (bucket = id >> 12; the domain sits in the id's top bits, so a bucket never mixes domains) and each
// (run, bucket, snapshot step) is one blob, sorted by id, struct-of-arrays:
//   u16 offset[n] (id & 4095) | i32 step[n] | f32 loss[n] | f32 weight[n] | u8 flags[n]
// 15 bytes a sample. A sample's whole history is one indexed query on (run_id, bucket).

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/events.h"

namespace anneal::store {

constexpr int kBucketBits = 12;

struct WeightRecord {
    std::uint64_t sampleId = 0;
    std::int32_t step = 0;
    float loss = 0;
    float weight = 0;
    std::uint8_t flags = 0;
};

struct WeightChunk {
    std::int64_t bucket = 0;
    std::vector<WeightRecord> records;
};

/// Groups a snapshot into chunks by bucket, each sorted by (sample id, step).
std::vector<WeightChunk> chunkSnapshot(const WeightSnapshotEvent& snapshot);
std::string encodeChunk(const WeightChunk& chunk);
/// Decodes a blob; throws Storage when its size does not match n.
std::vector<WeightRecord> decodeChunk(std::int64_t bucket, const void* data, std::size_t bytes, int n);
/// Decodes only the records of one sample (a binary search on the sorted offsets), appending to out.
void decodeSample(std::int64_t bucket, const void* data, std::size_t bytes, int n, std::uint64_t sampleId,
                  std::vector<WeightRecord>& out);

/// Summary of a set of weights (one domain or all).
struct WeightSummary {
    int domain = -1;  ///< -1: all domains
    std::int64_t count = 0;
    double mean = 0, std = 0, min = 0, max = 0;
    double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;
    double share = 0;           ///< this domain's share of the total weight (effective gradient share)
    double lossMean = 0;
    std::int64_t noisyCount = 0;
    double noisyMean = 0;       ///< mean weight of planted-noise samples (NaN if none)
    std::vector<std::uint32_t> hist;  ///< kHistBins counts of log10(weight) over [kHistLo, kHistHi]
};
constexpr int kHistBins = 64;
constexpr double kHistLo = -2.0;
constexpr double kHistHi = 2.0;

/// Overall (domain -1) and per-domain summaries of a snapshot.
std::vector<WeightSummary> summarizeSnapshot(const WeightSnapshotEvent& snapshot);

}  // namespace anneal::store
