// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: bootstrap resampling and asymptotic (sandwich) standard errors of a nonlinear fit.

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "anneal/fit/fit_result.h"
#include "lbfgs.h"
#include "parallel.h"

namespace anneal::fit::detail {

/// Random generator of bootstrap resample k: independent of the thread that runs it.
std::mt19937_64 resampleRng(uint64_t seed, size_t k);
/// Uniform integer in [0, n) without modulo bias.
size_t uniformIndex(std::mt19937_64& rng, size_t n);
/// How often each of the fitted points is drawn in one resample (n draws with replacement);
/// counts[i] = 0 for points not in `fitted`.
std::vector<double> drawCounts(std::mt19937_64& rng, const std::vector<size_t>& fitted, size_t total);

/// Percentile interval and standard deviation of each column of samples (NaN entries ignored).
/// Quantiles by linear interpolation between order statistics (NumPy's default).
void summarizeBootstrap(const std::vector<std::vector<double>>& samples, double level,
                        std::vector<ParamEstimate>& params);

struct BootstrapRequest {
    const HuberObjective* objective = nullptr;
    const ParamMap* map = nullptr;
    std::vector<double> bestTheta;
    std::vector<std::vector<double>> grid;  // theta; extra starts are drawn from it
    std::vector<size_t> fitted;             // observations the fit used
    int resamples = 0;
    int extraStarts = 0;
    uint64_t seed = 0;
    int threads = 0;
    SolverSettings settings;
};

struct BootstrapOutput {
    std::vector<std::vector<double>> thetas;  // one per successful resample, in resample order
    int failed = 0;
};

/// Each resample refits from the best full fit plus `extraStarts` random grid points and keeps the
/// best (converged preferred). Deterministic for a seed, whatever the thread count.
BootstrapOutput runBootstrap(const BootstrapRequest& request, const ProgressPhase& phase,
                             std::atomic<bool>& cancel);

/// Sandwich covariance A^-1 B A^-1 of the Huber M-estimator at theta over the free parameters (see
/// sandwich_se.cpp). Returns per-theta standard errors (NaN for fixed ones); empty with `problem` set
/// when the information matrix is singular.
std::vector<double> sandwichStandardErrors(const HuberObjective& objective, const ParamMap& map,
                                           const std::vector<double>& theta, std::string& problem);

}  // namespace anneal::fit::detail
