// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// WAL checkpoints of one database on a thread of their own. With SQLite's automatic checkpoints the
// commit that pushes the WAL past 1000 pages copies it into the database file and syncs both, inside
// that commit: the store writer stalled there once per 4 MB written (a 1e6-sample weight snapshot,
// 10 MB, paid it twice; docs/BENCHMARKS.md, figure 3). Here the writer's connection only reports
// the WAL's size after each commit (sqlite3_wal_hook, which also turns its automatic checkpoints
// off) and a second connection runs PASSIVE checkpoints, which never block the writer or readers.

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace anneal::store {

class WalCheckpointer {
public:
    /// Checkpoints `path` whenever a commit leaves at least `thresholdPages` frames in the WAL.
    WalCheckpointer(std::string path, int busyTimeoutMs, int thresholdPages = 1000);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Hooks the writing connection: its commits signal this checkpointer instead of checkpointing.
    void attach(sqlite3* writer);
    /// Stops the thread and closes its connection (the last one to close checkpoints the rest).
    void stop();
    /// Checkpoints run so far (tests).
    int checkpoints() const;

private:
    static int walHook(void* self, sqlite3* db, const char* name, int pages);
    void loop();

    std::string m_path;
    int m_busyTimeoutMs;
    int m_threshold;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_pending = false;
    bool m_stopping = false;
    int m_done = 0;
    std::thread m_thread;
};

}  // namespace anneal::store
