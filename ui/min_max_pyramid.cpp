// SPDX-License-Identifier: GPL-3.0-or-later
#include "min_max_pyramid.h"

#include <algorithm>
#include <cmath>

namespace anneal::ui {

void MinMaxPyramid::clear() {
    m_levels.clear();
    m_size = 0;
}

void MinMaxPyramid::build(const double* y, std::size_t n) {
    clear();
    update(y, n);
}

void MinMaxPyramid::update(const double* y, std::size_t n) {
    if (n < m_size) {
        build(y, n);
        return;
    }
    const std::size_t old = m_size;
    m_size = n;
    rebuildFrom(y, old);
}

void MinMaxPyramid::rebuildFrom(const double* y, std::size_t oldSize) {
    // Recompute the blocks that the new points touch, level by level (the last, partial block of
    // each level may change; earlier blocks never do).
    std::size_t block = kBaseBlock;
    for (std::size_t level = 0;; ++level, block *= 2) {
        if (m_levels.size() <= level) {
            m_levels.emplace_back();
        }
        std::vector<Block>& blocks = m_levels[level];
        const std::size_t count = (m_size + block - 1) / block;
        const std::size_t from = std::min(oldSize / block, blocks.size());
        blocks.resize(count);
        for (std::size_t b = from; b < count; ++b) {
            Block out{kNone, kNone};
            auto take = [&](std::uint32_t i) {
                if (i == kNone || std::isnan(y[i])) {
                    return;
                }
                if (out.minI == kNone || y[i] < y[out.minI] || (y[i] == y[out.minI] && i < out.minI)) {
                    out.minI = i;
                }
                if (out.maxI == kNone || y[i] > y[out.maxI] || (y[i] == y[out.maxI] && i < out.maxI)) {
                    out.maxI = i;
                }
            };
            if (level == 0) {
                const std::size_t end = std::min(m_size, (b + 1) * block);
                for (std::size_t i = b * block; i < end; ++i) {
                    take(static_cast<std::uint32_t>(i));
                }
            } else {
                const std::vector<Block>& below = m_levels[level - 1];
                for (std::size_t c = 2 * b; c < std::min(below.size(), 2 * b + 2); ++c) {
                    take(below[c].minI);
                    take(below[c].maxI);
                }
            }
            blocks[b] = out;
        }
        if (count <= 1) {
            m_levels.resize(level + 1);
            break;
        }
    }
}

void MinMaxPyramid::decimate(const double* x, const double* y, std::size_t n,
                             const MinMaxDecimator::Range& range, std::vector<double>& outX,
                             std::vector<double>& outY, bool midpoints) const {
    const std::size_t columns = static_cast<std::size_t>(std::max(1, range.columns));
    const std::size_t first = static_cast<std::size_t>(std::lower_bound(x, x + n, range.xMin) - x);
    const std::size_t last =
        std::max(first, static_cast<std::size_t>(std::upper_bound(x, x + n, range.xMax) - x));
    const std::size_t count = last - first;
    // Level whose blocks are at most a quarter of a pixel column: a block that straddles a column
    // boundary is counted in the column of its first point, a shift of under a quarter pixel.
    std::size_t level = 0, block = kBaseBlock;
    while (level + 1 < m_levels.size() && block * 2 * 4 <= count / columns) {
        ++level;
        block *= 2;
    }
    if (range.logX || n != m_size || m_levels.empty() || count <= 2 * columns ||
        block * 4 > count / columns) {
        MinMaxDecimator::decimate(x, y, n, range, outX, outY);  // few points per column: no gain
        return;
    }
    outX.clear();
    outY.clear();
    auto push = [&](std::size_t i) {
        outX.push_back(x[i]);
        outY.push_back(y[i]);
    };
    if (first > 0) {
        push(first - 1);
    }
    const double scale = static_cast<double>(columns) / (range.xMax - range.xMin);
    auto columnOf = [&](std::size_t i) {
        const double c = std::floor((x[i] - range.xMin) * scale);
        return static_cast<long>(std::clamp(c, 0.0, static_cast<double>(columns - 1)));
    };
    long column = -1;
    std::size_t minI = 0, maxI = 0;
    bool any = false;
    auto flush = [&] {
        if (any) {
            if (minI == maxI) {
                push(minI);
            } else if (midpoints) {
                outX.push_back(0.5 * (x[minI] + x[maxI]));
                outY.push_back(0.5 * (y[minI] + y[maxI]));
            } else {
                push(std::min(minI, maxI));
                push(std::max(minI, maxI));
            }
        }
    };
    auto visit = [&](long c, std::size_t lo, std::size_t hi) {  // candidates lo (min) and hi (max)
        if (c != column) {
            flush();
            column = c;
            minI = lo;
            maxI = hi;
            any = true;
            return;
        }
        if (y[lo] < y[minI]) {
            minI = lo;
        }
        if (y[hi] > y[maxI]) {
            maxI = hi;
        }
    };
    const std::vector<Block>& blocks = m_levels[level];
    std::size_t i = first;
    while (i < last) {
        if (i % block == 0 && i + block <= last) {
            const Block& b = blocks[i / block];
            if (b.minI != kNone) {
                visit(columnOf(i), b.minI, b.maxI);
            }
            i += block;
        } else {
            if (!std::isnan(y[i])) {
                visit(columnOf(i), i, i);
            }
            ++i;
        }
    }
    flush();
    if (last < n) {
        push(last);
    }
}

}  // namespace anneal::ui
