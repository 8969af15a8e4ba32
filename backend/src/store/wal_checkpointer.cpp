// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/wal_checkpointer.h"

#include <sqlite3.h>

namespace anneal::store {

WalCheckpointer::WalCheckpointer(std::string path, int busyTimeoutMs, int thresholdPages)
    : m_path(std::move(path)), m_busyTimeoutMs(busyTimeoutMs), m_threshold(thresholdPages) {
    m_thread = std::thread([this] { loop(); });
}

WalCheckpointer::~WalCheckpointer() { stop(); }

void WalCheckpointer::attach(sqlite3* writer) { sqlite3_wal_hook(writer, &WalCheckpointer::walHook, this); }

int WalCheckpointer::walHook(void* self, sqlite3*, const char*, int pages) {
    auto* c = static_cast<WalCheckpointer*>(self);
    if (pages >= c->m_threshold) {
        {
            std::lock_guard<std::mutex> lock(c->m_mutex);
            c->m_pending = true;
        }
        c->m_cv.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::stop() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

int WalCheckpointer::checkpoints() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_done;
}

void WalCheckpointer::loop() {
    sqlite3* db = nullptr;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_cv.wait(lock, [this] { return m_pending || m_stopping; });
            if (m_stopping) {
                break;
            }
            m_pending = false;
        }
        // Opened on first use: the writer has committed, so the file exists and is in WAL mode.
        if (!db) {
            if (sqlite3_open_v2(m_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
                sqlite3_busy_timeout(db, m_busyTimeoutMs);
            } else {
                sqlite3_close_v2(db);
                db = nullptr;
            }
        }
        // A failed checkpoint (a reader holding an old snapshot, a full disk) leaves the WAL as it
        // is; the next commit past the threshold tries again, and the writer reports its own errors.
        // Through the PRAGMA, not sqlite3_wal_checkpoint_v2 alone: a connection that has not read the
        // database yet does not know it is in WAL mode, and the bare call then does nothing (and says OK).
        if (db &&
            sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr) == SQLITE_OK) {
            std::lock_guard<std::mutex> lock(m_mutex);
            ++m_done;
        }
    }
    sqlite3_close_v2(db);  // NULL is a harmless no-op
}

}  // namespace anneal::store
