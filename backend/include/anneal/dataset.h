// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file dataset.h
/// The data of an experiment: its domains' sources, planted label noise, validation sets and the
/// mixture sampler that draws each step's batch. Everything is counter-based: a sample is a pure
/// function of its id, and a batch is a pure function of (seed, step, sampler counters), so runs are
/// deterministic and resumable and any sample can be shown again from its id.
///
/// Sample ids: (domain << 48) | index. Training indices are < 2^47; validation samples set bit 47.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "anneal/data_source.h"
#include "anneal/experiment.h"

namespace anneal {

constexpr int kSampleDomainShift = 48;
constexpr std::uint64_t kValidationBit = std::uint64_t{1} << 47;

inline std::uint64_t makeSampleId(int domain, std::uint64_t index) {
    return (static_cast<std::uint64_t>(domain) << kSampleDomainShift) | index;
}
inline int sampleDomain(std::uint64_t id) { return static_cast<int>(id >> kSampleDomainShift); }
inline std::uint64_t sampleIndex(std::uint64_t id) {
    return id & ((std::uint64_t{1} << kSampleDomainShift) - 1);
}
inline bool isValidationSample(std::uint64_t id) { return (id & kValidationBit) != 0; }

namespace data {
class Tokenizer;
}

/// One batch of token sequences, row-major [size x length], length = context + 1.
struct Batch {
    int size = 0;
    int length = 0;
    std::vector<Token> tokens;
    std::vector<std::uint64_t> ids;
    std::vector<std::int32_t> domains;
    std::vector<std::uint8_t> noisy;  ///< 1 when the sample's continuation was replaced by noise
};

/// Progress of building the data: a stage ("train tokenizer", "tokenise licenses", "cached
/// licenses") and its done/total counts. Called on the constructing thread.
using DataProgress = std::function<void(const std::string& stage, std::int64_t done, std::int64_t total)>;

class Dataset {
public:
    /// Builds the tokenizer (training a SentencePiece model on the training documents when the
    /// experiment asks for one; data/token_cache.h keeps it and the tokenised text on disk) and
    /// every domain's source, reporting the slow stages (training, tokenising) to `progress`.
    /// Throws InvalidConfig like parseExperiment would.
    explicit Dataset(const ExperimentSpec& spec, const DataProgress& progress = {});
    ~Dataset();
    Dataset(const Dataset&) = delete;
    Dataset& operator=(const Dataset&) = delete;

    int domainCount() const { return static_cast<int>(m_domains.size()); }
    const DomainSpec& domain(int i) const { return m_domains[static_cast<size_t>(i)]; }
    const DataSource& source(int i) const { return *m_sources[static_cast<size_t>(i)]; }
    int sampleLength() const { return m_length; }

    /// Writes sample `id` (training or validation) to out[0..sampleLength()).
    void fill(std::uint64_t id, Token* out) const;
    /// The same as bytes, for the byte tokenizer only: throws InvalidInput when vocabulary() > 256.
    void fill(std::uint64_t id, std::uint8_t* out) const;
    /// The bytes of text a window's targets (tokens 1 .. sampleLength()-1) stand for: the
    /// denominator of bits per byte, the sum of the tokens' byte lengths (Tokenizer::tokenBytes;
    /// the end-of-document token counts one). With the byte tokenizer it is sampleLength() - 1.
    std::int64_t targetBytes(const Token* window) const;
    /// The model's vocabulary: the tokenizer's (256 for bytes).
    int vocabulary() const;
    const data::Tokenizer& tokenizer() const { return *m_tokenizer; }
    /// The text of tokens, by the tokenizer's decode, each end-of-document token written as the byte
    /// kEndOfDocumentByte. With the byte tokenizer: the tokens as bytes.
    std::string decode(const Token* tokens, int n) const;
    /// decode() as one terminal-safe line (escapeSampleText), the end-of-document byte shown as
    /// ⟨eod⟩ when `endOfDocument`.
    std::string decodeForDisplay(const Token* tokens, int n, bool endOfDocument) const;
    /// Whether training sample `id` carries planted noise (validation samples never do).
    bool isNoisy(std::uint64_t id) const;
    /// Per-domain loss floor at this context (nats/token), from the sources' entropy.
    std::vector<double> entropyFloors() const;
    /// Per-domain asymptotic entropy rate (nats/token); NaN where unknown.
    std::vector<double> entropyRates() const;
    /// The floor of a mix: sum_i p_i floor_i (a lower bound: knowing the domain can only help).
    double mixtureFloor(const std::vector<double>& p) const;
    /// The validation batch `batchIndex` of a domain (fixed across seeds and runs).
    void validationBatch(int domain, int batchIndex, int batchSize, Batch& out) const;

private:
    std::vector<DomainSpec> m_domains;
    std::vector<std::unique_ptr<DataSource>> m_sources;
    std::vector<std::uint64_t> m_noiseKeys;
    std::shared_ptr<const data::Tokenizer> m_tokenizer;
    int m_length;
};

/// Counters of the sampler: training samples drawn from each domain so far. Saved in checkpoints.
struct SamplerState {
    std::vector<std::uint64_t> drawn;
};

class MixtureSampler {
public:
    MixtureSampler(const ExperimentSpec& spec, const Dataset& data);

    /// Draws step t's batch: each slot's domain from mixtureAt(spec, t) with a counter-based
    /// uniform keyed by (seed, t, slot), then that domain's next index.
    void nextBatch(std::int64_t step, Batch& out);
    /// The domain index a slot would draw at a step (no state change); used by tests.
    int domainFor(std::int64_t step, int slot) const;

    const SamplerState& state() const { return m_state; }
    void setState(const SamplerState& s);
    /// Index of the n-th draw of a domain: a fresh id for unbounded domains, a per-epoch
    /// permutation of [0, size) for finite ones.
    std::uint64_t indexOf(int domain, std::uint64_t n) const;

private:
    const ExperimentSpec& m_spec;
    const Dataset& m_data;
    SamplerState m_state;
    std::uint64_t m_key;
};

/// A bijection on [0, n) keyed by `key` (cycle-walking Feistel network).
std::uint64_t permuteIndex(std::uint64_t i, std::uint64_t n, std::uint64_t key);

}  // namespace anneal
