// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/tokenized_sources.h"

#include <algorithm>

#include "anneal/error.h"
#include "anneal/sha256.h"
#include "data/sources.h"
#include "data/token_cache.h"

namespace anneal::data {

namespace {

std::uint64_t fnv(const std::string& s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h = (h ^ c) * 1099511628211ULL;
    }
    return h;
}

bool isDocumentSource(const std::string& source) {
    return source.rfind("text:", 0) == 0 || source.rfind("jsonl:", 0) == 0;
}

/// The SentencePiece model an experiment trains, from the cache when it was trained before.
std::shared_ptr<const Tokenizer> trainedTokenizer(const TokenizerSpec& spec,
                                                  const std::vector<const DocumentSet*>& sets,
                                                  const DataProgress& progress) {
    const std::vector<std::string> sample = tokenizerSample(sets, spec.seed, spec.trainBytes);
    if (sample.empty()) {
        configError("tokenizer.kind",
                    "a SentencePiece model is trained on the training documents of text: and jsonl: domains, "
                    "and this experiment has none",
                    "tokenizer.model = a .model file, or a text: or jsonl: domain");
    }
    std::string key = "spm-train-1\n" + spec.modelType + "\n" + std::to_string(spec.vocabSize) + "\n" +
                      std::to_string(spec.seed) + "\n";
    for (const auto& s : sample) {
        key += sha256Hex(s);
    }
    const std::string path = cacheDirectory() + "/tokenizers/" + sha256Hex(key) + ".model";
    std::string model;
    if (!readCachedFile(path, model)) {
        if (progress) {
            progress("train tokenizer", 0, 1);
        }
        model = trainSentencePiece(sample, spec);
        writeCachedFile(path, model);
        if (progress) {
            progress("train tokenizer", 1, 1);
        }
    }
    return makeSentencePieceTokenizer(model, "tokenizer.model", "the trained model \"" + path + "\"");
}

/// A domain's tokens, from the cache when the same documents were tokenised by the same tokenizer.
std::vector<std::vector<Token>> cachedTokens(const Tokenizer& tok, const DocumentSet& set,
                                             const DataProgress& progress) {
    std::string key = "tokens-1\n" + tok.identity() + "\n";
    for (const auto& d : set.docs) {
        key += sha256Hex(d);
    }
    const std::string path = cacheDirectory() + "/tokens/" + sha256Hex(key) + ".tok";
    std::vector<std::vector<Token>> ids;
    const auto docs = static_cast<std::int64_t>(set.docs.size());
    if (readTokenEntry(path, set.docs.size(), ids)) {
        if (progress) {
            progress("cached " + set.domain, docs, docs);
        }
        return ids;
    }
    if (progress) {
        progress("tokenise " + set.domain, 0, docs);
    }
    ids = tok.encodeAll(set.docs);
    writeTokenEntry(path, ids);
    if (progress) {
        progress("tokenise " + set.domain, docs, docs);
    }
    return ids;
}

}  // namespace

std::vector<std::string> tokenizerSample(const std::vector<const DocumentSet*>& sets, std::uint64_t seed,
                                         std::int64_t trainBytes) {
    std::vector<std::pair<std::uint64_t, const std::string*>> order;
    for (const DocumentSet* set : sets) {
        const std::vector<bool> isVal = set->validation();
        for (size_t i = 0; i < set->docs.size(); ++i) {
            if (!isVal[i]) {
                order.emplace_back(mix64(seed ^ fnv(set->docs[i])), &set->docs[i]);
            }
        }
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    });
    std::vector<std::string> lines;
    std::int64_t taken = 0;
    for (const auto& [h, doc] : order) {
        if (taken >= trainBytes) {
            break;
        }
        taken += static_cast<std::int64_t>(doc->size());
        size_t pos = 0;
        while (pos < doc->size()) {
            const size_t nl = doc->find('\n', pos);
            const size_t end = nl == std::string::npos ? doc->size() : nl + 1;
            if (end - pos > 1) {
                lines.emplace_back(*doc, pos, end - pos);  // with its newline: learned like any byte
            }
            pos = end;
        }
    }
    return lines;
}

TokenizedSources buildTokenizedSources(const ExperimentSpec& spec, const DataProgress& progress) {
    const auto& domains = spec.data.domains;
    std::vector<DocumentSet> sets(domains.size());
    std::vector<const DocumentSet*> textSets;
    for (size_t i = 0; i < domains.size(); ++i) {
        const DomainSpec& d = domains[i];
        const std::string field = "data.domain[" + std::to_string(i) + "]";
        if (d.source.rfind("synthetic:", 0) == 0) {
            configError(
                field + ".source",
                "\"" + d.source + "\" (domain \"" + d.name +
                    "\") generates bytes, which mean nothing to "
                    "tokenizer.kind = \"" +
                    spec.tokenizer.kind + "\"",
                "text:, jsonl: or tokens: domains with a subword tokenizer, or tokenizer.kind = \"bytes\"");
        }
        if (d.source.rfind("text:", 0) == 0) {
            sets[i] = loadText(d, field);
        } else if (d.source.rfind("jsonl:", 0) == 0) {
            sets[i] = loadJsonl(d, field);
        }
        if (isDocumentSource(d.source)) {
            textSets.push_back(&sets[i]);
        }
    }
    TokenizedSources out;
    const TokenizerSpec& ts = spec.tokenizer;
    out.tokenizer = ts.kind == "sentencepiece" && ts.model.empty() ? trainedTokenizer(ts, textSets, progress)
                                                                   : loadTokenizer(ts);
    const Tokenizer& tok = *out.tokenizer;
    for (size_t i = 0; i < domains.size(); ++i) {
        const std::string field = "data.domain[" + std::to_string(i) + "]";
        if (isDocumentSource(domains[i].source)) {
            const auto ids = cachedTokens(tok, sets[i], progress);
            out.sources.push_back(makeTokenizedSource(sets[i], ids, tok.endOfDocument(), tok.summary()));
        } else if (domains[i].source.rfind("tokens:", 0) == 0) {
            out.sources.push_back(makeTokens(domains[i], field, tok.vocabulary(), tok.endOfDocument()));
        } else {
            out.sources.push_back(makeSource(domains[i], field));  // unknown: its error
        }
    }
    return out;
}

}  // namespace anneal::data
