// SPDX-License-Identifier: GPL-3.0-or-later
// Bootstrap of a nonlinear fit: resample the fitted points with replacement (as integer weights),
// refit, and summarise the spread of the estimates by percentile intervals and standard deviations.
#include <algorithm>
#include <cmath>

#include "uncertainty.h"

namespace anneal::fit::detail {

namespace {

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

double quantile(const std::vector<double>& sorted, double q) {
    const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
    const size_t lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::mt19937_64 resampleRng(uint64_t seed, size_t k) {
    return std::mt19937_64(splitmix64(seed ^ splitmix64(static_cast<uint64_t>(k) + 1)));
}

size_t uniformIndex(std::mt19937_64& rng, size_t n) {
    // Rejection sampling: mt19937_64 output is specified exactly by the standard, unlike
    // std::uniform_int_distribution, so resamples are the same on every platform.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do {
        v = rng();
    } while (v >= limit);
    return static_cast<size_t>(v % n);
}

std::vector<double> drawCounts(std::mt19937_64& rng, const std::vector<size_t>& fitted, size_t total) {
    std::vector<double> counts(total, 0.0);
    for (size_t k = 0; k < fitted.size(); ++k) {
        counts[fitted[uniformIndex(rng, fitted.size())]] += 1.0;
    }
    return counts;
}

void summarizeBootstrap(const std::vector<std::vector<double>>& samples, double level,
                        std::vector<ParamEstimate>& params) {
    for (size_t j = 0; j < params.size(); ++j) {
        if (params[j].fixed) {
            continue;
        }
        std::vector<double> v;
        for (const auto& s : samples) {
            if (std::isfinite(s[j])) {
                v.push_back(s[j]);
            }
        }
        if (v.size() < 2) {
            continue;
        }
        std::sort(v.begin(), v.end());
        params[j].ciLow = quantile(v, 0.5 * (1.0 - level));
        params[j].ciHigh = quantile(v, 1.0 - 0.5 * (1.0 - level));
        double mean = 0.0;
        for (double x : v) {
            mean += x;
        }
        mean /= static_cast<double>(v.size());
        double ss = 0.0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        params[j].seBootstrap = std::sqrt(ss / static_cast<double>(v.size() - 1));
    }
}

BootstrapOutput runBootstrap(const BootstrapRequest& rq, const ProgressPhase& phase,
                             std::atomic<bool>& cancel) {
    const size_t k = static_cast<size_t>(rq.resamples);
    std::vector<std::vector<double>> thetas(k);
    const size_t total = rq.objective->numObservations();
    parallelFor(
        k, rq.threads,
        [&](size_t r) {
            std::mt19937_64 rng = resampleRng(rq.seed, r);
            std::vector<double> w = drawCounts(rng, rq.fitted, total);
            for (size_t i = 0; i < total; ++i) {
                w[i] *= rq.objective->weights()[i];
            }
            const HuberObjective resampled = rq.objective->withWeights(std::move(w));
            std::vector<std::vector<double>> starts = {rq.bestTheta};
            for (int e = 0; e < rq.extraStarts && !rq.grid.empty(); ++e) {
                starts.push_back(rq.grid[uniformIndex(rng, rq.grid.size())]);
            }
            LocalFit best;
            for (const auto& s : starts) {
                LocalFit f = minimizeLbfgs(resampled, *rq.map, s, rq.settings, &cancel);
                const bool better = std::isfinite(f.objective) &&
                                    (!std::isfinite(best.objective) || (f.converged && !best.converged) ||
                                     (f.converged == best.converged && f.objective < best.objective));
                if (better) {
                    best = std::move(f);
                }
            }
            if (std::isfinite(best.objective)) {
                thetas[r] = std::move(best.theta);
            }
        },
        phase, cancel);
    BootstrapOutput out;
    for (auto& t : thetas) {
        if (t.empty()) {
            ++out.failed;
        } else {
            out.thetas.push_back(std::move(t));
        }
    }
    return out;
}

}  // namespace anneal::fit::detail
