// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/fit/annealing_area.h"

#include <cmath>
#include <string>

#include "anneal/error.h"
#include "annealing_walk.h"

namespace anneal::fit {

int64_t detectWarmupSteps(const std::vector<double>& lr) {
    if (lr.empty()) {
        return 0;
    }
    return static_cast<int64_t>(std::max_element(lr.begin(), lr.end()) - lr.begin());
}

AnnealingAreas annealingAreas(const std::vector<double>& lr, double lambda, WarmupMode mode,
                              int64_t warmupSteps) {
    for (size_t i = 0; i < lr.size(); ++i) {
        if (!std::isfinite(lr[i]) || lr[i] < 0.0) {
            throw Error(ErrorCode::InvalidInput, "LR must be finite and >= 0",
                        "lr[" + std::to_string(i) + "]", ">= 0");
        }
    }
    if (!(lambda >= 0.0 && lambda <= 1.0)) {
        throw Error(ErrorCode::InvalidInput, "decay factor out of range", "lambda", "0 <= lambda <= 1");
    }
    if (warmupSteps < 0) {
        warmupSteps = detectWarmupSteps(lr);
    } else if (!lr.empty() && warmupSteps >= static_cast<int64_t>(lr.size())) {
        throw Error(ErrorCode::InvalidInput, "warmup is longer than the LR sequence", "warmupSteps",
                    "< " + std::to_string(lr.size()));
    }
    AnnealingAreas out;
    out.s1.resize(lr.size());
    out.s2.resize(lr.size());
    out.ds2dLambda.resize(lr.size());
    detail::walkAnnealingAreas(lr, lambda, mode, warmupSteps, static_cast<int64_t>(lr.size()) - 1,
                               [&](int64_t u, double s1, double s2, double ds2) {
                                   out.s1[static_cast<size_t>(u)] = s1;
                                   out.s2[static_cast<size_t>(u)] = s2;
                                   out.ds2dLambda[static_cast<size_t>(u)] = ds2;
                               });
    return out;
}

}  // namespace anneal::fit
