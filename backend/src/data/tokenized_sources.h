// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Building an experiment's sources with a subword tokenizer ([tokenizer] kind "sentencepiece" or
// "gpt2"): read every real domain's documents, train the SentencePiece model when the experiment
// asks for one (on a deterministic sample of the training documents, never the held-out ones),
// tokenise each domain's documents in parallel, or read them from the token cache
// (data/token_cache.h), and make the window sources. Synthetic domains generate bytes and are an
// error with a subword tokenizer (docs/DATA.md#tokenizers).

#include <memory>
#include <vector>

#include "anneal/data_source.h"
#include "anneal/dataset.h"
#include "data/tokenizer.h"
#include "data/window_source.h"

namespace anneal::data {

struct TokenizedSources {
    std::shared_ptr<const Tokenizer> tokenizer;
    std::vector<std::unique_ptr<DataSource>> sources;  ///< one per domain, in order
};

TokenizedSources buildTokenizedSources(const ExperimentSpec& spec, const DataProgress& progress = {});

/// The documents SentencePiece trains on: the training documents (DocumentSet::validation() false)
/// of every set, ordered by a hash of (seed, document) and taken until `trainBytes` bytes, then cut
/// into lines (SentencePiece's sentences). Depends on the documents' content and the seed only.
std::vector<std::string> tokenizerSample(const std::vector<const DocumentSet*>& sets, std::uint64_t seed,
                                         std::int64_t trainBytes);

}  // namespace anneal::data
