// SPDX-License-Identifier: GPL-3.0-or-later
// StepLaw point predictions (METHODS 7.5, 8.7).
#include "anneal/fit/steplaw.h"

#include <cmath>

#include "anneal/error.h"

namespace anneal::fit::steplaw {

double optimalLr(double n, double d, const Coefficients& k) {
    return std::exp(k.cLr + k.cN * std::log(n) + k.cD * std::log(d));
}

double optimalBatchTokens(double d, const Coefficients& k) { return std::exp(k.cBs + k.cBD * std::log(d)); }

Coefficients coefficientsOf(const FitResult& fit) {
    if (fit.law != "steplaw") {
        throw Error(ErrorCode::InvalidInput, "needs a steplaw fit, not " + fit.law, "law");
    }
    return {fit.value("c_lr"), fit.value("c_N"), fit.value("c_D"), fit.value("c_bs"), fit.value("c_bD")};
}

}  // namespace anneal::fit::steplaw
