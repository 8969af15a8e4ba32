// SPDX-License-Identifier: GPL-3.0-or-later
// MixtureSampler: which domain and which sample fills each slot of a batch. Stateless except for the
// per-domain draw counters, so a checkpoint only needs those to resume bit-exactly.

#include <algorithm>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/mixture.h"

namespace anneal {

std::uint64_t permuteIndex(std::uint64_t i, std::uint64_t n, std::uint64_t key) {
    if (n <= 1) {
        return 0;
    }
    int bits = 1;
    while ((std::uint64_t{1} << bits) < n) {
        ++bits;
    }
    const int half = (bits + 1) / 2;
    const std::uint64_t mask = (std::uint64_t{1} << half) - 1;
    // Balanced Feistel on 2*half bits; cycle-walk until the value falls back into [0, n).
    do {
        std::uint64_t l = i >> half;
        std::uint64_t r = i & mask;
        for (int round = 0; round < 4; ++round) {
            const std::uint64_t f =
                mix64(key ^ (r * 0x9E3779B97F4A7C15ULL) ^ static_cast<std::uint64_t>(round)) & mask;
            const std::uint64_t nl = r;
            r = l ^ f;
            l = nl;
        }
        i = (l << half) | r;
    } while (i >= n);
    return i;
}

namespace {
/// Inverse CDF over the domains with p > 0 (a domain with p = 0 is never drawn, even at u = 0).
int pickDomain(const std::vector<double>& p, double u) {
    double acc = 0;
    int last = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] <= 0) {
            continue;
        }
        acc += p[i];
        last = static_cast<int>(i);
        if (u < acc) {
            return last;
        }
    }
    return last;  // rounding: u fell past the last positive cumulative sum
}
}  // namespace

MixtureSampler::MixtureSampler(const ExperimentSpec& spec, const Dataset& data)
    : m_spec(spec), m_data(data), m_key(mix64(spec.seed ^ 0x5A4D504CULL)) {
    m_state.drawn.assign(static_cast<size_t>(data.domainCount()), 0);
}

void MixtureSampler::setState(const SamplerState& s) {
    if (s.drawn.size() != m_state.drawn.size()) {
        throw Error(ErrorCode::InvalidInput, "sampler state has " + std::to_string(s.drawn.size()) +
                                                 " domains, the experiment has " +
                                                 std::to_string(m_state.drawn.size()));
    }
    m_state = s;
}

std::uint64_t MixtureSampler::indexOf(int domain, std::uint64_t n) const {
    const std::int64_t size = m_data.domain(domain).size;
    const std::uint64_t dkey =
        mix64(m_key ^ (static_cast<std::uint64_t>(domain) + 1) * 0xD1B54A32D192ED03ULL);
    if (size <= 0) {
        // Unbounded: a fresh index per draw, offset by the seed so different seeds see different data;
        // consecutive draws get consecutive ids (compact per-sample weight storage relies on it).
        return ((dkey >> 18) + n) & (kValidationBit - 1);
    }
    const auto s = static_cast<std::uint64_t>(size);
    const std::uint64_t epoch = n / s;
    return permuteIndex(n % s, s, mix64(dkey ^ epoch));
}

int MixtureSampler::domainFor(std::int64_t step, int slot) const {
    const std::vector<double> p = mixtureAt(m_spec, step);
    const double u = uniform01(
        m_key, static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(m_spec.data.batchSize) +
                   static_cast<std::uint64_t>(slot));
    return pickDomain(p, u);
}

void MixtureSampler::nextBatch(std::int64_t step, Batch& out) {
    const int B = m_spec.data.batchSize;
    const int len = m_data.sampleLength();
    out.size = B;
    out.length = len;
    out.tokens.resize(static_cast<size_t>(B) * static_cast<size_t>(len));
    out.ids.resize(static_cast<size_t>(B));
    out.domains.resize(static_cast<size_t>(B));
    out.noisy.resize(static_cast<size_t>(B));
    const std::vector<double> p = mixtureAt(m_spec, step);
    for (int j = 0; j < B; ++j) {
        const double u = uniform01(m_key, static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(B) +
                                              static_cast<std::uint64_t>(j));
        const int d = pickDomain(p, u);
        const std::uint64_t index = indexOf(d, m_state.drawn[static_cast<size_t>(d)]++);
        const std::uint64_t id = makeSampleId(d, index);
        out.ids[static_cast<size_t>(j)] = id;
        out.domains[static_cast<size_t>(j)] = d;
        out.noisy[static_cast<size_t>(j)] = m_data.isNoisy(id) ? 1 : 0;
        m_data.fill(id, &out.tokens[static_cast<size_t>(j) * static_cast<size_t>(len)]);
    }
}

}  // namespace anneal
