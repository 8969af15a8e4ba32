// SPDX-License-Identifier: GPL-3.0-or-later
// Dataset: the domains' sources, planted label noise and fixed validation sets.

#include <cmath>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "data/param_reader.h"
#include "data/sample_rng.h"

namespace anneal {

Dataset::Dataset(const ExperimentSpec& spec)
    : m_domains(spec.data.domains), m_length(spec.model.context + 1) {
    for (size_t i = 0; i < m_domains.size(); ++i) {
        m_sources.push_back(makeSource(m_domains[i], "data.domain[" + std::to_string(i) + "]"));
        m_noiseKeys.push_back(mix64(data::nameSeed(m_domains[i].name) ^ 0x6e6f697365ULL));
    }
}

Dataset::~Dataset() = default;

bool Dataset::isNoisy(std::uint64_t id) const {
    if (isValidationSample(id)) {
        return false;
    }
    const auto d = static_cast<size_t>(sampleDomain(id));
    const double rate = m_domains[d].noiseRate;
    return rate > 0 && uniform01(m_noiseKeys[d], sampleIndex(id)) < rate;
}

void Dataset::fill(std::uint64_t id, std::uint8_t* out) const {
    const int d = sampleDomain(id);
    if (d < 0 || d >= domainCount()) {
        throw Error(ErrorCode::InvalidInput,
                    "sample id " + std::to_string(id) + " names no domain of this run");
    }
    m_sources[static_cast<size_t>(d)]->sample(sampleIndex(id), out, m_length);
    if (isNoisy(id)) {
        // Planted label noise: the continuation (second half) is replaced by uniform random bytes.
        data::SampleRng rng(m_noiseKeys[static_cast<size_t>(d)] ^ 0xBADDA7AULL, sampleIndex(id));
        for (int t = m_length / 2; t < m_length; ++t) {
            out[t] = static_cast<std::uint8_t>(rng.next() >> 56);
        }
    }
}

std::int64_t Dataset::targetBytes(const std::uint8_t* window) const {
    (void)window;  // byte tokenizer: one byte per token
    return m_length - 1;
}

std::vector<double> Dataset::entropyFloors() const {
    std::vector<double> out;
    for (const auto& s : m_sources) {
        out.push_back(s->entropyFloor(m_length - 1));
    }
    return out;
}

std::vector<double> Dataset::entropyRates() const {
    std::vector<double> out;
    for (const auto& s : m_sources) {
        out.push_back(s->entropyRate());
    }
    return out;
}

double Dataset::mixtureFloor(const std::vector<double>& p) const {
    const auto floors = entropyFloors();
    double f = 0;
    for (size_t i = 0; i < floors.size() && i < p.size(); ++i) {
        if (p[i] > 0) {
            f += p[i] * floors[i];
        }
    }
    return f;
}

void Dataset::validationBatch(int domain, int batchIndex, int batchSize, Batch& out) const {
    out.size = batchSize;
    out.length = m_length;
    out.tokens.resize(static_cast<size_t>(batchSize) * static_cast<size_t>(m_length));
    out.ids.resize(static_cast<size_t>(batchSize));
    out.domains.assign(static_cast<size_t>(batchSize), domain);
    out.noisy.assign(static_cast<size_t>(batchSize), 0);
    for (int i = 0; i < batchSize; ++i) {
        const std::uint64_t index =
            kValidationBit | (static_cast<std::uint64_t>(batchIndex) * static_cast<std::uint64_t>(batchSize) +
                              static_cast<std::uint64_t>(i));
        const std::uint64_t id = makeSampleId(domain, index);
        out.ids[static_cast<size_t>(i)] = id;
        fill(id, &out.tokens[static_cast<size_t>(i) * static_cast<size_t>(m_length)]);
    }
}

}  // namespace anneal
