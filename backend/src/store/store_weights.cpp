// SPDX-License-Identifier: GPL-3.0-or-later
// Reading per-sample weights back (format: weights_codec.h).
#include <SQLiteCpp/Statement.h>
#include <algorithm>

#include "anneal/dataset.h"
#include "anneal/store.h"
#include "store/store_impl.h"
#include "store/weights_codec.h"

namespace anneal {

namespace {

void appendChunk(SQLite::Statement& q, std::vector<SampleWeight>& out, std::uint64_t onlyId, bool filter) {
    const std::int64_t bucket = q.getColumn(0).getInt64();
    const int n = q.getColumn(1).getInt();
    const SQLite::Column blob = q.getColumn(2);
    std::vector<store::WeightRecord> records;
    if (filter) {
        store::decodeSample(bucket, blob.getBlob(), static_cast<size_t>(blob.getBytes()), n, onlyId, records);
    } else {
        records = store::decodeChunk(bucket, blob.getBlob(), static_cast<size_t>(blob.getBytes()), n);
    }
    for (const auto& r : records) {
        out.push_back({r.sampleId, sampleDomain(r.sampleId), r.step, r.loss, r.weight, (r.flags & 1) != 0});
    }
}

}  // namespace

std::vector<std::int64_t> Store::weightSnapshotSteps(std::int64_t runId) const {
    std::vector<std::int64_t> out;
    try {
        SQLite::Statement q(*m_impl->db,
                            "SELECT DISTINCT step FROM weight_stats WHERE run_id = ? ORDER BY step");
        q.bind(1, runId);
        while (q.executeStep()) {
            out.push_back(q.getColumn(0).getInt64());
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

std::vector<SampleWeight> Store::weightSnapshot(std::int64_t runId, std::int64_t snapshotStep) const {
    std::vector<SampleWeight> out;
    try {
        SQLite::Statement q(
            *m_impl->db,
            "SELECT bucket, n, data FROM weight_chunks WHERE run_id = ? AND step = ? ORDER BY bucket");
        q.bind(1, runId);
        q.bind(2, snapshotStep);
        while (q.executeStep()) {
            appendChunk(q, out, 0, false);
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

std::vector<SampleWeight> Store::weightsAtStep(std::int64_t runId, std::int64_t step) const {
    std::int64_t snapshot = -1;
    {
        SQLite::Statement q(*m_impl->db, "SELECT min(step) FROM weight_stats WHERE run_id = ? AND step >= ?");
        q.bind(1, runId);
        q.bind(2, step);
        if (q.executeStep() && !q.getColumn(0).isNull()) {
            snapshot = q.getColumn(0).getInt64();
        }
    }
    std::vector<SampleWeight> out;
    if (snapshot < 0) {
        return out;
    }
    for (const auto& w : weightSnapshot(runId, snapshot)) {
        if (w.step == step) {
            out.push_back(w);
        }
    }
    return out;
}

std::vector<SampleWeight> Store::sampleWeightHistory(std::int64_t runId, std::uint64_t sampleId) const {
    std::vector<SampleWeight> out;
    try {
        SQLite::Statement q(
            *m_impl->db,
            "SELECT bucket, n, data FROM weight_chunks WHERE run_id = ? AND bucket = ? ORDER BY step");
        q.bind(1, runId);
        q.bind(2, static_cast<std::int64_t>(sampleId >> store::kBucketBits));
        while (q.executeStep()) {
            appendChunk(q, out, sampleId, true);
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const SampleWeight& a, const SampleWeight& b) { return a.step < b.step; });
    return out;
}

std::vector<WeightStatsRow> Store::weightStats(std::int64_t runId) const {
    std::vector<WeightStatsRow> out;
    try {
        SQLite::Statement q(
            *m_impl->db,
            "SELECT step, domain, count, mean, std, min, max, q05, q25, q50, q75, q95, share, loss_mean, "
            "noisy_count, noisy_mean, hist FROM weight_stats WHERE run_id = ? ORDER BY step, domain");
        q.bind(1, runId);
        const double nan = std::nan("");
        while (q.executeStep()) {
            WeightStatsRow r;
            r.step = q.getColumn(0).getInt64();
            r.domain = q.getColumn(1).getInt();
            r.count = q.getColumn(2).getInt64();
            double* fields[] = {&r.mean, &r.std, &r.min, &r.max,   &r.q05,     &r.q25,
                                &r.q50,  &r.q75, &r.q95, &r.share, &r.lossMean};
            for (int i = 0; i < 11; ++i) {
                *fields[i] = realOr(q.getColumn(3 + i), nan);
            }
            r.noisyCount = q.getColumn(14).getInt64();
            r.noisyMean = realOr(q.getColumn(15), nan);
            const SQLite::Column h = q.getColumn(16);
            if (!h.isNull()) {
                const auto* p = static_cast<const std::uint32_t*>(h.getBlob());
                r.hist.assign(p, p + h.getBytes() / static_cast<int>(sizeof(std::uint32_t)));
            }
            out.push_back(std::move(r));
        }
    } catch (const SQLite::Exception& e) {
        throw store::storageError(m_impl->path, e);
    }
    return out;
}

}  // namespace anneal
