// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Min/max-per-pixel decimation: for each pixel column keep the lowest and the highest point that
// falls in it, in their original order, so a one-step loss spike stays visible at any zoom while a
// plot of millions of points draws at most 2 points per pixel column. Pure: no widgets, no Qt.

#include <cstddef>
#include <vector>

namespace anneal::ui {

class MinMaxDecimator {
public:
    struct Range {
        double xMin = 0;
        double xMax = 1;
        int columns = 1;    ///< pixel columns of the visible x range
        bool logX = false;  ///< columns are spaced logarithmically; x <= 0 is skipped
    };

    /// Decimates the points of (x, y) inside [xMin, xMax] into out (replacing its contents).
    /// x must be ascending. Adds the nearest point on each side of the range so lines leave the
    /// plot edge instead of stopping short. Points with a NaN y are skipped when decimating; when
    /// the range holds at most 2·columns points they are all copied (NaN kept, drawn as a gap).
    /// Output size <= 2·columns + 2.
    static void decimate(const double* x, const double* y, std::size_t n, const Range& range,
                         std::vector<double>& outX, std::vector<double>& outY);

    /// Most points decimate() can return for a range.
    static std::size_t maxPoints(const Range& range) {
        return 2 * static_cast<std::size_t>(range.columns) + 2;
    }
};

/// Mean per pixel column: for stacked areas, where every series must share the same x values.
/// Returns for each non-empty column its centre x (mean of its x) and the mean of each series.
/// All series share x; out[k] receives series k.
void binnedMeans(const double* x, const std::vector<const double*>& series, std::size_t n,
                 const MinMaxDecimator::Range& range, std::vector<double>& outX,
                 std::vector<std::vector<double>>& out);

}  // namespace anneal::ui
