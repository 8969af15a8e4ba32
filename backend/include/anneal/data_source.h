// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file data_source.h
/// Byte-level data sources. A source is a pure function from a sample index to bytes, so any sample
/// can be regenerated from its id (the weights explorer previews samples this way) and runs are
/// deterministic by seed. Synthetic sources know their entropy rate, which makes the irreducible
/// loss of a mixture known exactly; real sources (text:, jsonl:, tokens:) do not (NaN) and read
/// windows of their document stream (docs/DATA.md). Thread-safe: sample() is const and touches no
/// shared state.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal {

/// A token id. The byte tokenizer's ids are 0..255; a subword tokenizer's (tokenizer.h) go up to
/// its vocabulary. Signed 32-bit so a batch turns into a tensor without conversion of the values.
using Token = std::int32_t;

/// What a real-data source read: its files, documents and the train/validation split by document.
/// Tokens count the document stream (the documents plus one end-of-document token each).
struct CorpusStats {
    std::vector<std::string> files;
    std::int64_t documents = 0;
    std::int64_t bytes = 0;  ///< text bytes (after decompression), without separators
    std::int64_t tokens = 0;
    std::int64_t trainDocuments = 0;
    std::int64_t valDocuments = 0;
    std::int64_t trainTokens = 0;
    std::int64_t valTokens = 0;
};

class DataSource {
public:
    virtual ~DataSource() = default;
    /// Writes the `length` bytes of sample `index` to out. Deterministic in (source params, index).
    /// A source whose ids can exceed 255 (a real source read with a subword tokenizer) throws
    /// InvalidInput here; sampleTokens() is the general form.
    virtual void sample(std::uint64_t index, std::uint8_t* out, int length) const = 0;
    /// Writes the `length` token ids of sample `index` to out. The default widens sample()'s bytes.
    virtual void sampleTokens(std::uint64_t index, Token* out, int length) const;
    /// Entropy rate in nats per token (the limit for long contexts); NaN when unknown (real text).
    virtual double entropyRate() const = 0;
    /// Lowest expected loss (nats/token) any model can reach on this source, averaged over the
    /// `targets` predicted positions of one sample. Equals entropyRate() unless the source knows
    /// better (the markov source's first order-1 targets are uniform).
    virtual double entropyFloor(int targets) const { return entropyRate(); }
    /// One line for humans: "markov order 2, alphabet 16, H = 1.5 nats/token".
    virtual std::string description() const = 0;
    /// Files, documents and split of a real-data source; nullptr for synthetic ones.
    virtual const CorpusStats* corpus() const { return nullptr; }
};

struct SourceInfo {
    std::string name;                 ///< "synthetic:markov"
    std::string summary;              ///< one line
    std::vector<std::string> params;  ///< accepted [data.domain.params] keys besides noise_rate
};

/// The byte real-text sources put between documents (the end-of-document token of the byte
/// tokenizer). 0xFF never occurs in valid UTF-8, so it cannot be confused with text.
constexpr std::uint8_t kEndOfDocumentByte = 0xFF;

/// The vocabulary of a tokenizer that needs no training: 256 for bytes, the piece count of a
/// SentencePiece model file, one more than the largest id of GPT-2's vocab.json. Reads the files
/// the spec names; throws InvalidConfig naming the key (tokenizer.model, tokenizer.vocab, ...).
int tokenizerVocabulary(const TokenizerSpec& spec);

/// Every source kind Anneal knows.
std::vector<SourceInfo> sourceCatalog();

/// Builds a domain's source. `field` is the domain's key path ("data.domain[1]") for messages.
/// Throws InvalidConfig for an unknown source, an unknown param or a param out of range.
std::unique_ptr<DataSource> makeSource(const DomainSpec& domain, const std::string& field);
/// Validates a domain's source and params without reading its data (real sources check that their
/// glob matches a file, not the files' contents; makeSource does that). Used when parsing.
void checkSource(const DomainSpec& domain, const std::string& field);

/// A window of byte tokens as one line a terminal shows safely: valid UTF-8 stays as it is;
/// control characters and bytes of broken sequences become escapes (\n, \t, \xNN, \u{202E} for
/// C1 and bidirectional controls); a backslash becomes \\. With `endOfDocument`, the
/// end-of-document byte (kEndOfDocumentByte) shows as ⟨eod⟩.
std::string escapeSampleText(const std::uint8_t* bytes, int n, bool endOfDocument);

// --- helpers shared by the sources, the sampler and the noise planting ---

/// SplitMix64 finaliser: a strong 64-bit mix, used for counter-based randomness.
std::uint64_t mix64(std::uint64_t x);
/// A counter-based uniform double in [0, 1) from two keys.
double uniform01(std::uint64_t key, std::uint64_t counter);

}  // namespace anneal
