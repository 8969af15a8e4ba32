// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Compact storage of per-sample weights. Samples are grouped into buckets of 4096 consecutive ids
// (bucket = id >> 12; the domain sits in the id's top bits, so a bucket never mixes domains) and each
// (run, bucket, snapshot step) is one blob of n records sorted by (id, step), struct-of-arrays.
//
// Format 2 (written now; 10.3 bytes a sample for a full bucket of unique ids, against 15 before):
//   u8 0xA5 | u8 0xFE | u8 2 | u8 layout | i32 base step | ids | steps | f32 loss[n] | f32 weight[n] | flags
//   layout bit 0: ids as a 512-byte bitmap of the 4096 offsets (ids unique and the bucket at least
//                 1/8 full), else u16 offset[n];
//   layout bit 1: steps as u16 (step - base step) when the snapshot's steps span < 65536, else i32[n];
//   layout bits 2-3: flags 0 = all zero (absent), 1 = one bit each (all flags <= 1), 2 = u8[n].
// Format 1 (read only; databases written before): u16 offset[n] | i32 step[n] | f32 loss[n] |
//   f32 weight[n] | u8 flags[n], 15 bytes a sample, no header. Its second byte is the high byte of an
//   offset < 4096, never 0xFE, which is how the two are told apart.
// A sample's whole history is one indexed query on (run_id, bucket). Losses and weights are stored
// exactly (float32): the format saves bytes only where they carry no information.

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

/// One bucket of a snapshot, encoded (format 2) and ready to insert.
struct EncodedChunk {
    std::int64_t bucket = 0;
    int n = 0;
    std::string blob;
};

/// Groups a snapshot's samples by bucket, sorts each bucket by (sample id, step) and encodes it.
/// Chunks come in ascending bucket order.
std::vector<EncodedChunk> encodeSnapshot(const WeightSnapshotEvent& snapshot);
/// Decodes a blob of either format; throws Storage when its size does not match n.
std::vector<WeightRecord> decodeChunk(std::int64_t bucket, const void* data, std::size_t bytes, int n);
/// Decodes only the records of one sample, appending to out.
void decodeSample(std::int64_t bucket, const void* data, std::size_t bytes, int n, std::uint64_t sampleId,
                  std::vector<WeightRecord>& out);

}  // namespace anneal::store
