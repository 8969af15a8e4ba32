// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/fit/fit_result.h"

#include "anneal/error.h"

namespace anneal::fit {

double FitResult::value(const std::string& name) const {
    std::string names;
    for (const ParamEstimate& p : params) {
        if (p.name == name) {
            return p.value;
        }
        names += (names.empty() ? "" : " | ") + p.name;
    }
    throw Error(ErrorCode::NotFound, "the " + law + " fit has no parameter '" + name + "'", "param", names);
}

std::vector<double> FitResult::values() const {
    std::vector<double> v;
    for (const ParamEstimate& p : params) {
        v.push_back(p.value);
    }
    return v;
}

}  // namespace anneal::fit
