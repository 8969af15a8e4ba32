// SPDX-License-Identifier: GPL-3.0-or-later
#include "min_max_decimator.h"

#include <algorithm>
#include <cmath>

namespace anneal::ui {

namespace {

/// Maps x to a pixel column of the range (linear or logarithmic).
class ColumnMap {
public:
    explicit ColumnMap(const MinMaxDecimator::Range& r) : m_log(r.logX), m_columns(std::max(1, r.columns)) {
        m_lo = m_log ? std::log10(std::max(r.xMin, 1e-300)) : r.xMin;
        const double hi = m_log ? std::log10(std::max(r.xMax, 1e-300)) : r.xMax;
        m_scale = hi > m_lo ? m_columns / (hi - m_lo) : 0.0;
    }
    int column(double x) const {
        const double f = m_log ? std::log10(x) : x;
        const double c = std::floor((f - m_lo) * m_scale);
        return static_cast<int>(std::clamp(c, 0.0, static_cast<double>(m_columns - 1)));
    }

private:
    bool m_log;
    int m_columns;
    double m_lo = 0;
    double m_scale = 0;
};

/// [first, last) indices of the points inside the range (x ascending).
std::pair<std::size_t, std::size_t> visibleSpan(const double* x, std::size_t n,
                                                const MinMaxDecimator::Range& r) {
    double lo = r.xMin;
    if (r.logX && lo <= 0) {
        lo = std::nextafter(0.0, 1.0);
    }
    const std::size_t first = static_cast<std::size_t>(std::lower_bound(x, x + n, lo) - x);
    const std::size_t last = static_cast<std::size_t>(std::upper_bound(x, x + n, r.xMax) - x);
    return {first, std::max(first, last)};
}

}  // namespace

void MinMaxDecimator::decimate(const double* x, const double* y, std::size_t n, const Range& range,
                               std::vector<double>& outX, std::vector<double>& outY) {
    outX.clear();
    outY.clear();
    if (n == 0) {
        return;
    }
    const auto [first, last] = visibleSpan(x, n, range);
    auto push = [&](std::size_t i) {
        outX.push_back(x[i]);
        outY.push_back(y[i]);
    };
    // The neighbour just outside the left edge (never x <= 0 on a log axis).
    if (first > 0 && (!range.logX || x[first - 1] > 0)) {
        push(first - 1);
    }
    const std::size_t count = last - first;
    const std::size_t columns = static_cast<std::size_t>(std::max(1, range.columns));
    if (count <= 2 * columns) {
        for (std::size_t i = first; i < last; ++i) {
            push(i);
        }
    } else {
        const ColumnMap map(range);
        int column = -1;
        std::size_t minI = 0, maxI = 0;
        bool any = false;
        auto flush = [&] {
            if (!any) {
                return;
            }
            if (minI == maxI) {
                push(minI);
            } else {
                push(std::min(minI, maxI));
                push(std::max(minI, maxI));
            }
        };
        for (std::size_t i = first; i < last; ++i) {
            const double v = y[i];
            if (std::isnan(v)) {
                continue;
            }
            const int c = map.column(x[i]);
            if (c != column) {
                flush();
                column = c;
                minI = maxI = i;
                any = true;
            } else if (v < y[minI]) {
                minI = i;
            } else if (v > y[maxI]) {
                maxI = i;
            }
        }
        flush();
    }
    if (last < n) {
        push(last);
    }
}

void binnedMeans(const double* x, const std::vector<const double*>& series, std::size_t n,
                 const MinMaxDecimator::Range& range, std::vector<double>& outX,
                 std::vector<std::vector<double>>& out) {
    outX.clear();
    out.assign(series.size(), {});
    if (n == 0) {
        return;
    }
    const auto [first, last] = visibleSpan(x, n, range);
    const std::size_t lo = first > 0 ? first - 1 : first;
    const std::size_t hi = std::min(n, last + 1);
    const ColumnMap map(range);
    int column = -2;
    double sumX = 0;
    std::vector<double> sums(series.size(), 0.0);
    std::size_t count = 0;
    auto flush = [&] {
        if (count == 0) {
            return;
        }
        outX.push_back(sumX / static_cast<double>(count));
        for (std::size_t k = 0; k < series.size(); ++k) {
            out[k].push_back(sums[k] / static_cast<double>(count));
        }
    };
    for (std::size_t i = lo; i < hi; ++i) {
        if (range.logX && x[i] <= 0) {
            continue;
        }
        // The two edge neighbours get columns of their own so the area reaches the plot edges.
        const int c = i < first ? -1 : (i >= last ? range.columns : map.column(x[i]));
        if (c != column) {
            flush();
            column = c;
            sumX = 0;
            std::fill(sums.begin(), sums.end(), 0.0);
            count = 0;
        }
        sumX += x[i];
        for (std::size_t k = 0; k < series.size(); ++k) {
            sums[k] += series[k][i];
        }
        ++count;
    }
    flush();
}

}  // namespace anneal::ui
