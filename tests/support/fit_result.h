// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A fit result with given parameter values, as a stored fit of that law would hold them: for tests
// that feed a known law to prediction, the schedule editor or the optimiser.

#include <string>
#include <vector>

#include "anneal/fit/fit.h"
#include "anneal/fit/law.h"

namespace anneal::test {

/// `values` in the law's parameter order (fit::lawByName(law).paramNames()).
inline fit::FitResult fitWithParams(const std::string& law, const std::vector<double>& values) {
    fit::FitResult f;
    f.law = law;
    f.options.law = law;
    const std::vector<std::string> names = fit::lawByName(law).paramNames();
    for (std::size_t j = 0; j < values.size(); ++j) {
        fit::ParamEstimate p;
        p.name = names[j];
        p.value = values[j];
        f.params.push_back(p);
    }
    return f;
}

}  // namespace anneal::test
