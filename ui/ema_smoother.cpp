// SPDX-License-Identifier: GPL-3.0-or-later
#include "ema_smoother.h"

#include <cmath>

namespace anneal::ui {

void EmaSmoother::reset() {
    m_mean = 0;
    m_decay = 1;
}

void EmaSmoother::append(const double* y, std::size_t n, std::vector<double>& out) {
    out.reserve(out.size() + n);
    for (std::size_t i = 0; i < n; ++i) {
        const double v = y[i];
        if (!std::isfinite(v)) {
            out.push_back(std::nan(""));
            continue;
        }
        m_mean = m_weight * m_mean + (1.0 - m_weight) * v;
        m_decay *= m_weight;
        const double debias = 1.0 - m_decay;
        out.push_back(debias > 0 ? m_mean / debias : v);
    }
}

}  // namespace anneal::ui
