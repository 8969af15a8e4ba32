// SPDX-License-Identifier: GPL-3.0-or-later
// [tokenizer]: the kinds, the keys each uses, and the model's vocabulary that follows from them.

#include "config/tokenizer_parser.h"

#include <limits>

#include "anneal/data_source.h"
#include "anneal/error.h"
#include "config/kind_keys.h"
#include "core/toml_reader.h"
#include "data/tokenizer.h"

namespace anneal::config {

using core::TableReader;

/// [tokenizer] (docs/DATA.md#tokenizers). Fills m.vocab with the tokenizer's vocabulary, reading
/// the model or vocabulary file a kind names (a missing or malformed file is an error here).
void parseTokenizer(const toml::table* t, TokenizerSpec& k, ModelSpec& m) {
    if (!t) {
        return;
    }
    TableReader r(*t, "tokenizer");
    k.kind = r.choice("kind", k.kind, kindNames(tokenizerKindKeys()));
    const std::vector<std::string>& spm = keysOf(tokenizerKindKeys(), "sentencepiece");
    const std::vector<std::string>& gpt2 = keysOf(tokenizerKindKeys(), "gpt2");
    auto forbid = [&](const std::vector<std::string>& keys, const std::string& kind) {
        for (const auto& key : keys) {
            r.forbid(key, "is a key of tokenizer.kind = \"" + kind + "\"");
        }
    };
    if (k.kind == "sentencepiece") {
        if (!data::haveSentencePiece()) {
            configError("tokenizer.kind",
                        "needs the SentencePiece programs spm_train and spm_encode, which are not in PATH",
                        "bytes | gpt2, or install Debian's sentencepiece package");
        }
        forbid(gpt2, "gpt2");
        k.model = r.string("model", "");
        if (r.has("model")) {
            r.forbid("model_type", "trains a model; tokenizer.model loads one (set one or the other)");
            r.forbid("vocab_size", "trains a model; tokenizer.model loads one (set one or the other)");
            r.forbid("train_bytes", "trains a model; tokenizer.model loads one (set one or the other)");
            r.forbid("seed", "trains a model; tokenizer.model loads one (set one or the other)");
        } else {
            k.modelType = r.choice("model_type", k.modelType, spmModelTypeValues());
            k.vocabSize = static_cast<int>(r.integer("vocab_size", k.vocabSize, 300, 1 << 20));
            k.trainBytes = r.integer("train_bytes", k.trainBytes, 1000, std::int64_t{1} << 34);
            k.seed =
                static_cast<std::uint64_t>(r.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
        }
    } else if (k.kind == "gpt2") {
        forbid(spm, "sentencepiece");
        k.vocab = r.string("vocab", "");
        k.merges = r.string("merges", "");
        for (const char* key : {"vocab", "merges"}) {
            if (!r.has(key)) {
                configError(std::string("tokenizer.") + key, "is required with tokenizer.kind = \"gpt2\"",
                            key == std::string("vocab") ? "the path of GPT-2's vocab.json"
                                                        : "the path of GPT-2's merges.txt");
            }
        }
    } else {
        forbid(spm, "sentencepiece");
        forbid(gpt2, "gpt2");
    }
    r.finish();
    m.vocab = k.kind == "sentencepiece" && k.model.empty() ? k.vocabSize : tokenizerVocabulary(k);
}

}  // namespace anneal::config
