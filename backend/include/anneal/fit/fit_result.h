// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file fit_result.h
/// What fitLaw() returns: the fitted parameters with their intervals, the objective, every point
/// with its prediction and residual, hold-out scores and warnings. A FitResult is self-contained:
/// predictions, exports (fit_export.h) and storage need nothing else.
///
/// Residuals are log residuals, r = log(predicted) - log(observed), the quantity the Huber objective
/// sees. Thread-safety: plain values. value() throws anneal::Error(NotFound).

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/fit/fit_options.h"

namespace anneal::fit {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct ParamEstimate {
    std::string name;
    double value = kNaN;
    bool fixed = false;   ///< held at this value, not fitted
    double ciLow = kNaN;  ///< bootstrap percentile interval at FitResult::ciLevel
    double ciHigh = kNaN;
    double seBootstrap = kNaN;   ///< standard deviation of the bootstrap estimates
    double seAsymptotic = kNaN;  ///< sandwich estimate (numerical Hessian); NaN when unavailable
};

struct PointResult {
    int curve = -1;    ///< lr_annealing: curve index; -1 for points
    size_t index = 0;  ///< index in FitInput's point vectors, or in the curve's steps
    double n = kNaN;   ///< predictors as used (NaN when the law does not use them)
    double d = kNaN;
    double c = kNaN;
    double x = kNaN;              ///< power: its variable; lr_annealing: the step (update index)
    std::string target = "loss";  ///< "loss", or "lr" / "batch" for steplaw
    std::string label;            ///< FitInput::labels entry or curve name
    double observed = kNaN;
    double predicted = kNaN;
    double residual = kNaN;  ///< log(predicted) - log(observed)
    double weight = 1.0;
    bool heldOut = false;  ///< not used in the fit (hold-out set)
};

/// Extrapolation error on the held-out points.
struct HoldOutScore {
    size_t count = 0;
    double rmseLog = kNaN;  ///< root mean square of log residuals
    double maxAbsLog = kNaN;
    double meanAbsRelative = kNaN;  ///< mean |predicted - observed| / observed
    double maxAbsRelative = kNaN;
    double huber = kNaN;  ///< sum of Huber terms (same objective as the fit)
};

struct FitWarning {
    std::string field;  ///< a parameter name, "points[12]", "curves[0]", "bootstrap"...
    std::string message;
};

struct FitResult {
    std::string law;
    std::vector<ParamEstimate> params;  ///< in the law's parameter order
    double objective = kNaN;            ///< sum of weighted Huber terms at the best fit
    size_t nPoints = 0;                 ///< observations used in the fit
    size_t nHeldOut = 0;
    size_t startsTotal = 0;  ///< L-BFGS starts run (steplaw: 0, it is OLS)
    size_t startsConverged = 0;
    std::vector<PointResult> points;  ///< every observation, held-out ones included
    std::optional<HoldOutScore> holdOut;
    int bootstrapResamples = 0;  ///< resamples that produced a fit
    int bootstrapFailed = 0;
    double ciLevel = kNaN;
    /// Parameter vectors of the bootstrap fits (reported units, law order); for prediction bands.
    std::vector<std::vector<double>> bootstrapSamples;
    std::vector<Curve> curves;  ///< lr_annealing: the curves fitted (for prediction)
    FitOptions options;         ///< the options used; power: variable resolved
    std::vector<FitWarning> warnings;
    double seconds = 0.0;  ///< wall time of the fit (bootstrap included)

    /// Value of a parameter by name; throws Error(NotFound) listing the names.
    double value(const std::string& name) const;
    /// Parameter values in law order.
    std::vector<double> values() const;
};

}  // namespace anneal::fit
