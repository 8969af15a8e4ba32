// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// MinMaxPyramid: the positions of the lowest and highest value of every block of 16, 32, 64, ...
// points of a series, kept up to date as points are appended. With it, min/max-per-pixel decimation
// of a wide range reads a few blocks per pixel column instead of every point (10 million points:
// tens of microseconds per curve instead of tens of milliseconds) and returns the same extremes, so
// spikes survive exactly as without it. Pure: no Qt.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "min_max_decimator.h"

namespace anneal::ui {

class MinMaxPyramid {
public:
    static constexpr std::size_t kBaseBlock = 16;

    /// Rebuilds for y[0..n).
    void build(const double* y, std::size_t n);
    /// y grew from the size of the last build/update to n (y may have moved in memory).
    void update(const double* y, std::size_t n);
    void clear();
    std::size_t size() const { return m_size; }

    /// Same contract as MinMaxDecimator::decimate (linear x only; a log range falls back to it).
    /// With `midpoints`, a column holding many points gives one point instead of two: the middle of
    /// its lowest and highest (at the x halfway between them), for smoothed curves, whose trend is what
    /// is drawn (their raw envelope beside them keeps the extremes); half the vertices to stroke.
    void decimate(const double* x, const double* y, std::size_t n, const MinMaxDecimator::Range& range,
                  std::vector<double>& outX, std::vector<double>& outY, bool midpoints = false) const;

private:
    struct Block {
        std::uint32_t minI;
        std::uint32_t maxI;
    };
    static constexpr std::uint32_t kNone = 0xffffffffu;
    void rebuildFrom(const double* y, std::size_t oldSize);

    std::vector<std::vector<Block>> m_levels;  ///< level k: blocks of kBaseBlock << k points
    std::size_t m_size = 0;
};

}  // namespace anneal::ui
