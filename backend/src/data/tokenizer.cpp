// SPDX-License-Identifier: GPL-3.0-or-later
// The byte tokenizer and loading a tokenizer from the files an experiment names.

#include "data/tokenizer.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "anneal/error.h"
#include "anneal/sha256.h"
#include "data/corpus_files.h"

namespace anneal::data {

namespace {

class ByteTokenizer final : public Tokenizer {
public:
    ByteTokenizer() {
        m_tokenBytes.assign(256, 1);
        m_identity = "bytes";
        m_summary = "bytes, vocabulary 256";
    }
    std::string kind() const override { return "bytes"; }
    int vocabulary() const override { return 256; }
    Token endOfDocument() const override { return kEndOfDocumentByte; }
    std::vector<Token> encode(std::string_view text) const override {
        return std::vector<Token>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                  reinterpret_cast<const std::uint8_t*>(text.data()) + text.size());
    }
    std::string decode(const Token* ids, int n) const override {
        std::string out;
        out.reserve(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            if (ids[i] != kEndOfDocumentByte) {
                out.push_back(static_cast<char>(ids[i]));
            }
        }
        return out;
    }
};

std::string readWhole(const std::string& path, const std::string& field, const std::string& what) {
    try {
        return readDecompressed(path);
    } catch (const Error& e) {
        throw Error(ErrorCode::InvalidConfig, "cannot read the " + what + ": " + e.detail(), field,
                    "an existing, readable file (relative paths are relative to the working directory)");
    }
}

}  // namespace

std::vector<std::vector<Token>> Tokenizer::encodeAll(const std::vector<std::string>& docs,
                                                     int threads) const {
    std::vector<std::vector<Token>> ids(docs.size());
    if (threads <= 0) {
        threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, 8U));
    }
    threads = std::max(1, std::min(threads, static_cast<int>(docs.size())));
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
    auto work = [&] {
        try {
            for (size_t i = next++; i < docs.size() && !failed; i = next++) {
                ids[i] = encode(docs[i]);
            }
        } catch (...) {
            if (!failed.exchange(true)) {
                failure = std::current_exception();
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
        pool.emplace_back(work);
    }
    work();
    for (auto& t : pool) {
        t.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return ids;
}

std::shared_ptr<const Tokenizer> makeByteTokenizer() {
    static const auto bytes = std::make_shared<const ByteTokenizer>();
    return bytes;
}

std::shared_ptr<const Tokenizer> loadTokenizer(const TokenizerSpec& spec) {
    if (spec.kind == "bytes") {
        return makeByteTokenizer();
    }
    if (spec.kind == "gpt2") {
        const std::string vocab =
            readWhole(spec.vocab, "tokenizer.vocab", "GPT-2 vocab.json \"" + spec.vocab + "\"");
        return makeGpt2Tokenizer(
            vocab, readWhole(spec.merges, "tokenizer.merges", "GPT-2 merges.txt \"" + spec.merges + "\""));
    }
    if (spec.kind == "sentencepiece" && !spec.model.empty()) {
        return makeSentencePieceTokenizer(
            readWhole(spec.model, "tokenizer.model", "SentencePiece model \"" + spec.model + "\""),
            "tokenizer.model", "\"" + spec.model + "\"");
    }
    throw Error(ErrorCode::InvalidConfig,
                "tokenizer.kind = \"" + spec.kind + "\" without a model file needs training on the documents",
                "tokenizer.kind");
}

}  // namespace anneal::data

namespace anneal {
int tokenizerVocabulary(const TokenizerSpec& spec) { return data::loadTokenizer(spec)->vocabulary(); }
}  // namespace anneal
