// SPDX-License-Identifier: GPL-3.0-or-later
// metricDecimated: min/max per pixel column computed while the curve's rows are scanned (one range scan
// of the metrics primary key per run of the branch ancestry), with the SQLite C API: no per-row
// allocation, nothing held but the output.
#include "anneal/curve_query.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <sqlite3.h>

#include <SQLiteCpp/Exception.h>

#include "anneal/error.h"
#include "store/metric_tiles.h"

namespace anneal {

namespace {

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql, const std::string& path) : m_db(db), m_path(path) {
        if (sqlite3_prepare_v2(db, sql, -1, &m_s, nullptr) != SQLITE_OK) {
            fail();
        }
    }
    ~Stmt() { sqlite3_finalize(m_s); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    sqlite3_stmt* get() const { return m_s; }
    /// true: a row; false: done.
    bool step() {
        const int rc = sqlite3_step(m_s);
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc != SQLITE_DONE) {
            fail();
        }
        return false;
    }
    void reset() {
        sqlite3_reset(m_s);
        sqlite3_clear_bindings(m_s);
    }
    [[noreturn]] void fail() const {
        throw Error(ErrorCode::Storage, std::string("reading a metric curve: ") + sqlite3_errmsg(m_db),
                    m_path);
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_s = nullptr;
    std::string m_path;
};

/// One run of the ancestry and the steps it contributes: [.., below).
struct Segment {
    std::int64_t runId;
    std::int64_t below;
};

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

}  // namespace

DecimatedCurve metricDecimated(const Store& store, std::int64_t runId, const std::string& name,
                               const CurveQuery& q) {
    DecimatedCurve out;
    auto* db = static_cast<sqlite3*>(store.handle());
    const std::string& path = store.path();
    std::int64_t nameId = -1;
    {
        Stmt s(db, "SELECT id FROM metric_names WHERE name = ?", path);
        sqlite3_bind_text(s.get(), 1, name.c_str(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
        if (s.step()) {
            nameId = sqlite3_column_int64(s.get(), 0);
        }
    }
    if (nameId < 0) {
        return out;
    }
    // The branch ancestry, oldest first: a parent contributes its points before the branch step (the
    // same series Store::metric(..., withHistory = true) returns).
    std::vector<Segment> segments{{runId, kNoLimit}};
    if (q.withHistory) {
        segments.clear();
        for (const HistorySegment& g : store.branchHistory(runId)) {
            segments.push_back(Segment{g.runId, g.below});
        }
    }
    // Ends of the stored curve (index seeks), then the visible range.
    Stmt first(db,
               "SELECT step FROM metrics WHERE run_id = ? AND name_id = ? AND step < ? ORDER BY step LIMIT 1",
               path);
    Stmt last(
        db,
        "SELECT step FROM metrics WHERE run_id = ? AND name_id = ? AND step < ? ORDER BY step DESC LIMIT 1",
        path);
    auto end = [&](Stmt& s, const Segment& g, std::int64_t& v) {
        sqlite3_bind_int64(s.get(), 1, g.runId);
        sqlite3_bind_int64(s.get(), 2, nameId);
        sqlite3_bind_int64(s.get(), 3, g.below);
        const bool found = s.step();
        if (found) {
            v = sqlite3_column_int64(s.get(), 0);
        }
        s.reset();
        return found;
    };
    std::int64_t lo = kNoLimit, hi = std::numeric_limits<std::int64_t>::min();
    for (const Segment& g : segments) {
        std::int64_t a = 0, b = 0;
        if (end(first, g, a) && end(last, g, b)) {
            lo = std::min(lo, a);
            hi = std::max(hi, b);
        }
    }
    if (lo > hi) {
        return out;  // no points
    }
    if (q.fromStep) {
        lo = *q.fromStep;
    }
    if (q.toStep) {
        hi = *q.toStep;
    }
    out.firstStep = lo;
    out.lastStep = hi;
    if (lo > hi) {
        return out;
    }
    const int columns = std::max(1, q.buckets);
    const double scale = hi > lo ? columns / static_cast<double>(hi - lo) : 0.0;
    const std::size_t keepAll = 2 * static_cast<std::size_t>(columns);

    // The neighbours just outside the range, when a range was asked for.
    std::optional<std::pair<std::int64_t, double>> before, after;
    auto value = [](sqlite3_stmt* s, int c) {
        return sqlite3_column_type(s, c) == SQLITE_NULL ? std::nan("") : sqlite3_column_double(s, c);
    };
    if (q.fromStep || q.toStep) {
        Stmt b(db,
               "SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? AND step < ? ORDER BY step "
               "DESC LIMIT 1",
               path);
        Stmt a(db,
               "SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? AND step > ? AND step < ? "
               "ORDER BY step LIMIT 1",
               path);
        for (const Segment& g : segments) {
            sqlite3_bind_int64(b.get(), 1, g.runId);
            sqlite3_bind_int64(b.get(), 2, nameId);
            sqlite3_bind_int64(b.get(), 3, std::min(lo, g.below));
            if (b.step() && (!before || sqlite3_column_int64(b.get(), 0) > before->first)) {
                before = std::make_pair(sqlite3_column_int64(b.get(), 0), value(b.get(), 1));
            }
            b.reset();
            sqlite3_bind_int64(a.get(), 1, g.runId);
            sqlite3_bind_int64(a.get(), 2, nameId);
            sqlite3_bind_int64(a.get(), 3, hi);
            sqlite3_bind_int64(a.get(), 4, g.below);
            if (a.step() && (!after || sqlite3_column_int64(a.get(), 0) < after->first)) {
                after = std::make_pair(sqlite3_column_int64(a.get(), 0), value(a.get(), 1));
            }
            a.reset();
        }
    }

    // Every point read is folded into its column's min and max; raw points are also kept while there
    // are at most 2·columns of them (then the curve is returned as it is stored).
    std::vector<std::int64_t> allSteps;
    std::vector<double> allValues;
    std::vector<std::int64_t> decSteps;
    std::vector<double> decValues;
    decSteps.reserve(keepAll);
    decValues.reserve(keepAll);
    int column = -1;
    std::int64_t minStep = 0, maxStep = 0;
    double minV = 0, maxV = 0;
    bool any = false;
    auto flush = [&] {
        if (!any) {
            return;
        }
        if (minStep == maxStep) {
            decSteps.push_back(minStep);
            decValues.push_back(minV);
        } else if (minStep < maxStep) {
            decSteps.push_back(minStep);
            decValues.push_back(minV);
            decSteps.push_back(maxStep);
            decValues.push_back(maxV);
        } else {
            decSteps.push_back(maxStep);
            decValues.push_back(maxV);
            decSteps.push_back(minStep);
            decValues.push_back(minV);
        }
    };
    auto columnOf = [&](std::int64_t step) {
        const double c = std::floor(static_cast<double>(step - lo) * scale);
        return static_cast<int>(std::clamp(c, 0.0, static_cast<double>(columns - 1)));
    };
    auto feed = [&](std::int64_t step, double v) {  // ascending steps, finite v
        const int col = columnOf(step);
        if (col != column || !any) {
            flush();
            column = col;
            minStep = maxStep = step;
            minV = maxV = v;
            any = true;
        } else if (v < minV) {
            minV = v;
            minStep = step;
        } else if (v > maxV) {
            maxV = v;
            maxStep = step;
        }
    };
    Stmt scan(db,
              "SELECT step, value FROM metrics WHERE run_id = ? AND name_id = ? AND step >= ? AND step <= ? "
              "ORDER BY step",
              path);
    auto scanRows = [&](std::int64_t run, std::int64_t a, std::int64_t b) {
        if (a > b) {
            return;
        }
        sqlite3_bind_int64(scan.get(), 1, run);
        sqlite3_bind_int64(scan.get(), 2, nameId);
        sqlite3_bind_int64(scan.get(), 3, a);
        sqlite3_bind_int64(scan.get(), 4, b);
        sqlite3_stmt* s = scan.get();
        for (;;) {
            const int rc = sqlite3_step(s);
            if (rc != SQLITE_ROW) {
                if (rc != SQLITE_DONE) {
                    scan.fail();
                }
                break;
            }
            const std::int64_t step = sqlite3_column_int64(s, 0);
            double v = sqlite3_column_double(s, 1);
            if (v == 0.0 && sqlite3_column_type(s, 1) == SQLITE_NULL) {
                v = std::nan("");
            }
            ++out.rowsScanned;
            if (allSteps.size() <= keepAll) {
                allSteps.push_back(step);
                allValues.push_back(v);
            }
            if (std::isfinite(v)) {
                feed(step, v);
            }
        }
        scan.reset();
    };

    // Tiles (metric_tiles.h) replace the rows wherever a column spans at least 4 tiles of a level;
    // the partial tiles at the range's ends are read as rows, so the edges are exact.
    const double stepsPerColumn = static_cast<double>(hi - lo + 1) / columns;
    int level = 0, shift = 0;
    for (const auto& l : store::kTileLevels) {
        if (static_cast<double>(std::int64_t{1} << l.shift) * 4 <= stepsPerColumn) {
            level = l.level;
            shift = l.shift;
        }
    }
    bool tables = false;
    if (level > 0 && q.useTiles) {
        Stmt t(db,
               "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('metric_tiles', "
               "'metric_tile_marks')",
               path);
        tables = t.step() && sqlite3_column_int(t.get(), 0) == 2;
    }
    std::optional<Stmt> marked, tiles, lastRow;
    if (tables) {
        marked.emplace(db,
                       "SELECT 1 FROM metric_tile_marks m JOIN runs r ON r.id = m.run_id "
                       "WHERE m.run_id = ? AND m.name_id = ? AND m.run_uuid = r.uuid",
                       path);
        tiles.emplace(
            db,
            "SELECT tile, min_step, min_value, max_step, max_value FROM metric_tiles "
            "WHERE run_id = ? AND name_id = ? AND level = ? AND tile >= ? AND tile <= ? ORDER BY tile",
            path);
        lastRow.emplace(db,
                        "SELECT step FROM metrics WHERE run_id = ? AND name_id = ? AND step <= ? ORDER BY "
                        "step DESC LIMIT 1",
                        path);
    }
    auto floorDiv = [](std::int64_t a, std::int64_t d) { return a >= 0 ? a / d : -((-a + d - 1) / d); };
    for (const Segment& g : segments) {
        const std::int64_t a = lo;
        const std::int64_t b = g.below == kNoLimit ? hi : std::min(hi, g.below - 1);
        if (a > b) {
            continue;
        }
        bool useTiles = false;
        if (tables) {
            sqlite3_bind_int64(marked->get(), 1, g.runId);
            sqlite3_bind_int64(marked->get(), 2, nameId);
            useTiles = marked->step();
            marked->reset();
        }
        const std::int64_t size = std::int64_t{1} << shift;
        const std::int64_t firstTile = floorDiv(a + size - 1, size);  // first tile starting at or after a
        const std::int64_t lastTile = floorDiv(b + 1, size) - 1;      // last tile ending at or before b
        if (!useTiles || firstTile > lastTile) {
            scanRows(g.runId, a, b);
            continue;
        }
        out.usedTiles = true;
        scanRows(g.runId, a, firstTile * size - 1);
        sqlite3_stmt* t = tiles->get();
        sqlite3_bind_int64(t, 1, g.runId);
        sqlite3_bind_int64(t, 2, nameId);
        sqlite3_bind_int64(t, 3, level);
        sqlite3_bind_int64(t, 4, firstTile);
        sqlite3_bind_int64(t, 5, lastTile);
        std::int64_t seen = firstTile - 1;
        while (tiles->step()) {
            ++out.rowsScanned;
            seen = sqlite3_column_int64(t, 0);
            const std::int64_t s1 = sqlite3_column_int64(t, 1), s2 = sqlite3_column_int64(t, 3);
            const double v1 = sqlite3_column_double(t, 2), v2 = sqlite3_column_double(t, 4);
            if (s1 <= s2) {
                feed(s1, v1);
                if (s2 != s1) {
                    feed(s2, v2);
                }
            } else {
                feed(s2, v2);
                feed(s1, v1);
            }
        }
        tiles->reset();
        // Rows past the last tile (appended by a writer that kept no tiles) are read as rows.
        sqlite3_bind_int64(lastRow->get(), 1, g.runId);
        sqlite3_bind_int64(lastRow->get(), 2, nameId);
        sqlite3_bind_int64(lastRow->get(), 3, (lastTile + 1) * size - 1);
        const std::int64_t rawLast = lastRow->step() ? sqlite3_column_int64(lastRow->get(), 0) : kNoLimit;
        lastRow->reset();
        if (rawLast != kNoLimit && floorDiv(rawLast, size) > seen) {
            scanRows(g.runId, (seen + 1) * size, (lastTile + 1) * size - 1);
        }
        scanRows(g.runId, (lastTile + 1) * size, b);
    }
    flush();
    if (out.usedTiles) {
        out.decimated = true;
    }
    out.decimated = out.decimated || out.rowsScanned > static_cast<std::int64_t>(keepAll);
    if (before) {
        out.steps.push_back(before->first);
        out.values.push_back(before->second);
    }
    if (out.decimated) {
        out.steps.insert(out.steps.end(), decSteps.begin(), decSteps.end());
        out.values.insert(out.values.end(), decValues.begin(), decValues.end());
    } else {
        out.steps.insert(out.steps.end(), allSteps.begin(), allSteps.end());
        out.values.insert(out.values.end(), allValues.begin(), allValues.end());
    }
    if (after) {
        out.steps.push_back(after->first);
        out.values.push_back(after->second);
    }
    return out;
}

void rebuildMetricTiles(Store& store, std::int64_t runId) {
    try {
        auto* db = static_cast<sqlite3*>(store.handle());
        store::ensureTileTables(db);
        store::rebuildRunTiles(db, runId);
    } catch (const SQLite::Exception& e) {
        throw Error(ErrorCode::Storage, std::string("rebuilding metric tiles: ") + e.what(), store.path());
    }
}

}  // namespace anneal
