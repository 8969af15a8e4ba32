// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file predict_run.h
/// Validating a curve-law fit (lr_annealing, mpl) on a run, as Luo et al. do (arXiv:2503.12811): the
/// fit predicts the run's loss curve from the run's own LR sequence (runLearningRates over its branch
/// history; its warmup from its config) and is compared with the loss the run logged (curveFromRun):
///   PredE  = mean over logged steps of |predicted - observed| / observed,
///   WorstE = max over logged steps of the same,
///   final  = (predicted - observed) / observed at the last logged step (signed: > 0 overpredicts).
/// Logged steps where the law is undefined (NaN: no LR > 0 yet, or lr_annealing's StartAfterWarmup
/// during warmup) are left out and counted. `anneal-cli predict --fit F --run R` prints these.
/// Thread-safety: pure functions of their arguments; the store is only read.

#include <cstdint>
#include <string>
#include <vector>

#include "anneal/fit/fit_result.h"
#include "anneal/store.h"

namespace anneal::fit {

struct CurveErrors {
    double meanRelative = kNaN;   ///< PredE
    double worstRelative = kNaN;  ///< WorstE
    std::size_t worstIndex = 0;   ///< where WorstE is reached
    double finalRelative = kNaN;  ///< signed relative error of the last pair
};

/// The errors of `predicted` against `observed` (same length, observed > 0, all finite). Throws
/// Error(InvalidInput) when they are empty or their lengths differ.
CurveErrors curveErrors(const std::vector<double>& observed, const std::vector<double>& predicted);

struct RunPrediction {
    std::int64_t runId = 0;
    std::string runName;
    std::string metric;               ///< the loss compared
    std::vector<std::int64_t> steps;  ///< logged updates compared (finite loss > 0, prediction defined)
    std::vector<double> observed;     ///< the run's metric at steps
    std::vector<double> predicted;    ///< the fit's prediction at steps
    std::size_t skipped = 0;          ///< logged losses where the law is undefined
    std::size_t before = 0;           ///< logged losses before fromStep, left out
    CurveErrors errors;
};

/// Predicts run `runId`'s `metric` curve with a curve-law fit. Throws Error: InvalidInput naming
/// "--fit" (not lr_annealing or mpl), NotFound naming "--run" (no such run; allowed: the database's run
/// ids), InvalidInput naming "--metric" (the run has no such metric; allowed: the metrics it has), and
/// what runLearningRates throws (an imported run without an lr column).
/// Logged steps before `fromStep` are left out of the comparison (e.g. the early transient a fit
/// left out with --min-step, or a branch's parent history); Error(InvalidInput) naming "--min-step"
/// when no logged step is left.
RunPrediction predictRun(const Store& store, const FitResult& fit, std::int64_t runId,
                         const std::string& metric, std::int64_t fromStep = 0);

}  // namespace anneal::fit
