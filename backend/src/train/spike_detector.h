// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Loss-spike detector (llm.c's OutlierDetector): z-score of a value against a sliding window of the
// previous ones. Returns NaN until the window holds kMinCount values.

#include <cmath>
#include <deque>
#include <vector>

namespace anneal::train {

class SpikeDetector {
public:
    static constexpr size_t kWindow = 128;
    static constexpr size_t kMinCount = 16;

    /// z-score of x against the window, then x joins the window.
    double update(double x) {
        double z = std::nan("");
        if (m_window.size() >= kMinCount) {
            double mean = 0;
            for (double v : m_window) {
                mean += v;
            }
            mean /= static_cast<double>(m_window.size());
            double var = 0;
            for (double v : m_window) {
                var += (v - mean) * (v - mean);
            }
            var /= static_cast<double>(m_window.size());
            z = var > 0 ? (x - mean) / std::sqrt(var) : 0.0;
        }
        if (std::isfinite(x)) {
            m_window.push_back(x);
            if (m_window.size() > kWindow) {
                m_window.pop_front();
            }
        }
        return z;
    }
    std::vector<double> window() const { return {m_window.begin(), m_window.end()}; }
    void setWindow(const std::vector<double>& w) { m_window.assign(w.begin(), w.end()); }

private:
    std::deque<double> m_window;
};

}  // namespace anneal::train
