// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file curve_query.h
/// A metric curve read straight to the screen: min/max per pixel column computed inside the store,
/// so a curve of millions of points comes back as at most 2·buckets + 2 points without ever being
/// held in memory. The points are the ones ui/min_max_decimator.h keeps for the same columns (the
/// lowest and the highest of each column, in step order), so a one-step spike stays visible. Where a
/// column spans many steps, the store's min/max tiles (64 or 4096 steps each, kept by the writer)
/// stand in for the rows, so the cost follows the number of columns, not of points: a column's
/// extremes are then exact up to the two tiles that straddle its edges (each tile's own extremes
/// always appear, in the column they belong to). Use it for the first view of a stored run and for
/// overviews; load the full series (Store::metric) when the user zooms in far enough to need it.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "anneal/store.h"

namespace anneal {

struct CurveQuery {
    int buckets = 1000;                    ///< pixel columns of the visible step range
    std::optional<std::int64_t> fromStep;  ///< visible range (inclusive); default: the first stored step
    std::optional<std::int64_t> toStep;    ///< default: the last stored step
    bool withHistory = true;  ///< a branch's curve starts with its parent's points before the branch step
    bool useTiles = true;     ///< false: read every row (exact per column; for checks)
};

struct DecimatedCurve {
    std::vector<std::int64_t> steps;  ///< ascending
    std::vector<double> values;       ///< NaN where the stored value is NULL (kept only when not decimated)
    std::int64_t firstStep = 0;       ///< the step range the columns span
    std::int64_t lastStep = -1;
    std::int64_t rowsScanned = 0;  ///< rows read: points, plus tiles where tiles were used
    bool usedTiles = false;        ///< min/max tiles stood in for the rows of whole tiles
    bool decimated = false;        ///< false: the range held <= 2·buckets points, all returned
};

/// One run's metric decimated to q.buckets columns over [fromStep, toStep]. With a range, the nearest
/// stored point on each side outside it is added (lines leave the plot edge), as MinMaxDecimator
/// does. Uses the store's connection (same thread rules as Store). Unknown names give an empty curve;
/// throws anneal::Error(Storage) on SQLite errors.
DecimatedCurve metricDecimated(const Store& store, std::int64_t runId, const std::string& name,
                               const CurveQuery& q);

/// Rebuilds the min/max tiles metricDecimated reads, for one run or (runId < 0) all runs, in one
/// transaction and one pass over the metrics. The store writer keeps them up to date by itself; this
/// is for databases filled some other way (raw SQL, an older Anneal). Needs a writable store.
void rebuildMetricTiles(Store& store, std::int64_t runId = -1);

}  // namespace anneal
