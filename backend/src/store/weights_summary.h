// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The weight_stats rows of a snapshot: per domain and overall, count, mean, std, min, max, five
// quantiles, the domain's share of the total weight, a log-weight histogram, and the planted-noise
// samples' mean weight.

#include <cstdint>
#include <vector>

#include "anneal/events.h"

namespace anneal::store {

/// Summary of a set of weights (one domain or all).
struct WeightSummary {
    int domain = -1;  ///< -1: all domains
    std::int64_t count = 0;
    double mean = 0, std = 0, min = 0, max = 0;
    double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;  ///< linear interpolation between order statistics
    double share = 0;  ///< this domain's share of the total weight (effective gradient share)
    double lossMean = 0;
    std::int64_t noisyCount = 0;
    double noisyMean = 0;             ///< mean weight of planted-noise samples (NaN if none)
    std::vector<std::uint32_t> hist;  ///< kHistBins counts of log10(weight) over [kHistLo, kHistHi]
};
constexpr int kHistBins = 64;
constexpr double kHistLo = -2.0;
constexpr double kHistHi = 2.0;

/// The histogram bin of one weight: floor((log10(max(w, 1e-30)) - lo) / (hi - lo) * bins), clamped;
/// NaN goes to bin 0. The definition; summarizeSnapshot gives the same bins without a logarithm.
int histBin(float weight);

/// Overall (domain -1) and per-domain (ascending) summaries of a snapshot.
std::vector<WeightSummary> summarizeSnapshot(const WeightSnapshotEvent& snapshot);

}  // namespace anneal::store
