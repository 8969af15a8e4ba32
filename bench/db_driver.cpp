// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one benchmark program (generate, then time each read), like the other drivers.
// bench_db: a large database — 10,000 runs and 1e8 metric rows — opened, listed, and one run's curve
// brought to the screen.
//
//   bench_db generate --db PATH [--runs 10000] [--rows 100000000] [--big-runs 10] [--big-points 1000000]
//       Store::open creates the schema, then raw SQLite inserts fill it in key order: `runs` (the default
//       experiment's file and resolved config, like a sweep), `run_domains` (4 each), `metrics` and
//       `steps`. The big runs (ids 1..big-runs) have 5 metrics of big-points steps each (a long run's
//       curve); the others share the rest of the rows, 10 metrics each. Journal off while generating,
//       WAL again at the end.
//   bench_db open --db PATH [--reps 7]
//       Store::open + listRuns (read-only, as the run browser does; and read-write, as the app's start
//       does), against the raw limit: the same rows read with plain SELECTs on an open connection.
//   bench_db curve --db PATH [--run 1] [--metric train_loss] [--buckets 1920] [--reps 7]
//       one run's full curve decimated to `buckets` pixel columns: Store::metricDecimated (min/max per
//       bucket, in the engine) and the full load (Store::metric) + min/max decimation the GUI does
//       today, against the raw limit: one pass over the same rows with the SQLite C API.
#include <cmath>
#include <filesystem>
#include <map>
#include <sqlite3.h>
#include <string>
#include <vector>

#include "anneal/config.h"
#if __has_include("anneal/curve_query.h")
#include "anneal/curve_query.h"
#define ANNEAL_BENCH_HAVE_CURVE_QUERY 1
#endif
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "bench_common.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(db, sql, -1, &s, nullptr), db, sql);
    return s;
}

struct Rng {
    std::uint64_t s = 0x9E3779B97F4A7C15ULL;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    double u() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

int generate(const bench::Args& a) {
    const std::string path = a.str("db", "");
    if (path.empty()) {
        throw std::runtime_error("--db PATH is required");
    }
    const std::int64_t runs = a.num("runs", 10000);
    const std::int64_t rows = a.num("rows", 100000000);
    const std::int64_t bigRuns = a.num("big-runs", 10);
    const std::int64_t bigPoints = a.num("big-points", 1000000);
    constexpr int kBigMetrics = 5, kSmallMetrics = 10;
    const std::int64_t smallSteps = std::max<std::int64_t>(
        1, (rows - bigRuns * kBigMetrics * bigPoints) / ((runs - bigRuns) * kSmallMetrics));
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ec;
        fs::remove(path + suffix, ec);
    }
    const auto t0 = bench::Clock::now();
    Store::open(path);  // creates the schema
    const std::string specText = readTextFile(ANNEAL_DEFAULT_EXPERIMENT);
    const ExperimentSpec spec = parseExperiment(specText, "default.toml");
    const std::string config = toToml(spec);
    const std::vector<DomainRecord> domains = domainRecords(spec);
    const double floor = experimentEntropyFloor(spec);

    sqlite3* db = nullptr;
    check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), db, "open");
    exec(db, "PRAGMA journal_mode = DELETE");
    exec(db, "PRAGMA journal_mode = OFF");
    exec(db, "PRAGMA synchronous = OFF");
    exec(db, "PRAGMA locking_mode = EXCLUSIVE");
    exec(db, "PRAGMA cache_size = -262144");
    const char* names[] = {"train_loss",
                           "lr",
                           "grad_norm",
                           "tokens_per_s",
                           "loss_z",
                           "train_loss.markov",
                           "train_loss.arithmetic",
                           "train_loss.brackets",
                           "train_loss.noise",
                           "val_loss"};
    exec(db, "BEGIN");
    {
        sqlite3_stmt* n = prepare(db, "INSERT INTO metric_names(id, name) VALUES (?, ?)");
        for (int i = 0; i < kSmallMetrics; ++i) {
            sqlite3_bind_int(n, 1, i + 1);
            sqlite3_bind_text(n, 2, names[i], -1, SQLITE_STATIC);
            check(sqlite3_step(n), db, "metric_names");
            sqlite3_reset(n);
        }
        sqlite3_finalize(n);
        sqlite3_stmt* r =
            prepare(db,
                    "INSERT INTO runs(id, uuid, name, group_name, kind, status, spec_toml, config_toml, "
                    "seed, device, version, created_at, started_at, ended_at, heartbeat_at, host, "
                    "steps_total, steps_done, tokens_done, wall_seconds, n_params, n_params_nonembed, "
                    "flops_per_token, entropy_floor, tags) VALUES "
                    "(?,?,?,?,'trained','completed',?,?,?,'cpu','0.1.0',?,?,?,?,'bench',?,?,?,?,?,?,?,?,?)");
        sqlite3_stmt* d = prepare(db,
                                  "INSERT INTO run_domains(run_id, idx, name, source, weight, entropy_rate, "
                                  "entropy_floor, description) VALUES (?,?,?,?,?,?,?,?)");
        for (std::int64_t id = 1; id <= runs; ++id) {
            const std::int64_t steps = id <= bigRuns ? bigPoints : smallSteps;
            char uuid[40], name[40], group[40];
            std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012lld",
                          static_cast<long long>(id % 1000000000000LL));
            std::snprintf(name, sizeof name, "sweep-%05lld", static_cast<long long>(id));
            std::snprintf(group, sizeof group, "group-%03lld", static_cast<long long>(id / 100));
            int i = 1;
            sqlite3_bind_int64(r, i++, id);
            sqlite3_bind_text(r, i++, uuid, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(r, i++, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(r, i++, group, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(r, i++, specText.c_str(), -1, SQLITE_STATIC);
            sqlite3_bind_text(r, i++, config.c_str(), -1, SQLITE_STATIC);
            sqlite3_bind_int64(r, i++, id);
            const double t = 1.7e9 + static_cast<double>(id) * 60;
            sqlite3_bind_double(r, i++, t);
            sqlite3_bind_double(r, i++, t + 1);
            sqlite3_bind_double(r, i++, t + 50);
            sqlite3_bind_double(r, i++, t + 50);
            sqlite3_bind_int64(r, i++, steps);
            sqlite3_bind_int64(r, i++, steps);
            sqlite3_bind_int64(r, i++, steps * 1024);
            sqlite3_bind_double(r, i++, static_cast<double>(steps) * 0.05);
            sqlite3_bind_int64(r, i++, 437760);
            sqlite3_bind_int64(r, i++, 396800);
            sqlite3_bind_double(r, i++, 2.5e6);
            sqlite3_bind_double(r, i++, floor);
            sqlite3_bind_text(r, i++, "[\"bench\"]", -1, SQLITE_STATIC);
            check(sqlite3_step(r), db, "runs");
            sqlite3_reset(r);
            for (size_t k = 0; k < domains.size(); ++k) {
                const DomainRecord& dr = domains[k];
                sqlite3_bind_int64(d, 1, id);
                sqlite3_bind_int64(d, 2, static_cast<sqlite3_int64>(k));
                sqlite3_bind_text(d, 3, dr.name.c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_text(d, 4, dr.source.c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_double(d, 5, dr.weight);
                sqlite3_bind_double(d, 6, dr.entropyRate);
                sqlite3_bind_double(d, 7, dr.entropyFloor);
                sqlite3_bind_text(d, 8, dr.description.c_str(), -1, SQLITE_STATIC);
                check(sqlite3_step(d), db, "run_domains");
                sqlite3_reset(d);
            }
        }
        sqlite3_finalize(r);
        sqlite3_finalize(d);
    }
    exec(db, "COMMIT");
    sqlite3_stmt* m = prepare(db, "INSERT INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)");
    sqlite3_stmt* s = prepare(db, "INSERT INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)");
    Rng rng;
    std::int64_t metricRows = 0, stepRows = 0, inTx = 0;
    exec(db, "BEGIN");
    for (std::int64_t id = 1; id <= runs; ++id) {
        const bool big = id <= bigRuns;
        const std::int64_t steps = big ? bigPoints : smallSteps;
        const int metrics = big ? kBigMetrics : kSmallMetrics;
        for (int k = 1; k <= metrics; ++k) {
            sqlite3_bind_int64(m, 1, id);
            sqlite3_bind_int64(m, 2, k);
            for (std::int64_t t = 0; t < steps; ++t) {
                const double x = static_cast<double>(t) / static_cast<double>(steps);
                double v = k == 1 ? 1.2 + 4.3 * std::exp(-8 * x) + 0.15 * (rng.u() - 0.5) +
                                        (rng.u() < 1e-4 ? 2.0 : 0.0)
                                  : rng.u();
                sqlite3_bind_int64(m, 3, t);
                sqlite3_bind_double(m, 4, v);
                check(sqlite3_step(m), db, "metrics");
                sqlite3_reset(m);
            }
            metricRows += steps;
            inTx += steps;
        }
        sqlite3_bind_int64(s, 1, id);
        for (std::int64_t t = 0; t < steps; ++t) {
            sqlite3_bind_int64(s, 2, t);
            sqlite3_bind_int64(s, 3, (t + 1) * 1024);
            sqlite3_bind_double(s, 4, 0.05 * static_cast<double>(t + 1));
            check(sqlite3_step(s), db, "steps");
            sqlite3_reset(s);
        }
        stepRows += steps;
        if (inTx > 4000000) {
            exec(db, "COMMIT");
            exec(db, "BEGIN");
            inTx = 0;
        }
    }
    exec(db, "COMMIT");
    sqlite3_finalize(m);
    sqlite3_finalize(s);
    exec(db, "PRAGMA locking_mode = NORMAL");
    exec(db, "PRAGMA journal_mode = WAL");
    sqlite3_close(db);
    const double secs = bench::secondsSince(t0);
    // The min/max tiles the store writer would have kept while writing these rows.
    const auto t1 = bench::Clock::now();
#ifdef ANNEAL_BENCH_HAVE_CURVE_QUERY
    {
        auto store = Store::open(path);
        rebuildMetricTiles(*store);
    }
#endif
    std::printf("tiles_seconds %.1f\n", bench::secondsSince(t1));
    std::printf(
        "generated runs %lld metric_rows %lld step_rows %lld big_runs %lld big_points %lld small_steps "
        "%lld\n",
        static_cast<long long>(runs), static_cast<long long>(metricRows), static_cast<long long>(stepRows),
        static_cast<long long>(bigRuns), static_cast<long long>(bigPoints),
        static_cast<long long>(smallSteps));
    std::printf("generate_seconds %.1f rows_per_s %.0f file_gib %.2f\n", secs,
                static_cast<double>(metricRows + stepRows) / secs,
                static_cast<double>(fs::file_size(path)) / (1024.0 * 1024 * 1024));
    return 0;
}

/// The raw limit of listing: every column of runs and run_domains stepped through on an open connection.
double rawList(sqlite3* db, std::size_t& bytes) {
    const auto t0 = bench::Clock::now();
    bytes = 0;
    for (const char* sql :
         {"SELECT * FROM runs ORDER BY id", "SELECT * FROM run_domains ORDER BY run_id, idx"}) {
        sqlite3_stmt* q = prepare(db, sql);
        const int n = sqlite3_column_count(q);
        while (sqlite3_step(q) == SQLITE_ROW) {
            for (int c = 0; c < n; ++c) {
                if (sqlite3_column_type(q, c) == SQLITE_TEXT) {
                    bytes += static_cast<std::size_t>(sqlite3_column_bytes(q, c));
                } else {
                    bytes += static_cast<std::size_t>(sqlite3_column_int64(q, c) & 1);
                }
            }
        }
        sqlite3_finalize(q);
    }
    return bench::secondsSince(t0) * 1e3;
}

int openMode(const bench::Args& a) {
    const std::string path = a.str("db", "");
    const int reps = static_cast<int>(a.num("reps", 7));
    std::vector<double> ro, rw, openOnly, rawMs;
    std::size_t listed = 0, bytes = 0;
    sqlite3* raw = nullptr;
    check(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), raw, "open");
    for (int r = 0; r < reps; ++r) {
        auto t0 = bench::Clock::now();
        {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            openOnly.push_back(bench::secondsSince(t0) * 1e3);
            listed = store->listRuns().size();
        }
        ro.push_back(bench::secondsSince(t0) * 1e3);
        t0 = bench::Clock::now();
        {
            auto store = Store::open(path, Store::Mode::ReadWrite);
            listed = store->listRuns().size();
        }
        rw.push_back(bench::secondsSince(t0) * 1e3);
        rawMs.push_back(rawList(raw, bytes));
        std::printf("rep %d open_list_ro_ms %.1f open_list_rw_ms %.1f raw_select_ms %.1f\n", r, ro.back(),
                    rw.back(), rawMs.back());
        std::fflush(stdout);
    }
    sqlite3_close(raw);
    std::printf("runs_listed %zu text_mib %.1f\n", listed, static_cast<double>(bytes) / (1024.0 * 1024.0));
    std::printf("open_ms %.2f (read-only, without listing)\n", bench::median(openOnly));
    std::printf("open_list_ro_ms %.1f spread %s\n", bench::median(ro), bench::spread(ro, "%.1f").c_str());
    std::printf("open_list_rw_ms %.1f spread %s\n", bench::median(rw), bench::spread(rw, "%.1f").c_str());
    std::printf("raw_select_ms %.1f spread %s\n", bench::median(rawMs), bench::spread(rawMs, "%.1f").c_str());
    std::printf("ratio open_list_ro/raw %.2f\n", bench::median(ro) / bench::median(rawMs));
    return 0;
}

/// The GUI's decimation today (ui/min_max_decimator.cpp, linear x, whole range): min and max per column.
std::size_t decimate(const std::vector<std::int64_t>& x, const std::vector<double>& y, int columns) {
    if (x.empty()) {
        return 0;
    }
    const double lo = static_cast<double>(x.front()), hi = static_cast<double>(x.back());
    const double scale = hi > lo ? columns / (hi - lo) : 0;
    std::vector<double> ox, oy;
    int col = -1;
    size_t mn = 0, mx = 0;
    auto flush = [&] {
        if (col >= 0) {
            ox.push_back(static_cast<double>(x[std::min(mn, mx)]));
            oy.push_back(y[std::min(mn, mx)]);
            if (mn != mx) {
                ox.push_back(static_cast<double>(x[std::max(mn, mx)]));
                oy.push_back(y[std::max(mn, mx)]);
            }
        }
    };
    for (size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(y[i])) {
            continue;
        }
        const int c = std::min(columns - 1, static_cast<int>((static_cast<double>(x[i]) - lo) * scale));
        if (c != col) {
            flush();
            col = c;
            mn = mx = i;
        } else if (y[i] < y[mn]) {
            mn = i;
        } else if (y[i] > y[mx]) {
            mx = i;
        }
    }
    flush();
    return ox.size();
}

int curveMode(const bench::Args& a) {
    const std::string path = a.str("db", "");
    const std::int64_t run = a.num("run", 1);
    const std::string metric = a.str("metric", "train_loss");
    const int buckets = static_cast<int>(a.num("buckets", 1920));
    const int reps = static_cast<int>(a.num("reps", 7));
    std::vector<double> engine, full, rawMs, namesMs;
    std::size_t points = 0, rows = 0, fullPoints = 0, nameCount = 0;
    for (int r = 0; r < reps; ++r) {
        // Each measurement opens its connection, as a GUI loader job does.
        auto t0 = bench::Clock::now();
#ifdef ANNEAL_BENCH_HAVE_CURVE_QUERY
        {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            CurveQuery cq;
            cq.buckets = buckets;
            const DecimatedCurve c = metricDecimated(*store, run, metric, cq);
            points = c.steps.size();
            rows = static_cast<std::size_t>(c.rowsScanned);
        }
        engine.push_back(bench::secondsSince(t0) * 1e3);
#else
        engine.push_back(std::nan(""));  // a build without anneal/curve_query.h (a baseline)
#endif
        t0 = bench::Clock::now();
        {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            const MetricSeries s = store->metric(run, metric, true);
            fullPoints = decimate(s.steps, s.values, buckets);
        }
        full.push_back(bench::secondsSince(t0) * 1e3);
        t0 = bench::Clock::now();
        {
            sqlite3* db = nullptr;
            check(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
            sqlite3_stmt* q = prepare(db,
                                      "SELECT step, value FROM metrics WHERE run_id = ? AND name_id = "
                                      "(SELECT id FROM metric_names WHERE name = ?) ORDER BY step");
            sqlite3_bind_int64(q, 1, run);
            sqlite3_bind_text(q, 2, metric.c_str(), -1, SQLITE_TRANSIENT);
            double sum = 0;
            std::int64_t n = 0;
            while (sqlite3_step(q) == SQLITE_ROW) {
                sum += static_cast<double>(sqlite3_column_int64(q, 0)) + sqlite3_column_double(q, 1);
                ++n;
            }
            sqlite3_finalize(q);
            sqlite3_close(db);
            if (n == 0 || std::isnan(sum)) {
                throw std::runtime_error("no rows for the curve");
            }
        }
        rawMs.push_back(bench::secondsSince(t0) * 1e3);
        // The metric names of the run, the first thing the GUI's loader asks for.
        t0 = bench::Clock::now();
        {
            auto store = Store::open(path, Store::Mode::ReadOnly);
            nameCount = store->metricNames(run).size();
        }
        namesMs.push_back(bench::secondsSince(t0) * 1e3);
        std::printf("rep %d curve_ms %.1f full_load_decimate_ms %.1f raw_scan_ms %.1f names_ms %.1f\n", r,
                    engine.back(), full.back(), rawMs.back(), namesMs.back());
        std::fflush(stdout);
    }
#ifdef ANNEAL_BENCH_HAVE_CURVE_QUERY
    // How close the tile path is to reading every row: per column, the extremes of both results.
    std::vector<double> exactMs;
    double worst = 0;
    std::size_t columnsDiffering = 0;
    {
        auto store = Store::open(path, Store::Mode::ReadOnly);
        CurveQuery cq;
        cq.buckets = buckets;
        const DecimatedCurve tiles = metricDecimated(*store, run, metric, cq);
        auto t0 = bench::Clock::now();
        cq.useTiles = false;
        const DecimatedCurve exact = metricDecimated(*store, run, metric, cq);
        exactMs.push_back(bench::secondsSince(t0) * 1e3);
        auto extremes = [&](const DecimatedCurve& c) {
            std::map<int, std::pair<double, double>> m;
            const double scale =
                c.lastStep > c.firstStep ? buckets / static_cast<double>(c.lastStep - c.firstStep) : 0;
            for (size_t i = 0; i < c.steps.size(); ++i) {
                if (c.steps[i] < c.firstStep || c.steps[i] > c.lastStep || std::isnan(c.values[i])) {
                    continue;
                }
                const int col = std::min(buckets - 1, static_cast<int>((c.steps[i] - c.firstStep) * scale));
                auto it = m.find(col);
                if (it == m.end()) {
                    m[col] = {c.values[i], c.values[i]};
                } else {
                    it->second.first = std::min(it->second.first, c.values[i]);
                    it->second.second = std::max(it->second.second, c.values[i]);
                }
            }
            return m;
        };
        const auto ta = extremes(tiles), tb = extremes(exact);
        double range = 0;
        for (const auto& [col, mm] : tb) {
            range = std::max(range, mm.second - mm.first);
        }
        for (const auto& [col, mm] : tb) {
            auto it = ta.find(col);
            const double d = it == ta.end() ? INFINITY
                                            : std::max(std::abs(it->second.first - mm.first),
                                                       std::abs(it->second.second - mm.second));
            if (d > 0) {
                ++columnsDiffering;
            }
            worst = std::max(worst, d);
        }
        std::printf(
            "tiles_vs_rows columns %zu differing %zu max_abs_diff %.4g (largest column span %.4g) used_tiles "
            "%d\n",
            tb.size(), columnsDiffering, worst, range, tiles.usedTiles ? 1 : 0);
        std::printf("rows_path_ms %.1f (every row, same query without tiles)\n", exactMs.back());
    }
#endif
    std::printf("curve_rows %zu buckets %d points_returned %zu (gui decimation: %zu)\n", rows, buckets,
                points, fullPoints);
    std::printf("curve_ms %.1f spread %s\n", bench::median(engine), bench::spread(engine, "%.1f").c_str());
    std::printf("full_load_decimate_ms %.1f spread %s\n", bench::median(full),
                bench::spread(full, "%.1f").c_str());
    std::printf("raw_scan_ms %.1f spread %s\n", bench::median(rawMs), bench::spread(rawMs, "%.1f").c_str());
    std::printf("names_ms %.1f spread %s (Store::metricNames of the run: %zu names)\n",
                bench::median(namesMs), bench::spread(namesMs, "%.1f").c_str(), nameCount);
    std::printf("ratio curve/raw_scan %.2f\n", bench::median(engine) / bench::median(rawMs));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s generate|open|curve --db PATH [options]\n", argv[0]);
        return 2;
    }
    try {
        const bench::Args a(argc, argv, 2);
        const std::string mode = argv[1];
        if (mode == "generate") {
            return generate(a);
        }
        if (mode == "open") {
            return openMode(a);
        }
        if (mode == "curve") {
            return curveMode(a);
        }
        std::fprintf(stderr, "bench_db: unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_db: %s\n", e.what());
        return 1;
    }
}
