// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Exponential moving average with start-up bias correction (as TensorBoard draws it): after k finite
// points the running mean m_k = a·m_(k-1) + (1 - a)·y_k is divided by 1 - a^k, so the curve starts
// on the data instead of at zero. Incremental: append() continues where the last call stopped.
// Pure: no Qt.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace anneal::ui {

class EmaSmoother {
public:
    /// weight in [0, 1): 0 = no smoothing, 0.99 = very smooth.
    explicit EmaSmoother(double weight = 0.0) : m_weight(weight) {}

    double weight() const { return m_weight; }
    void reset();
    /// Smooths y[0..n) and appends the result to out. A NaN input gives a NaN output and leaves the
    /// running mean unchanged.
    void append(const double* y, std::size_t n, std::vector<double>& out);

private:
    double m_weight;
    double m_mean = 0;
    double m_decay = 1;  ///< a^k
};

}  // namespace anneal::ui
