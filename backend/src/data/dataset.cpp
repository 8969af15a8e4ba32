// SPDX-License-Identifier: GPL-3.0-or-later
// Dataset: the domains' sources, planted label noise and fixed validation sets.

#include <cmath>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "data/param_reader.h"
#include "data/sample_rng.h"
#include "data/tokenized_sources.h"
#include "data/tokenizer.h"

namespace anneal {

Dataset::Dataset(const ExperimentSpec& spec, const DataProgress& progress)
    : m_domains(spec.data.domains), m_length(spec.model.context + 1) {
    if (spec.tokenizer.kind == "bytes") {
        m_tokenizer = data::makeByteTokenizer();
        for (size_t i = 0; i < m_domains.size(); ++i) {
            m_sources.push_back(makeSource(m_domains[i], "data.domain[" + std::to_string(i) + "]"));
        }
    } else {
        data::TokenizedSources built = data::buildTokenizedSources(spec, progress);
        m_tokenizer = std::move(built.tokenizer);
        m_sources = std::move(built.sources);
    }
    for (const auto& d : m_domains) {
        m_noiseKeys.push_back(mix64(data::nameSeed(d.name) ^ 0x6e6f697365ULL));
    }
}

int Dataset::vocabulary() const { return m_tokenizer->vocabulary(); }

Dataset::~Dataset() = default;

bool Dataset::isNoisy(std::uint64_t id) const {
    if (isValidationSample(id)) {
        return false;
    }
    const auto d = static_cast<size_t>(sampleDomain(id));
    const double rate = m_domains[d].noiseRate;
    return rate > 0 && uniform01(m_noiseKeys[d], sampleIndex(id)) < rate;
}

void Dataset::fill(std::uint64_t id, Token* out) const {
    const int d = sampleDomain(id);
    if (d < 0 || d >= domainCount()) {
        throw Error(ErrorCode::InvalidInput,
                    "sample id " + std::to_string(id) + " names no domain of this run");
    }
    m_sources[static_cast<size_t>(d)]->sampleTokens(sampleIndex(id), out, m_length);
    if (isNoisy(id)) {
        // Planted label noise: the continuation (second half) is replaced by uniform random tokens
        // (the top byte of each draw for the byte tokenizer, as always; a multiply-shift into the
        // vocabulary otherwise).
        data::SampleRng rng(m_noiseKeys[static_cast<size_t>(d)] ^ 0xBADDA7AULL, sampleIndex(id));
        const auto vocab = static_cast<unsigned __int128>(vocabulary());
        for (int t = m_length / 2; t < m_length; ++t) {
            out[t] = vocab == 256
                         ? static_cast<Token>(rng.next() >> 56)
                         : static_cast<Token>((static_cast<unsigned __int128>(rng.next()) * vocab) >> 64);
        }
    }
}

void Dataset::fill(std::uint64_t id, std::uint8_t* out) const {
    if (vocabulary() > 256) {
        throw Error(ErrorCode::InvalidInput, "a window of a " + m_tokenizer->kind() +
                                                 " tokenizer's ids cannot be read as bytes; decode it");
    }
    std::vector<Token> tokens(static_cast<size_t>(m_length));
    fill(id, tokens.data());
    for (int t = 0; t < m_length; ++t) {
        out[t] = static_cast<std::uint8_t>(tokens[static_cast<size_t>(t)]);
    }
}

std::int64_t Dataset::targetBytes(const Token* window) const {
    std::int64_t n = 0;
    for (int t = 1; t < m_length; ++t) {
        n += m_tokenizer->tokenBytes(window[t]);
    }
    return n;
}

std::string Dataset::decode(const Token* tokens, int n) const {
    // Decode document by document so the end-of-document token shows where it is.
    std::string bytes;
    const Token eod = m_tokenizer->endOfDocument();
    int from = 0;
    for (int i = 0; i <= n; ++i) {
        if (i == n || tokens[i] == eod) {
            bytes += m_tokenizer->decode(tokens + from, i - from);
            if (i < n) {
                bytes.push_back(static_cast<char>(kEndOfDocumentByte));
            }
            from = i + 1;
        }
    }
    return bytes;
}

std::string Dataset::decodeForDisplay(const Token* tokens, int n, bool endOfDocument) const {
    const std::string bytes = decode(tokens, n);
    return escapeSampleText(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                            static_cast<int>(bytes.size()), endOfDocument);
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
