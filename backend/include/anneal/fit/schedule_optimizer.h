// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file schedule_optimizer.h
/// The schedule optimiser of METHODS 2.1 (Luo et al.): the LR sequence that minimises a fitted curve
/// law's (mpl, lr_annealing) predicted loss after the last update, subject to
///   * a fixed linear warmup of W updates to the peak (the warmup of every Anneal schedule, schedule.h),
///     and update W at the peak;
///   * floor <= eta_t <= peak and eta_t <= eta_{t-1} for t > W (floor = max(minLr, 1e-6 peak): both laws
///     have an infinite derivative at eta = 0, mpl through eta^-gamma).
///
/// Method: spectral projected gradient (Birgin, Martinez & Raydan 2000, SPG2: Barzilai-Borwein steps
/// with a non-monotone Armijo search). The law is not convex in the LRs, so two descents share
/// maxIterations and the better result is kept:
///  (a) on eta_t / peak, projected by a decreasing isotonic regression clipped to [floor, peak]/peak
///      (pool-adjacent-violators, O(T), exact for bounds common to all entries);
///  (b) first on the decrements z_t = (eta_{t-1} - eta_t) / peak, t > W (Luo et al.'s parametrisation
///      eta_t = peak - sum delta_s: z >= 0 and sum z <= 1 - floor/peak, projected onto exactly: clip,
///      else the simplex projection, O(T log T)), where mpl's annealing sum is nearly separable and a few
///      hundred iterations get close on long schedules, then polished as in (a).
/// The gradient of the final loss with respect to every eta_t is analytic, O(T) (finalLossGradient
/// below), never finite differences; phase 1's is its suffix sums. It starts from the best of cosine and
/// WSD with 10% and 20% linear cooldowns with the same peak, warmup, steps and final LR (their losses are
/// reported), clipped to the bounds, and keeps the best point each descent saw, so the result is never
/// worse than that start.
///
/// Thread-safety: pure functions; the progress callback runs on the calling thread, about every 50 ms.
/// Throws Error(InvalidInput) for a fit that is not a curve law, bad problem sizes or bounds, and
/// Error(Cancelled) when the callback returns false.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/fit/fit_options.h"
#include "anneal/fit/fit_result.h"

namespace anneal::fit {

struct ScheduleProblem {
    std::int64_t steps = 0;             ///< T: updates 0..T-1; the loss is the one after update T-1
    double peakLr = 0.0;                ///< eta_max
    std::int64_t warmupSteps = 0;       ///< W < T
    double minLr = 0.0;                 ///< lower bound after warmup (and the references' final LR)
    double warmupStartFraction = 0.01;  ///< the warmup's first LR, as in schedule.warmup_start_fraction
};

struct OptimizerOptions {
    int maxIterations = 3000;
    /// A descent stops when the loss improved by less than this (relative) over its last 50 iterations.
    double relativeTolerance = 1e-12;
};

/// A schedule with the law's predicted loss after its last update.
struct ScheduleCandidate {
    std::string name;        ///< "optimized", "cosine", "wsd 10%", "wsd 20%"
    std::vector<double> lr;  ///< LR of every update 0..T-1
    double finalLoss = kNaN;
};

struct OptimizedSchedule {
    ScheduleCandidate best;                     ///< the optimised schedule
    std::vector<ScheduleCandidate> references;  ///< cosine, wsd 10%, wsd 20% (same peak, warmup, steps)
    std::string start;                          ///< the reference it started from
    int iterations = 0;
    int evaluations = 0;     ///< loss-and-gradient evaluations
    bool converged = false;  ///< stopped by the tolerance, not by maxIterations
    double projectedGradient =
        kNaN;              ///< max |P(y - g) - y| at the end (y = eta / peak; 0 at a stationary point)
    double floorLr = 0.0;  ///< the lower bound used after warmup
    /// Where the optimised schedule leaves the LRs the fit saw (extrapolationWarnings); empty inside.
    std::vector<std::string> warnings;
};

/// Warnings for a schedule that applies, after warmup, LRs outside the range the fit's curves applied
/// after their warmup (FitResult::curves): a law fitted on a constant and a cosine-to-10 % run has never
/// seen an LR of 1e-6 x peak, and the optimiser finds exactly where the law is wrong (the
/// schedule-optimizer study: an lr_annealing optimum at 1e-6 x peak for the last half measured 6 % worse
/// than cosine while predicted better). Empty when the fit holds no curves.
std::vector<std::string> extrapolationWarnings(const FitResult& fit, const std::vector<double>& lr,
                                               std::int64_t warmupSteps);

/// The law's loss after the last update of `lr` (W = warmupSteps, as in predictCurve) and, when grad is
/// not null, d loss / d eta_t for every t into (*grad)[t]. O(T). mpl needs eta_t > 0 for t >= W.
/// Equals predictCurveAt(fit, lr, {T-1}, W) to rounding.
double finalLossGradient(const FitResult& fit, const std::vector<double>& lr, std::int64_t warmupSteps,
                         std::vector<double>* grad);

/// The reference schedules of the problem (cosine, wsd 10%, wsd 20%, decaying to minLr), built with the
/// schedule functions the trainer applies.
std::vector<ScheduleCandidate> referenceSchedules(const FitResult& fit, const ScheduleProblem& problem);

/// Minimises the final loss (see the file comment). `progress` gets a fraction of maxIterations.
OptimizedSchedule optimizeSchedule(const FitResult& fit, const ScheduleProblem& problem,
                                   const OptimizerOptions& options = {}, const ProgressFn& progress = {});

}  // namespace anneal::fit
