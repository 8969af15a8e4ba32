// SPDX-License-Identifier: GPL-3.0-or-later
// Store::branchHistory: the one walk over runs.parent_id, with loop detection and a depth cap, so a
// database edited outside Anneal (a parent loop) gives an error instead of endless recursion.
#include <algorithm>
#include <limits>
#include <set>
#include <string>

#include "anneal/error.h"
#include "anneal/store.h"
#include "store/sqlite_stmt.h"
#include "store/store_impl.h"

namespace anneal {

namespace {

std::string chainText(const std::vector<std::int64_t>& ids, std::int64_t again) {
    std::string s;
    for (std::int64_t id : ids) {
        s += std::to_string(id) + " -> ";
    }
    return s + std::to_string(again);
}

}  // namespace

std::vector<HistorySegment> Store::branchHistory(std::int64_t runId) const {
    std::vector<HistorySegment> chain;  // newest first while walking
    std::vector<std::int64_t> ids;
    std::set<std::int64_t> seen;
    try {
        store::Stmt q(m_impl->db->getHandle(), "SELECT parent_id, branch_step FROM runs WHERE id = ?");
        std::int64_t below = std::numeric_limits<std::int64_t>::max();
        std::optional<std::int64_t> id = runId;
        while (id) {
            if (seen.count(*id)) {
                throw Error(ErrorCode::Storage,
                            "run " + std::to_string(runId) + ": its branch parents form a loop (" +
                                chainText(ids, *id) + "); the database was changed outside Anneal",
                            m_impl->path + ": runs.parent_id",
                            "a chain of parents that ends at a run without one");
            }
            if (static_cast<int>(chain.size()) >= kMaxBranchDepth) {
                throw Error(ErrorCode::Storage,
                            "run " + std::to_string(runId) + ": its chain of branch parents is deeper than " +
                                std::to_string(kMaxBranchDepth) + " runs",
                            m_impl->path + ": runs.parent_id",
                            "at most " + std::to_string(kMaxBranchDepth) + " generations of branches");
            }
            q.reset();
            q.bind(1, *id);
            if (!q.step()) {
                if (chain.empty()) {
                    throw Error(ErrorCode::NotFound,
                                "no run with id " + std::to_string(runId) + " in " + m_impl->path, "RUN_ID",
                                "an id listed by `anneal-cli runs`");
                }
                break;  // the parent was deleted: the history starts at its oldest surviving run
            }
            seen.insert(*id);
            ids.push_back(*id);
            HistorySegment seg;
            seg.runId = *id;
            seg.below = below;
            const bool hasParent = !q.null(0) && !q.null(1);
            if (hasParent) {
                seg.branchStep = q.i64(1);
            }
            chain.push_back(seg);
            if (!hasParent) {
                break;
            }
            below = std::min(below, q.i64(1));
            id = q.i64(0);
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

}  // namespace anneal
