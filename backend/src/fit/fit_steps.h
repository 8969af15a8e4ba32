// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: the parts of fitLaw() shared by the L-BFGS path (fit_law.cpp) and the steplaw OLS path.

#include <atomic>
#include <vector>

#include "anneal/fit/fit_result.h"
#include "observations.h"
#include "parallel.h"

namespace anneal::fit::detail {

/// Which observations are held out (FitOptions::holdOutAbove / holdOutIndices); validates them.
std::vector<bool> holdOutMask(const Observations& obs, const FitOptions& options, const std::string& law);

/// FitResult::points from the observations and their log-predictions; fills nPoints, nHeldOut and the
/// hold-out score. Huber terms use options.huberDelta (steplaw: squared residuals).
void fillPoints(const Observations& obs, const std::vector<bool>& heldOut, const std::vector<double>& logPred,
                FitResult& result, bool squared);

/// steplaw: ordinary least squares in log space (METHODS 7.5), bootstrap and classical SEs.
void fitStepLaw(const Observations& obs, const std::vector<bool>& heldOut, const FitOptions& options,
                const ProgressPhase& phase, std::atomic<bool>& cancel, FitResult& result);

}  // namespace anneal::fit::detail
