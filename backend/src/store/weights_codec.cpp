// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/weights_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

#include "anneal/error.h"

namespace anneal::store {

namespace {

constexpr unsigned kBucketSize = 1u << kBucketBits;
constexpr std::uint64_t kOffsetMask = kBucketSize - 1;
constexpr std::size_t kBitmapBytes = kBucketSize / 8;
constexpr std::size_t kHeaderBytes = 8;
constexpr unsigned char kMagic0 = 0xA5, kMagic1 = 0xFE, kFormat2 = 2;
constexpr unsigned kIdsBitmap = 1, kSteps16 = 2, kFlagsShift = 2;
enum FlagsMode : unsigned { FlagsNone = 0, FlagsBits = 1, FlagsBytes = 2 };

int popcount(std::uint64_t x) { return __builtin_popcountll(x); }
int countrZero(std::uint64_t x) { return __builtin_ctzll(x); }  // x != 0

template <class T>
T get(const unsigned char* p, std::size_t i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    return v;
}

template <class T>
void put(unsigned char* p, std::size_t i, T v) {
    std::memcpy(p + i * sizeof(T), &v, sizeof(T));
}

[[noreturn]] void corrupt(std::int64_t bucket, std::size_t bytes, int n, const char* why) {
    throw Error(ErrorCode::Storage, "corrupt weight chunk (bucket " + std::to_string(bucket) + ": " +
                                        std::to_string(bytes) + " bytes for " + std::to_string(n) +
                                        " samples: " + why + ")");
}

/// Where each array of a blob starts, for either format.
struct ChunkView {
    std::size_t n = 0;
    const unsigned char* ids = nullptr;  ///< bitmap or u16 offsets
    bool bitmap = false;
    const unsigned char* steps = nullptr;
    bool steps16 = false;
    std::int32_t baseStep = 0;
    const unsigned char* loss = nullptr;
    const unsigned char* weight = nullptr;
    const unsigned char* flags = nullptr;
    unsigned flagsMode = FlagsNone;

    std::int32_t stepAt(std::size_t i) const {
        return steps16 ? baseStep + static_cast<std::int32_t>(get<std::uint16_t>(steps, i))
                       : get<std::int32_t>(steps, i);
    }
    std::uint8_t flagsAt(std::size_t i) const {
        switch (flagsMode) {
            case FlagsBits:
                return static_cast<std::uint8_t>((flags[i >> 3] >> (i & 7)) & 1u);
            case FlagsBytes:
                return flags[i];
            default:
                return 0;
        }
    }
    WeightRecord record(std::uint64_t id, std::size_t i) const {
        return {id, stepAt(i), get<float>(loss, i), get<float>(weight, i), flagsAt(i)};
    }
};

ChunkView view(std::int64_t bucket, const void* data, std::size_t bytes, int n) {
    if (n < 0) {
        corrupt(bucket, bytes, n, "negative count");
    }
    ChunkView v;
    v.n = static_cast<std::size_t>(n);
    const auto* p = static_cast<const unsigned char*>(data);
    const bool format2 = bytes >= kHeaderBytes && p[0] == kMagic0 && p[1] == kMagic1;
    if (!format2) {
        if (bytes != v.n * 15) {
            corrupt(bucket, bytes, n, "not 15 bytes a sample");
        }
        v.ids = p;
        v.steps = p + 2 * v.n;
        v.loss = p + 6 * v.n;
        v.weight = p + 10 * v.n;
        v.flags = p + 14 * v.n;
        v.flagsMode = FlagsBytes;
        return v;
    }
    if (p[2] != kFormat2) {
        corrupt(bucket, bytes, n, "unknown format version");
    }
    const unsigned layout = p[3];
    v.bitmap = (layout & kIdsBitmap) != 0;
    v.steps16 = (layout & kSteps16) != 0;
    v.flagsMode = (layout >> kFlagsShift) & 3u;
    v.baseStep = get<std::int32_t>(p + 4, 0);
    if (v.flagsMode > FlagsBytes || (layout >> (kFlagsShift + 2)) != 0) {
        corrupt(bucket, bytes, n, "unknown layout");
    }
    const std::size_t idBytes = v.bitmap ? kBitmapBytes : 2 * v.n;
    const std::size_t stepBytes = (v.steps16 ? 2 : 4) * v.n;
    const std::size_t flagBytes = v.flagsMode == FlagsBits    ? (v.n + 7) / 8
                                  : v.flagsMode == FlagsBytes ? v.n
                                                              : 0;
    if (bytes != kHeaderBytes + idBytes + stepBytes + 8 * v.n + flagBytes) {
        corrupt(bucket, bytes, n, "size disagrees with the layout");
    }
    v.ids = p + kHeaderBytes;
    v.steps = v.ids + idBytes;
    v.loss = v.steps + stepBytes;
    v.weight = v.loss + 4 * v.n;
    v.flags = v.weight + 4 * v.n;
    if (v.bitmap) {
        std::size_t set = 0;
        for (std::size_t w = 0; w < kBitmapBytes / 8; ++w) {
            set += static_cast<std::size_t>(popcount(get<std::uint64_t>(v.ids, w)));
        }
        if (set != v.n) {
            corrupt(bucket, bytes, n, "id bitmap disagrees with the count");
        }
    }
    return v;
}

std::int32_t stepOf(const WeightSnapshotEvent& s, std::size_t i) {
    return i < s.steps.size() ? s.steps[i] : static_cast<std::int32_t>(s.step);
}

std::uint8_t flagsOf(const WeightSnapshotEvent& s, std::size_t i) {
    return i < s.flags.size() ? s.flags[i] : std::uint8_t{0};
}

/// One bucket of a snapshot: what the first pass learns of its samples, then its blob and where each
/// array of it starts.
struct Bucket {
    std::int64_t bucket = 0;
    std::size_t count = 0;
    std::uint64_t lastId = 0;
    std::int32_t lastStep = 0, lo = 0, hi = 0;
    bool sorted = true, unique = true;
    unsigned maxFlag = 0;

    std::string blob;
    bool bitmap = false, steps16 = false;
    unsigned flagsMode = FlagsNone;
    unsigned char *ids = nullptr, *steps = nullptr, *loss = nullptr, *weight = nullptr, *flags = nullptr;
    std::size_t next = 0;

    void see(std::uint64_t id, std::int32_t step, std::uint8_t flag) {
        if (count == 0) {
            lo = hi = step;
        } else {
            if (id < lastId || (id == lastId && step < lastStep)) {
                sorted = false;
            }
            unique = unique && id != lastId;  // meaningful when sorted; the sort path recounts
            lo = std::min(lo, step);
            hi = std::max(hi, step);
        }
        maxFlag = std::max<unsigned>(maxFlag, flag);
        lastId = id;
        lastStep = step;
        ++count;
    }

    void allocate() {
        const std::size_t k = count;
        bitmap = unique && 2 * k >= kBitmapBytes;
        steps16 = static_cast<std::int64_t>(hi) - lo < 65536;
        flagsMode = maxFlag == 0 ? FlagsNone : maxFlag == 1 ? FlagsBits : FlagsBytes;
        const std::size_t idBytes = bitmap ? kBitmapBytes : 2 * k;
        const std::size_t stepBytes = (steps16 ? 2 : 4) * k;
        const std::size_t flagBytes = flagsMode == FlagsBits ? (k + 7) / 8 : flagsMode == FlagsBytes ? k : 0;
        blob.assign(kHeaderBytes + idBytes + stepBytes + 8 * k + flagBytes, '\0');
        auto* p = reinterpret_cast<unsigned char*>(blob.data());
        p[0] = kMagic0;
        p[1] = kMagic1;
        p[2] = kFormat2;
        p[3] = static_cast<unsigned char>((bitmap ? kIdsBitmap : 0u) | (steps16 ? kSteps16 : 0u) |
                                          (flagsMode << kFlagsShift));
        put<std::int32_t>(p + 4, 0, lo);
        ids = p + kHeaderBytes;
        steps = ids + idBytes;
        loss = steps + stepBytes;
        weight = loss + 4 * k;
        flags = weight + 4 * k;
        next = 0;
    }

    /// Appends the next record (records arrive sorted by id, step).
    void write(std::uint64_t id, std::int32_t step, float l, float w, std::uint8_t f) {
        const std::size_t j = next++;
        const auto off = static_cast<unsigned>(id & kOffsetMask);
        if (bitmap) {
            ids[off >> 3] = static_cast<unsigned char>(ids[off >> 3] | (1u << (off & 7)));
        } else {
            put<std::uint16_t>(ids, j, static_cast<std::uint16_t>(off));
        }
        if (steps16) {
            put<std::uint16_t>(steps, j, static_cast<std::uint16_t>(step - lo));
        } else {
            put<std::int32_t>(steps, j, step);
        }
        put<float>(loss, j, l);
        put<float>(weight, j, w);
        if (flagsMode == FlagsBits) {
            flags[j >> 3] = static_cast<unsigned char>(flags[j >> 3] | (f << (j & 7)));
        } else if (flagsMode == FlagsBytes) {
            flags[j] = f;
        }
    }
};

}  // namespace

std::vector<EncodedChunk> encodeSnapshot(const WeightSnapshotEvent& s) {
    // Two passes in arrival order, reading the snapshot's arrays front to back: the first finds each
    // sample's bucket and what the bucket's layout needs, the second writes each sample into its
    // bucket's blob. Consecutive draws get consecutive ids, so a bucket usually arrives sorted by
    // (id, step); one that does not is sorted through an index and written from it.
    const std::size_t n = s.sampleIds.size();
    std::unordered_map<std::int64_t, std::uint32_t> slotOf;
    std::vector<std::uint32_t> slot(n);
    std::vector<Bucket> buckets;
    // A batch draws from every domain in turn, so the bucket changes at almost every sample: a small
    // direct-mapped cache of buckets (the domain, in the id's top bits, mixed into its index, so the
    // domains' current buckets sit in different entries) spares most hash lookups.
    constexpr std::size_t kCache = 64;
    std::array<std::int64_t, kCache> cachedBucket;
    std::array<std::uint32_t, kCache> cachedSlot{};
    cachedBucket.fill(-1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t id = s.sampleIds[i];
        const auto bucket = static_cast<std::int64_t>(id >> kBucketBits);
        const std::size_t r =
            (static_cast<std::size_t>(bucket) ^ (static_cast<std::size_t>(bucket >> 36) * 13)) % kCache;
        if (cachedBucket[r] != bucket) {
            auto [it, fresh] = slotOf.emplace(bucket, static_cast<std::uint32_t>(buckets.size()));
            if (fresh) {
                buckets.emplace_back().bucket = bucket;
            }
            cachedBucket[r] = bucket;
            cachedSlot[r] = it->second;
        }
        const std::uint32_t k = cachedSlot[r];
        slot[i] = k;
        buckets[k].see(id, stepOf(s, i), flagsOf(s, i));
    }
    bool anyUnsorted = false;
    for (Bucket& b : buckets) {
        if (b.sorted) {
            b.allocate();
        }
        anyUnsorted = anyUnsorted || !b.sorted;
    }
    for (std::size_t i = 0; i < n; ++i) {
        Bucket& b = buckets[slot[i]];
        if (b.sorted) {
            b.write(s.sampleIds[i], stepOf(s, i), s.losses[i], s.weights[i], flagsOf(s, i));
        }
    }
    if (anyUnsorted) {
        std::vector<std::vector<std::uint32_t>> order(buckets.size());
        for (std::size_t i = 0; i < n; ++i) {
            if (!buckets[slot[i]].sorted) {
                order[slot[i]].push_back(static_cast<std::uint32_t>(i));
            }
        }
        const auto byIdStep = [&s](std::uint32_t a, std::uint32_t b) {
            return s.sampleIds[a] != s.sampleIds[b] ? s.sampleIds[a] < s.sampleIds[b]
                                                    : stepOf(s, a) < stepOf(s, b);
        };
        for (std::size_t k = 0; k < buckets.size(); ++k) {
            if (buckets[k].sorted) {
                continue;
            }
            std::stable_sort(order[k].begin(), order[k].end(), byIdStep);
            Bucket sortedBucket;
            sortedBucket.bucket = buckets[k].bucket;
            for (std::uint32_t i : order[k]) {
                sortedBucket.see(s.sampleIds[i], stepOf(s, i), flagsOf(s, i));
            }
            sortedBucket.allocate();
            for (std::uint32_t i : order[k]) {
                sortedBucket.write(s.sampleIds[i], stepOf(s, i), s.losses[i], s.weights[i], flagsOf(s, i));
            }
            buckets[k] = std::move(sortedBucket);
        }
    }
    std::sort(buckets.begin(), buckets.end(),
              [](const Bucket& a, const Bucket& b) { return a.bucket < b.bucket; });
    std::vector<EncodedChunk> out;
    out.reserve(buckets.size());
    for (Bucket& b : buckets) {
        out.push_back({b.bucket, static_cast<int>(b.count), std::move(b.blob)});
    }
    return out;
}

std::vector<WeightRecord> decodeChunk(std::int64_t bucket, const void* data, std::size_t bytes, int n) {
    const ChunkView v = view(bucket, data, bytes, n);
    const std::uint64_t base = static_cast<std::uint64_t>(bucket) << kBucketBits;
    std::vector<WeightRecord> out;
    out.reserve(v.n);
    if (v.bitmap) {
        std::size_t i = 0;
        for (std::size_t w = 0; w < kBitmapBytes / 8; ++w) {
            for (std::uint64_t bits = get<std::uint64_t>(v.ids, w); bits != 0; bits &= bits - 1) {
                const auto off =
                    static_cast<std::uint64_t>(64 * w) + static_cast<std::uint64_t>(countrZero(bits));
                out.push_back(v.record(base | off, i++));
            }
        }
        return out;
    }
    for (std::size_t i = 0; i < v.n; ++i) {
        out.push_back(v.record(base | get<std::uint16_t>(v.ids, i), i));
    }
    return out;
}

void decodeSample(std::int64_t bucket, const void* data, std::size_t bytes, int n, std::uint64_t sampleId,
                  std::vector<WeightRecord>& out) {
    const ChunkView v = view(bucket, data, bytes, n);
    if ((sampleId >> kBucketBits) != static_cast<std::uint64_t>(bucket)) {
        return;
    }
    const auto want = static_cast<unsigned>(sampleId & kOffsetMask);
    if (v.bitmap) {
        // Unique ids: the sample's record is the one whose rank is the number of ids before it.
        const std::uint64_t word = get<std::uint64_t>(v.ids, want / 64);
        if (((word >> (want % 64)) & 1u) == 0) {
            return;
        }
        std::size_t rank = static_cast<std::size_t>(popcount(word & ((std::uint64_t{1} << (want % 64)) - 1)));
        for (unsigned w = 0; w < want / 64; ++w) {
            rank += static_cast<std::size_t>(popcount(get<std::uint64_t>(v.ids, w)));
        }
        out.push_back(v.record(sampleId, rank));
        return;
    }
    // Records are sorted by (id, step): the sample's are one run of equal offsets.
    std::size_t lo = 0, hi = v.n;
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (get<std::uint16_t>(v.ids, mid) < want) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (std::size_t i = lo; i < v.n && get<std::uint16_t>(v.ids, i) == want; ++i) {
        out.push_back(v.record(sampleId, i));
    }
}

}  // namespace anneal::store
