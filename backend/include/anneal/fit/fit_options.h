// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit_options.h
/// How fitLaw() fits: the law, the robust objective, bounds and fixed parameters, hold-out,
/// bootstrap, threads and the progress/cancel callback.
///
/// Parameter names and bounds are in *reported* units (E, A, B, alpha, beta for chinchilla, not
/// their logarithms). Defaults reproduce Hoffmann et al.'s procedure (METHODS 7.2): Huber delta 1e-3
/// on log residuals, summed, L-BFGS from the law's grid, best objective kept.
/// Thread-safety: plain values; fitLaw() only reads them.

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace anneal::fit {

/// Progress in [0, 1]; return false to cancel (the call then throws Error(ErrorCode::Cancelled)).
/// fitLaw() calls it on the calling thread only, at most about every 50 ms and once at the end.
using ProgressFn = std::function<bool(double fraction)>;

/// Closed or half-open interval for one parameter; infinite ends mean unbounded.
struct Bounds {
    double lower = -std::numeric_limits<double>::infinity();
    double upper = std::numeric_limits<double>::infinity();
};

/// How S1/S2 of the LR-annealing law treat warmup (METHODS 2: the paper's choice is not confirmed).
enum class WarmupMode {
    /// Include warmup updates in S1, but clamp the LR "drops" eta_{i-1} - eta_i to >= 0 during warmup,
    /// so rising LR creates no negative annealing area. Default.
    ClampDrops,
    /// Start S1 and S2 at the end of warmup with eta_0 := eta_max; losses logged during warmup are
    /// left out of the fit (their S1 is 0).
    StartAfterWarmup,
};

struct FitOptions {
    /// power | kaplan | chinchilla | lr_annealing | mpl | steplaw
    std::string law = "chinchilla";
    /// power law only: which input vector is x: "auto" (x if given, else the only one of N, D, C
    /// given), "N", "D", "C", "x" or "steps" (same as "x").
    std::string variable = "auto";
    /// Huber threshold on log residuals (METHODS 7.2).
    double huberDelta = 1e-3;
    /// Bounds by reported parameter name; they replace the law's defaults for that parameter.
    std::map<std::string, Bounds> bounds;
    /// Parameters held at a value (reported units) instead of fitted.
    std::map<std::string, double> fixed;
    /// Starting points in reported units (one value per law parameter, in law order); when not empty
    /// they replace the law's grid.
    std::vector<std::vector<double>> starts;

    // --- lr_annealing (METHODS 2); mpl has its own warmup treatment (mpl.h) and ignores these ---
    double lambda = 0.999;   ///< decay factor of the annealing momentum, used when not fitted
    bool fitLambda = false;  ///< fit lambda in [0, 1] instead of holding it at `lambda`
    WarmupMode warmup = WarmupMode::ClampDrops;

    // --- hold-out: fit on the rest, report the extrapolation error on these ---
    /// Hold out points whose N (power: its variable; curve laws: step) is above this; NaN: none.
    double holdOutAbove = std::numeric_limits<double>::quiet_NaN();
    /// Hold out these observation indices (points in input order; curves' losses numbered after
    /// each other, curve 0 first).
    std::vector<size_t> holdOutIndices;

    // --- uncertainty ---
    int bootstrap = 0;      ///< resamples of the fitted points (with replacement); 0: none
    double ciLevel = 0.95;  ///< level of the bootstrap percentile intervals
    uint64_t seed = 42;     ///< bootstrap seed; results do not depend on the thread count
    /// Each bootstrap fit starts from the best full fit plus this many grid points drawn at random.
    int bootstrapExtraStarts = 2;
    bool asymptoticSe = true;  ///< sandwich standard errors from a numerical Hessian

    // --- solver ---
    int threads = 0;           ///< worker threads; 0: std::thread::hardware_concurrency()
    int maxIterations = 2000;  ///< L-BFGS iterations per start
    /// Tolerances of the grid starts: Ceres' defaults, close to SciPy L-BFGS-B's defaults (Epoch).
    double functionTolerance = 1e-6;   ///< relative change of the objective
    double gradientTolerance = 1e-10;  ///< Ceres gradient tolerance
    double parameterTolerance = 1e-8;  ///< relative step size
    /// The best `polishStarts` grid end points are minimised again with all three tolerances at
    /// `polishTolerance`, and so are the bootstrap fits, so reported values are converged tightly.
    int polishStarts = 3;
    double polishTolerance = 1e-12;
};

}  // namespace anneal::fit
