// SPDX-License-Identifier: GPL-3.0-or-later
// Kaplan et al. 2020 single-variable laws with the published constants (METHODS 7.1, 8.2).
#include "anneal/fit/kaplan.h"

#include <cmath>

namespace anneal::fit::kaplan {

double lossOfParams(double n) { return std::pow(kNc / n, kAlphaN); }
double lossOfTokens(double d) { return std::pow(kDc / d, kAlphaD); }
double lossOfCompute(double pfDays) { return std::pow(kCcMin / pfDays, kAlphaCMin); }
double lossOfParamsTokens(double n, double d) {
    return std::pow(std::pow(kTable2Nc / n, kTable2AlphaN / kTable2AlphaD) + kTable2Dc / d, kTable2AlphaD);
}

}  // namespace anneal::fit::kaplan
