// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The real-data sources' common shape: a domain is a stream of documents, split into training and
// validation documents by a hash of each document, and a sample is a window of `length` tokens of
// one of the two streams:
//
//   training sample i    starts at offset  mix64(seed, i) mod |train stream|
//   validation sample j  starts at offset  (j mod W) * (length - 1),  W = ceil(|val stream| / (length - 1))
//
// so a window is a pure function of (files, params, index): the weights explorer regenerates it,
// and resume is bit-exact. Both streams are read cyclically (a window that runs past the end
// continues at the start), so a stream shorter than a window still yields windows. Validation
// windows tile the held-out stream: their targets cover each held-out token once per W windows.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "anneal/data_source.h"

namespace anneal::data {

/// Tokens a window is read from. Thread-safe: read() is const.
class TokenStream {
public:
    virtual ~TokenStream() = default;
    virtual std::uint64_t size() const = 0;
    /// Writes tokens [pos, pos + n) of the stream, wrapping at its end; pos < size().
    virtual void read(std::uint64_t pos, std::uint8_t* out, int n) const = 0;
};

/// A stream held in memory (text and JSONL documents with the byte tokenizer).
class ByteStream final : public TokenStream {
public:
    explicit ByteStream(std::vector<std::uint8_t> bytes) : m_bytes(std::move(bytes)) {}
    std::uint64_t size() const override { return m_bytes.size(); }
    void read(std::uint64_t pos, std::uint8_t* out, int n) const override;

private:
    std::vector<std::uint8_t> m_bytes;
};

class WindowSource final : public DataSource {
public:
    WindowSource(std::unique_ptr<TokenStream> train, std::unique_ptr<TokenStream> val, std::uint64_t seed,
                 CorpusStats stats, std::string description);
    void sample(std::uint64_t index, std::uint8_t* out, int length) const override;
    double entropyRate() const override;  ///< unknown (NaN): real text has no known floor
    std::string description() const override { return m_description; }
    const CorpusStats* corpus() const override { return &m_stats; }

private:
    std::unique_ptr<TokenStream> m_train;
    std::unique_ptr<TokenStream> m_val;
    std::uint64_t m_seed;
    CorpusStats m_stats;
    std::string m_description;
};

/// A document's place in the split: uniform in [0, 1) from a hash of its bytes alone (FNV-1a, then
/// mix64), so equal documents always fall on the same side and the split depends on no seed.
double documentSplitValue(const std::uint8_t* data, std::size_t size);

/// Which documents are held out: those with a split value < fraction; then at least one of each
/// kind (the lowest value is held out if none was, the highest trained on if all were). Throws
/// InvalidInput at `field` when there are fewer than two documents.
std::vector<bool> chooseValidation(const std::vector<double>& splitValues, double fraction,
                                   const std::string& field, const std::string& domain,
                                   const std::vector<std::string>& files);

/// Builds a source from documents (each is followed by kEndOfDocumentByte in its stream).
std::unique_ptr<DataSource> makeDocumentSource(const std::vector<std::string>& docs,
                                               std::vector<std::string> files, std::int64_t bytes,
                                               double valFraction, std::uint64_t seed,
                                               const std::string& field, const std::string& domain,
                                               const std::string& kind);

/// "1.2 MB", "340 B": a byte count for descriptions.
std::string humanBytes(std::int64_t n);

}  // namespace anneal::data
