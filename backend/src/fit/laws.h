// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: the law singletons and small numeric helpers they share.

#include <algorithm>
#include <cmath>
#include <vector>

#include "model.h"

namespace anneal::fit::detail {

const LawImpl& powerLaw();
const LawImpl& kaplanLaw();
const LawImpl& chinchillaLaw();
const LawImpl& lrAnnealingLaw();
const LawImpl& mplLaw();
const LawImpl& stepLaw();

/// log(sum_k exp(t_k)) for K terms, with the softmax weights w_k = exp(t_k - LSE) (METHODS 7.2).
template <int K>
inline double logSumExp(const double (&t)[K], double (&w)[K]) {
    double m = t[0];
    for (int k = 1; k < K; ++k) {
        m = std::max(m, t[k]);
    }
    double s = 0.0;
    for (int k = 0; k < K; ++k) {
        w[k] = std::exp(t[k] - m);
        s += w[k];
    }
    for (int k = 0; k < K; ++k) {
        w[k] /= s;
    }
    return m + std::log(s);
}

/// Median of a copy of v (v not empty).
inline double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

}  // namespace anneal::fit::detail
