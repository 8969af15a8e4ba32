// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit.h
/// Fitting a scaling law and predicting with the result.
///
/// fitLaw() minimises sum_i w_i * Huber_delta(log Lhat_i - log L_i) (METHODS 7.2) with L-BFGS (Ceres)
/// from every point of the law's starting grid, in parallel over std::threads, and keeps the best
/// objective; steplaw is ordinary least squares in log space instead (METHODS 7.5). Optional:
/// hold-out scoring, bootstrap percentile intervals, sandwich standard errors.
///
/// Thread-safety: fitLaw() may be called from any thread, several at once; it starts its own worker
/// threads and joins them before returning. The progress callback runs on the calling thread only.
/// Throws anneal::Error: InvalidInput (bad input or options, naming the field), Numerical (no start
/// produced a finite objective), Cancelled (the progress callback returned false).

#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/fit/fit_options.h"
#include "anneal/fit/fit_result.h"
#include "anneal/fit/law.h"

namespace anneal::fit {

FitResult fitLaw(const FitInput& input, const FitOptions& options, const ProgressFn& progress = {});

/// The fitted law at a point: loss for power/kaplan/chinchilla (power reads the field named by the
/// fit's variable: n, d, c or x), the optimal learning rate for steplaw. lr_annealing needs a whole
/// LR sequence: use predictCurve(). Throws Error(InvalidInput) when the point lacks what is needed.
double predict(const FitResult& fit, const Point& at);

/// Curve laws (lr_annealing, mpl): predicted loss after every update u = 0..lr.size()-1 of the LR
/// sequence `lr` (NaN where S1 = 0, i.e. before the first update with LR > 0 or, lr_annealing with
/// StartAfterWarmup, during warmup). lr_annealing uses the fit's lambda and warmup mode; mpl treats
/// warmup as in mpl.h. warmupSteps = -1 detects the first LR maximum.
std::vector<double> predictCurve(const FitResult& fit, const std::vector<double>& lr,
                                 int64_t warmupSteps = -1);

/// Curve laws: the predicted loss after each update in `steps` only (strictly increasing, < lr.size()),
/// e.g. the points of a plot; for mpl much cheaper than the whole curve of a long schedule.
std::vector<double> predictCurveAt(const FitResult& fit, const std::vector<double>& lr,
                                   const std::vector<int64_t>& steps, int64_t warmupSteps = -1);

/// Same with explicit parameters {L0, A, alpha, C, lambda}.
std::vector<double> predictCurve(const std::vector<double>& params, const std::vector<double>& lr,
                                 WarmupMode mode, int64_t warmupSteps = -1);

}  // namespace anneal::fit
