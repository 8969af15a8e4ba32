// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tokenizers of the real-data sources ([tokenizer] in the experiment file, docs/DATA.md):
//   bytes          a token is a byte (vocabulary 256); the end of a document is the byte 0xFF;
//   sentencepiece  libsentencepiece, a model file or one trained on the experiment's training
//                  documents (sentencepiece_tokenizer.cpp);
//   gpt2           GPT-2's byte-level BPE from vocab.json + merges.txt (gpt2_tokenizer.cpp).
// A tokenizer is immutable once built; encode/decode are const and thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "anneal/data_source.h"
#include "anneal/experiment.h"

namespace anneal::data {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    /// "bytes", "sentencepiece", "gpt2".
    virtual std::string kind() const = 0;
    /// Number of ids; every id it returns is below this. The model's vocabulary.
    virtual int vocabulary() const = 0;
    /// The end-of-document token: a special id of the tokenizer that encode() never returns for text.
    virtual Token endOfDocument() const = 0;
    virtual std::vector<Token> encode(std::string_view text) const = 0;
    /// The tokens of each document, by up to `threads` threads or processes (0: the hardware's, at
    /// most 8). The default runs encode() on a pool of threads.
    virtual std::vector<std::vector<Token>> encodeAll(const std::vector<std::string>& docs,
                                                      int threads = 0) const;
    /// The text of ids (the end-of-document token decodes to nothing; use escapeTokens to show it).
    virtual std::string decode(const Token* ids, int n) const = 0;
    /// Bytes of text token `id` stands for: the denominator of bits per byte. The end-of-document
    /// token counts as one byte (as the byte tokenizer's 0xFF does), so val_bpb compares across
    /// tokenizers.
    int tokenBytes(Token id) const { return m_tokenBytes[static_cast<size_t>(id)]; }
    /// What identifies the tokenizer's mapping (a hash of its model's bytes): part of every token
    /// cache key (token_cache.h).
    const std::string& identity() const { return m_identity; }
    /// One line for descriptions: "sentencepiece bpe, vocabulary 1000 (trained)".
    const std::string& summary() const { return m_summary; }

protected:
    std::vector<std::uint16_t> m_tokenBytes;
    std::string m_identity;
    std::string m_summary;
};

/// The byte tokenizer: ids are bytes, decode is the identity, the end of a document is 0xFF.
std::shared_ptr<const Tokenizer> makeByteTokenizer();

/// A SentencePiece model from its serialized bytes (a .model file's content). Throws InvalidConfig
/// at `field` when it cannot be loaded or has no end-of-document (eos) piece.
std::shared_ptr<const Tokenizer> makeSentencePieceTokenizer(const std::string& modelBytes,
                                                            const std::string& field, std::string origin);
/// Trains a SentencePiece model on `sentences` with spm_train (byte fallback, identity normalisation,
/// one thread: deterministic) and returns the model file's bytes. Throws InvalidConfig at
/// tokenizer.vocab_size when spm_train fails (a vocabulary this text cannot fill, for one).
std::string trainSentencePiece(const std::vector<std::string>& sentences, const TokenizerSpec& spec);
/// Whether spm_train and spm_encode (Debian package sentencepiece) are in PATH.
bool haveSentencePiece();

/// GPT-2's byte-level BPE from the contents of vocab.json and merges.txt. Throws InvalidConfig at
/// tokenizer.vocab / tokenizer.merges for malformed files or a vocabulary without <|endoftext|>.
std::shared_ptr<const Tokenizer> makeGpt2Tokenizer(const std::string& vocabJson,
                                                   const std::string& mergesTxt);

/// The tokenizer an experiment names, for kinds that need no training (bytes, sentencepiece with
/// a model file, gpt2). Reads the files it names; throws InvalidConfig naming the key.
std::shared_ptr<const Tokenizer> loadTokenizer(const TokenizerSpec& spec);

}  // namespace anneal::data
