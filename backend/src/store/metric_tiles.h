// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Metric tiles: a min/max summary of every curve, kept beside the `metrics` table so that a curve of
// millions of points reaches the screen without reading them all (curve_query.cpp).
//
//   metric_tiles(run_id, name_id, level, tile, min_step, min_value, max_step, max_value)
//       level 1: tile = step >> 6 (64 steps), level 2: tile = step >> 12 (4096 steps); the lowest and
//       the highest non-NULL value of the tile and the steps they are at.
//   metric_tile_marks(run_id, name_id, run_uuid)
//       "the tiles of this curve are complete": written when its tiles are built, checked against the
//       run's uuid so that a run id reused after a delete never inherits another run's tiles.
//
// Both tables are auxiliary, like an index: created (empty) when a database is opened for writing,
// maintained by the StoreWriter batch by batch (TileAccumulator), rebuilt per curve where values are
// written another way (imports, merges), and ignored where a curve has no mark (it is then read from
// `metrics`, which stays the single source of truth). A curve written before tiles existed gets its
// tiles built the first time a writer appends to it.

#include <cstdint>
#include <map>
#include <set>
#include <tuple>

struct sqlite3;

namespace anneal::store {

struct TileLevel {
    int level;
    int shift;
};
constexpr TileLevel kTileLevels[] = {{1, 6}, {2, 12}};

/// Creates the two tables if missing (needs a writable connection). All of these take a raw handle
/// (SQLite::Database::getHandle(), Store::handle()) and throw SQLite::Exception.
void ensureTileTables(sqlite3* db);
/// Whether the tables exist (a read-only connection on an older file may lack them).
bool hasTileTables(sqlite3* db);
/// Rebuilds one curve's tiles from its rows and marks it complete.
void rebuildTiles(sqlite3* db, std::int64_t runId, std::int64_t nameId);
/// Rebuilds the tiles of every curve of one run (all runs when runId < 0), in one pass over `metrics`.
void rebuildRunTiles(sqlite3* db, std::int64_t runId);
/// Removes a run's tiles and marks.
void deleteRunTiles(sqlite3* db, std::int64_t runId);

/// The writer's side: points of a batch are folded into tiles in memory and written with one upsert per
/// touched tile inside the batch's transaction (flush). A curve seen for the first time is checked for
/// its mark; one without (older rows, or none yet) gets its tiles rebuilt from its rows instead.
class TileAccumulator {
public:
    void add(std::int64_t runId, std::int64_t nameId, std::int64_t step, double value);
    /// Writes the tiles of the points added since the last flush (inside the caller's transaction).
    void flush(sqlite3* db);
    /// Forgets the pending points and what it knew of marks (after a rolled-back transaction).
    void clear();

private:
    struct Tile {
        std::int64_t minStep, maxStep;
        double minValue, maxValue;
    };
    using Key = std::tuple<std::int64_t, std::int64_t, int, std::int64_t>;  // run, name, level, tile
    std::map<Key, Tile> m_pending;
    std::set<std::pair<std::int64_t, std::int64_t>> m_marked;  // curves known to have a mark
};

}  // namespace anneal::store
