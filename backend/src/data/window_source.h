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
    virtual void read(std::uint64_t pos, Token* out, int n) const = 0;
    /// The largest id the stream can hold (255 for bytes), to refuse a narrowing to bytes.
    virtual bool bytesOnly() const { return true; }
};

/// A stream held in memory (text and JSONL documents with the byte tokenizer).
class ByteStream final : public TokenStream {
public:
    explicit ByteStream(std::vector<std::uint8_t> bytes) : m_bytes(std::move(bytes)) {}
    std::uint64_t size() const override { return m_bytes.size(); }
    void read(std::uint64_t pos, Token* out, int n) const override;

private:
    std::vector<std::uint8_t> m_bytes;
};

/// A stream of token ids held in memory (text and JSONL documents with a subword tokenizer).
class IdStream final : public TokenStream {
public:
    explicit IdStream(std::vector<Token> ids) : m_ids(std::move(ids)) {}
    std::uint64_t size() const override { return m_ids.size(); }
    void read(std::uint64_t pos, Token* out, int n) const override;
    bool bytesOnly() const override { return false; }

private:
    std::vector<Token> m_ids;
};

class WindowSource final : public DataSource {
public:
    WindowSource(std::unique_ptr<TokenStream> train, std::unique_ptr<TokenStream> val, std::uint64_t seed,
                 CorpusStats stats, std::string description);
    void sample(std::uint64_t index, std::uint8_t* out, int length) const override;
    void sampleTokens(std::uint64_t index, Token* out, int length) const override;
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

/// The documents of a text: or jsonl: domain, read and split into documents, before tokenising.
struct DocumentSet {
    std::vector<std::string> docs;
    std::vector<std::string> files;
    std::int64_t bytes = 0;  ///< text read (CorpusStats::bytes)
    double valFraction = 0.05;
    std::uint64_t seed = 0;
    std::string field;  ///< the domain's ".source" key path, for messages
    std::string domain;
    std::string kind;  ///< "text", "jsonl"
    /// Which documents are held out (chooseValidation over documentSplitValue).
    std::vector<bool> validation() const;
};

/// Builds a source from documents with the byte tokenizer (each document is followed by
/// kEndOfDocumentByte in its stream).
std::unique_ptr<DataSource> makeDocumentSource(DocumentSet set);

/// Builds a source from documents already tokenised (ids[i] are the tokens of set.docs[i]), each
/// followed by `endOfDocument` in its stream. `tokenizer` names it in the description.
std::unique_ptr<DataSource> makeTokenizedSource(const DocumentSet& set,
                                                const std::vector<std::vector<Token>>& ids,
                                                Token endOfDocument, const std::string& tokenizer);

/// "1.2 MB", "340 B": a byte count for descriptions.
std::string humanBytes(std::int64_t n);

}  // namespace anneal::data
