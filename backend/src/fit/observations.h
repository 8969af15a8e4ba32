// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: FitInput validated and flattened into one list of observations, the form every law's
// model and the fitter work on. Points keep input order; curve losses follow, curve 0 first.

#include <string>
#include <vector>

#include "anneal/fit/fit_input.h"
#include "anneal/fit/fit_options.h"
#include "anneal/fit/fit_result.h"

namespace anneal::fit::detail {

struct Observations {
    std::vector<double> n, d, c, x;       // predictors as used, NaN when the law does not use them
    std::vector<double> target;           // observed loss (steplaw: lr or batch)
    std::vector<double> weight;           // input weights, >= 0
    std::vector<int> curve;               // curve index, -1 for points
    std::vector<size_t> index;            // index in the input points or in the curve's steps
    std::vector<std::string> targetName;  // "loss", "lr", "batch"
    std::vector<std::string> label;
    std::vector<Curve> curves;  // curve laws: validated copies, warmupSteps resolved
    std::string variable;       // power: "N", "D", "C" or "x"
    std::vector<FitWarning> warnings;

    size_t size() const { return target.size(); }
};

/// Validates the input for `law` and flattens it. Throws Error(InvalidInput) naming the field.
Observations buildObservations(const FitInput& input, const FitOptions& options, const std::string& law);

}  // namespace anneal::fit::detail
