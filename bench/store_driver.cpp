// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one benchmark program (modes, measurements, report), like the other drivers.
// bench_store: Anneal's storage writer against SQLite's own limit on this machine, in the same run.
//
//   bench_store rows [--events 20000] [--reps 5]
//       metric rows per second. "raw": one transaction, one prepared INSERT per table, the exact rows
//       StoreWriter writes for the default experiment's StepEvents (13 metric rows + 1 step row each),
//       the same pragmas (store::configureConnection: WAL, synchronous NORMAL, foreign keys). "writer":
//       the same events pushed on an EventQueue and committed by a StoreWriter (timed from the first
//       push to flush() returning). Fresh database files each time, raw and writer alternating.
//   bench_store weights [--samples 1000000] [--snapshots 10] [--reps 5] [--queries 200]
//       a WeightSnapshotEvent of 1e6 samples: the training thread's cost to publish it (EventBus with the
//       store writer's queue and a GUI queue subscribed), the writer's time to store it (push to flush,
//       against the raw limit: the same blobs inserted directly), and Store::sampleWeightHistory for
//       random samples once `snapshots` snapshots of the same ids are stored (against a raw SELECT of
//       the same blobs without decoding).
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <filesystem>
#include <random>
#include <sqlite3.h>
#include <thread>
#include <unistd.h>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "anneal/store_writer.h"
#include "bench_common.h"
#include "store/weights_codec.h"
#include "store/weights_summary.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("anneal-bench-store-" + std::to_string(::getpid()));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// A new database with one run of the default experiment (so the writer knows its domains).
std::int64_t newDatabase(const std::string& path, const ExperimentSpec& spec) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ec;
        fs::remove(path + suffix, ec);
    }
    auto store = Store::open(path);
    NewRun r;
    r.name = spec.name;
    r.configToml = toToml(spec);
    r.specToml = r.configToml;
    r.stepsTotal = spec.train.steps;
    r.domains = domainRecords(spec);
    return store->createRun(r);
}

/// Waits until the writer has committed `events` events (StoreWriter::flush() may add up to one batch
/// interval, its maxBatchMs, when called while the writer is idle: that is not the writer's work).
void waitWritten(const StoreWriter& w, std::uint64_t events) {
    for (;;) {
        const StoreWriterStats st = w.stats();
        if (st.eventsWritten + st.eventsLost >= events) {
            return;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
}

std::vector<StepEvent> stepEvents(int n, int domains) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<StepEvent> out(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        StepEvent& e = out[static_cast<size_t>(i)];
        e.step = i;
        e.tokens = static_cast<std::int64_t>(i + 1) * 1024;
        e.wallSeconds = 0.05 * i;
        e.trainLoss = 2.0 + u(rng);
        e.weightedLoss = e.trainLoss;
        e.lr = 3e-3 * u(rng);
        e.gradNorm = u(rng);
        e.tokensPerSecond = 20000 + 1000 * u(rng);
        e.lossZ = u(rng) - 0.5;
        for (int d = 0; d < domains; ++d) {
            e.domainLoss.push_back(1.0 + u(rng));
            e.mixDrawn.push_back(1.0 / domains);
            e.epochs.push_back(std::nan(""));  // unbounded domains: no epochs row
            e.gradShare.push_back(1.0 / domains);
        }
    }
    return out;
}

/// The rows StoreWriter writes for each event (metrics: name -> value; plus one steps row).
std::int64_t rawInsert(const std::string& path, std::int64_t runId, const std::vector<StepEvent>& events,
                       const std::vector<std::string>& domains) {
    SQLite::Database db(path, SQLite::OPEN_READWRITE, 10000);
    db.setBusyTimeout(10000);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    std::map<std::string, std::int64_t> ids;
    auto id = [&](const std::string& name) {
        auto it = ids.find(name);
        if (it != ids.end()) {
            return it->second;
        }
        SQLite::Statement ins(db, "INSERT OR IGNORE INTO metric_names(name) VALUES (?)");
        ins.bind(1, name);
        ins.exec();
        SQLite::Statement sel(db, "SELECT id FROM metric_names WHERE name = ?");
        sel.bind(1, name);
        sel.executeStep();
        return ids[name] = sel.getColumn(0).getInt64();
    };
    // Names resolved once: the raw path does nothing per row but bind, step and reset.
    std::vector<std::int64_t> fixed;
    for (const char* n : {"train_loss", "lr", "grad_norm", "tokens_per_s", "loss_z"}) {
        fixed.push_back(id(n));
    }
    std::vector<std::int64_t> perDomain;
    for (const std::string& d : domains) {
        perDomain.push_back(id("train_loss." + d));
        perDomain.push_back(id("mix." + d));
    }
    std::int64_t rows = 0;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    sqlite3* h = db.getHandle();
    sqlite3_stmt* m = nullptr;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO metrics(run_id, name_id, step, value) VALUES (?,?,?,?)", -1,
                       &m, nullptr);
    sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO steps(run_id, step, tokens, wall) VALUES (?,?,?,?)", -1, &s,
                       nullptr);
    auto metric = [&](std::int64_t nameId, std::int64_t step, double v) {
        sqlite3_bind_int64(m, 1, runId);
        sqlite3_bind_int64(m, 2, nameId);
        sqlite3_bind_int64(m, 3, step);
        sqlite3_bind_double(m, 4, v);
        if (sqlite3_step(m) != SQLITE_DONE) {
            throw std::runtime_error(sqlite3_errmsg(h));
        }
        sqlite3_reset(m);
        ++rows;
    };
    for (const StepEvent& e : events) {
        metric(fixed[0], e.step, e.trainLoss);
        metric(fixed[1], e.step, e.lr);
        metric(fixed[2], e.step, e.gradNorm);
        metric(fixed[3], e.step, e.tokensPerSecond);
        metric(fixed[4], e.step, e.lossZ);
        for (size_t d = 0; d < domains.size(); ++d) {
            metric(perDomain[2 * d], e.step, e.domainLoss[d]);
            metric(perDomain[2 * d + 1], e.step, e.mixDrawn[d]);
        }
        sqlite3_bind_int64(s, 1, runId);
        sqlite3_bind_int64(s, 2, e.step);
        sqlite3_bind_int64(s, 3, e.tokens);
        sqlite3_bind_double(s, 4, e.wallSeconds);
        if (sqlite3_step(s) != SQLITE_DONE) {
            throw std::runtime_error(sqlite3_errmsg(h));
        }
        sqlite3_reset(s);
        ++rows;
    }
    sqlite3_finalize(m);
    sqlite3_finalize(s);
    tx.commit();
    return rows;
}

int rowsMode(const bench::Args& a) {
    const int n = static_cast<int>(a.num("events", 20000));
    const int reps = static_cast<int>(a.num("reps", 5));
    const ExperimentSpec spec = parseExperiment(readTextFile(ANNEAL_DEFAULT_EXPERIMENT), "default.toml");
    std::vector<std::string> domains;
    for (const auto& d : spec.data.domains) {
        domains.push_back(d.name);
    }
    const std::vector<StepEvent> events = stepEvents(n, static_cast<int>(domains.size()));
    TempDir tmp;
    const std::string path = (tmp.path / "rows.db").string();
    std::vector<double> raw, writer, ratio;
    std::int64_t rowsPerRun = 0;
    for (int r = 0; r < reps; ++r) {
        // raw
        std::int64_t run = newDatabase(path, spec);
        auto t0 = bench::Clock::now();
        rowsPerRun = rawInsert(path, run, events, domains);
        const double rawRate = static_cast<double>(rowsPerRun) / bench::secondsSince(t0);
        // writer
        run = newDatabase(path, spec);
        auto q = std::make_shared<EventQueue>(1 << 20);
        StoreWriter w(path, q);
        w.flush();  // its connection is open and its statements prepared
        t0 = bench::Clock::now();
        for (const StepEvent& e : events) {
            q->tryPush(Event{run, e});
        }
        waitWritten(w, static_cast<std::uint64_t>(n));
        const double secs = bench::secondsSince(t0);
        const StoreWriterStats st = w.stats();
        w.stop();
        if (st.eventsLost > 0 || st.eventsWritten != static_cast<std::uint64_t>(n)) {
            std::fprintf(stderr, "bench_store: the writer wrote %llu of %d events (%s)\n",
                         static_cast<unsigned long long>(st.eventsWritten), n, st.lastError.c_str());
            return 1;
        }
        const double writerRate = static_cast<double>(rowsPerRun) / secs;
        raw.push_back(rawRate);
        writer.push_back(writerRate);
        ratio.push_back(writerRate / rawRate);
        std::printf("rep %d raw_rows_per_s %.0f writer_rows_per_s %.0f ratio %.3f transactions %llu\n", r,
                    rawRate, writerRate, writerRate / rawRate,
                    static_cast<unsigned long long>(st.transactions));
        std::fflush(stdout);
    }
    std::printf("rows_per_run %lld events %d\n", static_cast<long long>(rowsPerRun), n);
    std::printf("raw_rows_per_s %.0f spread %s\n", bench::median(raw), bench::spread(raw, "%.0f").c_str());
    std::printf("writer_rows_per_s %.0f spread %s\n", bench::median(writer),
                bench::spread(writer, "%.0f").c_str());
    std::printf("ratio writer/raw %.3f spread %s\n", bench::median(ratio), bench::spread(ratio).c_str());
    return 0;
}

WeightSnapshotEvent snapshot(int n, std::int64_t step, int domains) {
    // Unbounded domains: consecutive draws get consecutive ids; the samples of a batch are spread over
    // the domains as a mixture would (equal shares here).
    std::mt19937_64 rng(11 + static_cast<std::uint64_t>(step));
    std::uniform_real_distribution<float> u(0.f, 1.f);
    WeightSnapshotEvent s;
    s.step = step;
    s.sampleIds.reserve(static_cast<size_t>(n));
    std::vector<std::uint64_t> next(static_cast<size_t>(domains), 0);
    for (int i = 0; i < n; ++i) {
        const int d = i % domains;
        s.sampleIds.push_back(makeSampleId(d, 1000 + next[static_cast<size_t>(d)]++));
        s.losses.push_back(1.0f + u(rng));
        s.weights.push_back(0.5f + u(rng));
        s.flags.push_back(u(rng) < 0.05f ? 1 : 0);
        s.steps.push_back(static_cast<std::int32_t>(step - 99 + (i * 100) / n));
    }
    return s;
}

int weightsMode(const bench::Args& a) {
    const int n = static_cast<int>(a.num("samples", 1000000));
    const int snapshots = static_cast<int>(a.num("snapshots", 10));
    const int reps = static_cast<int>(a.num("reps", 5));
    const int queries = static_cast<int>(a.num("queries", 200));
    const ExperimentSpec spec = parseExperiment(readTextFile(ANNEAL_DEFAULT_EXPERIMENT), "default.toml");
    const int D = static_cast<int>(spec.data.domains.size());
    TempDir tmp;
    const std::string path = (tmp.path / "weights.db").string();

    // 1. Publishing on the training thread: the bus hands the event to the writer's and the GUI's queues.
    std::vector<double> publishMs;
    for (int r = 0; r < reps; ++r) {
        EventBus bus;
        auto storeQ = std::make_shared<EventQueue>(1 << 18);
        auto guiQ = std::make_shared<EventQueue>(1 << 16);
        bus.subscribe(storeQ);
        bus.subscribe(guiQ);
        WeightSnapshotEvent s = snapshot(n, 99, D);
        const auto t0 = bench::Clock::now();
        bus.publish(Event{1, std::move(s)});
        publishMs.push_back(bench::secondsSince(t0) * 1e3);
    }
    std::printf("publish_ms %.3f spread %s (training thread, 2 subscribers)\n", bench::median(publishMs),
                bench::spread(publishMs).c_str());

    // 2. Storing one snapshot: writer (push -> flush) vs the raw limit (the same blobs, one transaction).
    std::vector<double> writerMs, rawMs, ratio;
    std::size_t blobBytes = 0;
    for (int r = 0; r < reps; ++r) {
        const WeightSnapshotEvent s = snapshot(n, 99, D);
        // raw: the blobs the writer stores (encoded beforehand, not timed), inserted in one transaction
        // on a connection configured as the writer's (WAL, synchronous NORMAL, no checkpoint in the commit).
        std::int64_t run = newDatabase(path, spec);
        {
            const std::vector<store::EncodedChunk> chunks = store::encodeSnapshot(s);
            SQLite::Database db(path, SQLite::OPEN_READWRITE, 10000);
            db.exec("PRAGMA journal_mode = WAL");
            db.exec("PRAGMA synchronous = NORMAL");
            db.exec("PRAGMA wal_autocheckpoint = 0");  // as the writer: checkpoints run on another thread
            const auto t0 = bench::Clock::now();
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            SQLite::Statement ins(
                db, "INSERT OR REPLACE INTO weight_chunks(run_id, bucket, step, n, data) VALUES (?,?,?,?,?)");
            blobBytes = 0;
            for (const auto& c : chunks) {
                ins.bind(1, run);
                ins.bind(2, c.bucket);
                ins.bind(3, s.step);
                ins.bind(4, c.n);
                ins.bindNoCopy(5, c.blob.data(), static_cast<int>(c.blob.size()));
                ins.exec();
                ins.reset();
                blobBytes += c.blob.size();
            }
            tx.commit();
            rawMs.push_back(bench::secondsSince(t0) * 1e3);
        }
        // writer
        run = newDatabase(path, spec);
        auto q = std::make_shared<EventQueue>(1 << 18);
        StoreWriter w(path, q);
        w.flush();
        WeightSnapshotEvent copy = s;
        const auto t0 = bench::Clock::now();
        q->tryPush(Event{run, std::move(copy)});
        waitWritten(w, 1);
        writerMs.push_back(bench::secondsSince(t0) * 1e3);
        w.stop();
        ratio.push_back(writerMs.back() / rawMs.back());
        std::printf("rep %d snapshot_store_ms writer %.2f raw %.2f ratio %.3f\n", r, writerMs.back(),
                    rawMs.back(), ratio.back());
        std::fflush(stdout);
    }
    std::printf("snapshot_samples %d blob_bytes %zu\n", n, blobBytes);
    std::printf("writer_store_ms %.2f spread %s\n", bench::median(writerMs),
                bench::spread(writerMs, "%.2f").c_str());
    std::printf("raw_store_ms %.2f spread %s\n", bench::median(rawMs), bench::spread(rawMs, "%.2f").c_str());
    std::printf("ratio writer/raw %.3f spread %s\n", bench::median(ratio), bench::spread(ratio).c_str());

    // Where the writer's time goes: the summary (weight_stats rows) and the encoding of the blobs
    // (encodeSnapshot), each timed alone on this thread; the rest of writer_store_ms is SQLite's.
    {
        std::vector<double> summaryMs, encodeMs;
        for (int r = 0; r < reps; ++r) {
            const WeightSnapshotEvent s = snapshot(n, 99, D);
            auto t0 = bench::Clock::now();
            const auto summaries = store::summarizeSnapshot(s);
            summaryMs.push_back(bench::secondsSince(t0) * 1e3);
            t0 = bench::Clock::now();
            std::size_t bytes = 0;
            for (const auto& c : store::encodeSnapshot(s)) {
                bytes += c.blob.size();
            }
            encodeMs.push_back(bench::secondsSince(t0) * 1e3);
            if (summaries.empty() || bytes == 0) {
                return 1;
            }
        }
        std::printf("breakdown_ms summary %.2f encode %.2f (spreads %s / %s)\n", bench::median(summaryMs),
                    bench::median(encodeMs), bench::spread(summaryMs, "%.2f").c_str(),
                    bench::spread(encodeMs, "%.2f").c_str());
    }

    // 3. One sample's history once `snapshots` snapshots of the same ids are stored.
    const std::int64_t run = newDatabase(path, spec);
    {
        auto q = std::make_shared<EventQueue>(1 << 18);
        StoreWriter w(path, q);
        for (int k = 0; k < snapshots; ++k) {
            q->tryPush(Event{run, snapshot(n, 99 + 100 * k, D)});
            w.flush();
        }
    }
    auto store = Store::open(path, Store::Mode::ReadOnly);
    sqlite3* db = static_cast<sqlite3*>(store->handle());
    sqlite3_stmt* rawQ = nullptr;
    sqlite3_prepare_v2(
        db, "SELECT bucket, n, data FROM weight_chunks WHERE run_id = ? AND bucket = ? ORDER BY step", -1,
        &rawQ, nullptr);
    std::mt19937_64 rng(5);
    std::vector<double> histMs, rawHistMs;
    std::size_t found = 0;
    for (int i = 0; i < queries; ++i) {
        const int d = static_cast<int>(rng() % static_cast<std::uint64_t>(D));
        const std::uint64_t id = makeSampleId(d, 1000 + rng() % static_cast<std::uint64_t>(n / D));
        auto t0 = bench::Clock::now();
        const auto h = store->sampleWeightHistory(run, id);
        histMs.push_back(bench::secondsSince(t0) * 1e3);
        found += h.size();
        t0 = bench::Clock::now();
        sqlite3_bind_int64(rawQ, 1, run);
        sqlite3_bind_int64(rawQ, 2, static_cast<sqlite3_int64>(id >> 12));
        std::size_t bytes = 0;
        while (sqlite3_step(rawQ) == SQLITE_ROW) {
            bytes += static_cast<std::size_t>(sqlite3_column_bytes(rawQ, 2));
        }
        sqlite3_reset(rawQ);
        rawHistMs.push_back(bench::secondsSince(t0) * 1e3);
        if (bytes == 0) {
            std::fprintf(stderr, "bench_store: no chunk for sample %llu\n",
                         static_cast<unsigned long long>(id));
            return 1;
        }
    }
    sqlite3_finalize(rawQ);
    std::printf("history_points_per_sample %.1f (snapshots %d)\n", static_cast<double>(found) / queries,
                snapshots);
    std::printf("sample_history_ms %.3f p90 %.3f\n", bench::median(histMs), bench::quantile(histMs, 0.9));
    std::printf("raw_select_ms %.3f p90 %.3f\n", bench::median(rawHistMs), bench::quantile(rawHistMs, 0.9));
    std::printf("ratio history/raw_select %.2f\n", bench::median(histMs) / bench::median(rawHistMs));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s rows|weights [options]\n", argv[0]);
        return 2;
    }
    try {
        const bench::Args a(argc, argv, 2);
        const std::string mode = argv[1];
        if (mode == "rows") {
            return rowsMode(a);
        }
        if (mode == "weights") {
            return weightsMode(a);
        }
        std::fprintf(stderr, "bench_store: unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_store: %s\n", e.what());
        return 1;
    }
}
