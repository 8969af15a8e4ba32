// SPDX-License-Identifier: GPL-3.0-or-later
// Summaries of a weight snapshot in two passes over the samples and no sort of them: quantiles come
// from a histogram of the weights' top 16 bits (order-preserving keys) and a selection inside the few
// cells that hold the wanted order statistics; histogram bins from a table of the exact bin edges.
// A sorted copy of 1e6 weights (a radix sort and per-domain copies) and a log10 per sample cost the
// store writer more than the SQLite inserts of the snapshot (docs/BENCHMARKS.md, figure 3).
#include "store/weights_summary.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "anneal/dataset.h"

namespace anneal::store {

namespace {

constexpr std::size_t kCells = 1u << 16;

/// Maps a float to an unsigned key whose order is the floats' order (NaNs at both ends).
std::uint32_t keyOf(float w) {
    std::uint32_t b;
    std::memcpy(&b, &w, 4);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

float floatOf(std::uint32_t k) {
    const std::uint32_t b = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    float w;
    std::memcpy(&w, &b, 4);
    return w;
}

/// histBin by table: edge[b] is the smallest key whose bin is >= b (found by bisection on histBin,
/// which is non-decreasing in the key between -inf and +inf), cell[c] the bin of key c << 16. A cell
/// spans a factor of at most 2^(1/128) in weight, a bin 10^(1/16): a cell holds at most one edge.
struct BinTable {
    std::uint32_t lo = keyOf(-std::numeric_limits<float>::infinity());
    std::uint32_t hi = keyOf(std::numeric_limits<float>::infinity());
    std::array<std::uint32_t, kHistBins + 1> edge{};
    std::vector<std::uint8_t> cell = std::vector<std::uint8_t>(kCells, 0);

    BinTable() {
        for (int b = 1; b < kHistBins; ++b) {
            std::uint32_t a = lo, z = hi;  // histBin(floatOf(z)) >= b always (z = +inf: the last bin)
            while (a < z) {
                const std::uint32_t mid = a + (z - a) / 2;
                if (histBin(floatOf(mid)) >= b) {
                    z = mid;
                } else {
                    a = mid + 1;
                }
            }
            edge[static_cast<std::size_t>(b)] = a;
        }
        edge[kHistBins] = std::numeric_limits<std::uint32_t>::max();
        int b = 0;
        for (std::size_t c = 0; c < kCells; ++c) {
            const auto key = static_cast<std::uint32_t>(c << 16);
            while (b + 1 < kHistBins && key >= edge[static_cast<std::size_t>(b + 1)]) {
                ++b;
            }
            cell[c] = static_cast<std::uint8_t>(b);
        }
    }

    int bin(std::uint32_t key) const {
        if (key < lo || key > hi) {
            return 0;  // NaN
        }
        const int b = cell[key >> 16];  // at most one edge inside a cell; edge[kHistBins] is the top
        return b + (key >= edge[static_cast<std::size_t>(b + 1)] ? 1 : 0);
    }
};

const BinTable& binTable() {
    static const BinTable table;
    return table;
}

/// One summary's accumulators, and the order statistics it needs.
struct Group {
    WeightSummary s;
    double sum = 0, lossSum = 0, noisySum = 0;
    double shift = 0, dsum = 0, dsq = 0;  ///< sums of (x - shift), its square; shift: the first weight
    std::uint32_t minKey = std::numeric_limits<std::uint32_t>::max(), maxKey = 0;
    std::vector<std::uint32_t> cells = std::vector<std::uint32_t>(kCells, 0);  ///< counts by key >> 16
    std::vector<std::uint8_t> wanted;  ///< 1 + index into picks of a cell holding a wanted rank
    struct Pick {
        std::uint32_t cell = 0;
        std::size_t before = 0;  ///< samples in lower cells
        std::vector<std::uint32_t> keys;
        bool sorted = false;
    };
    std::vector<Pick> picks;

    Group() { s.hist.assign(kHistBins, 0); }

    void addScalars(float w, float loss, bool noisy) {
        const double x = w;
        if (s.count == 0) {
            shift = x;
        }
        // Shifted sums give the variance in one pass without the cancellation of E[x^2] - mean^2
        // (exactly 0 for equal weights; the shift lies inside the data's range).
        const double d = x - shift;
        dsum += d;
        dsq += d * d;
        ++s.count;
        sum += x;
        lossSum += loss;
        if (noisy) {
            ++s.noisyCount;
            noisySum += x;
        }
    }

    void add(std::uint32_t key, float w, float loss, bool noisy, int bin) {
        addScalars(w, loss, noisy);
        ++s.hist[static_cast<std::size_t>(bin)];
        minKey = std::min(minKey, key);
        maxKey = std::max(maxKey, key);
        ++cells[key >> 16];
    }

    /// Adds another group's histograms and extremes (its scalars were added sample by sample).
    void merge(const Group& o) {
        for (std::size_t b = 0; b < s.hist.size(); ++b) {
            s.hist[b] += o.s.hist[b];
        }
        for (std::size_t c = 0; c < kCells; ++c) {
            cells[c] += o.cells[c];
        }
        minKey = std::min(minKey, o.minKey);
        maxKey = std::max(maxKey, o.maxKey);
    }

    /// After the first pass: the cells of the order statistics the quantiles interpolate between.
    void planRanks() {
        const auto n = static_cast<std::size_t>(s.count);
        wanted.assign(kCells, 0);
        std::vector<std::size_t> ranks;
        for (double q : {0.05, 0.25, 0.50, 0.75, 0.95}) {
            const auto lo = static_cast<std::size_t>(std::floor(q * static_cast<double>(n - 1)));
            ranks.push_back(lo);
            ranks.push_back(std::min(lo + 1, n - 1));
        }
        std::sort(ranks.begin(), ranks.end());
        std::size_t before = 0, c = 0;
        for (std::size_t r : ranks) {
            while (before + cells[c] <= r) {
                before += cells[c++];
            }
            if (wanted[c] == 0) {
                picks.push_back({static_cast<std::uint32_t>(c), before, {}});
                wanted[c] = static_cast<std::uint8_t>(picks.size());
            }
        }
    }

    void second(std::uint32_t key) {
        if (const std::uint8_t p = wanted[key >> 16]; p != 0) {
            picks[p - 1u].keys.push_back(key);
        }
    }

    /// Sorts a cell's keys once: a counting sort on their low 16 bits when there are many (a cell can
    /// hold every sample: all weights 1 without reweighting), std::sort when there are few.
    static void sortPick(Pick& p) {
        if (p.keys.size() < 4096) {
            std::sort(p.keys.begin(), p.keys.end());
        } else {
            std::vector<std::uint32_t> count(kCells, 0);
            for (std::uint32_t k : p.keys) {
                ++count[k & 0xffffu];
            }
            std::size_t at = 0;
            for (std::size_t low = 0; low < kCells; ++low) {
                std::fill_n(p.keys.begin() + static_cast<std::ptrdiff_t>(at), count[low],
                            (p.cell << 16) | static_cast<std::uint32_t>(low));
                at += count[low];
            }
        }
        p.sorted = true;
    }

    double orderStatistic(std::size_t rank) {
        for (Pick& p : picks) {
            if (rank >= p.before && rank < p.before + p.keys.size()) {
                if (!p.sorted) {
                    sortPick(p);
                }
                return floatOf(p.keys[rank - p.before]);
            }
        }
        return std::nan("");  // unreachable: planRanks placed every rank
    }

    double quantile(double q) {
        const double pos = q * static_cast<double>(s.count - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const auto hi = std::min(lo + 1, static_cast<std::size_t>(s.count - 1));
        const double a = orderStatistic(lo), b = orderStatistic(hi);
        return a + (b - a) * (pos - static_cast<double>(lo));
    }

    void finish(double total) {
        if (s.count == 0) {
            s.mean = s.std = s.min = s.max = s.q05 = s.q25 = s.q50 = s.q75 = s.q95 = s.lossMean =
                s.noisyMean = std::nan("");
            return;
        }
        const auto n = static_cast<double>(s.count);
        s.std = std::sqrt(std::max(0.0, (dsq - dsum * dsum / n) / n));
        s.min = floatOf(minKey);
        s.max = floatOf(maxKey);
        s.q05 = quantile(0.05);
        s.q25 = quantile(0.25);
        s.q50 = quantile(0.50);
        s.q75 = quantile(0.75);
        s.q95 = quantile(0.95);
        s.share = total > 0 ? sum / total : 0.0;
        s.lossMean = lossSum / n;
        s.noisyMean = s.noisyCount > 0 ? noisySum / static_cast<double>(s.noisyCount) : std::nan("");
    }
};

}  // namespace

int histBin(float weight) {
    if (std::isnan(weight)) {
        return 0;
    }
    const double lw = std::log10(std::max<double>(weight, 1e-30));
    const double bin = std::floor((lw - kHistLo) / (kHistHi - kHistLo) * kHistBins);
    return static_cast<int>(std::clamp(bin, 0.0, static_cast<double>(kHistBins - 1)));
}

std::vector<WeightSummary> summarizeSnapshot(const WeightSnapshotEvent& s) {
    const std::size_t n = s.sampleIds.size();
    const BinTable& bins = binTable();
    // Groups: 0 = all samples, then one per domain in order of first appearance.
    std::vector<Group> groups(1);
    std::vector<int> domains;
    std::vector<std::uint32_t> groupOf;  // by domain: 0 = not seen yet
    std::vector<std::uint32_t> slot(n);
    std::vector<std::uint32_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto d = static_cast<std::size_t>(sampleDomain(s.sampleIds[i]));
        if (d >= groupOf.size()) {
            groupOf.resize(d + 1, 0);
        }
        if (groupOf[d] == 0) {
            domains.push_back(static_cast<int>(d));
            groups.emplace_back();
            groupOf[d] = static_cast<std::uint32_t>(groups.size() - 1);
        }
        const std::uint32_t g = groupOf[d];
        slot[i] = g;
        const std::uint32_t key = keyOf(s.weights[i]);
        keys[i] = key;
        const bool noisy = i < s.flags.size() && (s.flags[i] & 1);
        groups[g].add(key, s.weights[i], s.losses[i], noisy, bins.bin(key));
        groups[0].addScalars(s.weights[i], s.losses[i], noisy);
    }
    // The overall histograms are the sums of the domains'.
    for (std::size_t g = 1; g < groups.size(); ++g) {
        groups[0].merge(groups[g]);
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        Group& gr = groups[g];
        gr.s.domain = g == 0 ? -1 : domains[g - 1];
        if (gr.s.count > 0) {
            gr.s.mean = gr.sum / static_cast<double>(gr.s.count);
            gr.planRanks();
        }
    }
    // Second pass: the keys in the cells that hold the wanted order statistics.
    for (std::size_t i = 0; i < n; ++i) {
        groups[0].second(keys[i]);
        groups[slot[i]].second(keys[i]);
    }
    const double total = groups[0].sum;
    std::vector<WeightSummary> out;
    out.reserve(groups.size());
    for (Group& g : groups) {
        g.finish(total);
    }
    out.push_back(std::move(groups[0].s));
    std::vector<std::size_t> byDomain(domains.size());
    for (std::size_t k = 0; k < byDomain.size(); ++k) {
        byDomain[k] = k;
    }
    std::sort(byDomain.begin(), byDomain.end(),
              [&](std::size_t a, std::size_t b) { return domains[a] < domains[b]; });
    for (std::size_t k : byDomain) {
        out.push_back(std::move(groups[k + 1].s));
    }
    return out;
}

}  // namespace anneal::store
