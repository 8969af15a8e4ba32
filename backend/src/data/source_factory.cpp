// SPDX-License-Identifier: GPL-3.0-or-later
#include <functional>

#include "anneal/data_source.h"
#include "anneal/error.h"
#include "core/toml_reader.h"
#include "data/sources.h"

namespace anneal {

namespace {
using Make = std::function<std::unique_ptr<DataSource>(const DomainSpec&, const std::string&)>;
using Check = std::function<void(const DomainSpec&, const std::string&)>;

struct Entry {
    SourceInfo info;
    Make make;
    Check check;         ///< validation without reading data; empty: make() is cheap, call it
    std::string prefix;  ///< "text:" for sources named by a prefix and an argument; empty: exact name
};

const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries = {
        {{"synthetic:markov",
          "random order-k Markov chain with an exact entropy rate",
          {"order", "alphabet", "entropy", "seed"}},
         data::makeMarkov,
         {},
         {}},
        {{"synthetic:noise", "uniform random bytes (ln 256 nats/token, unlearnable)", {"seed"}},
         data::makeNoise,
         {},
         {}},
        {{"synthetic:arithmetic", "expressions a op b = c with their results", {"digits", "ops", "seed"}},
         data::makeArithmetic,
         {},
         {}},
        {{"synthetic:brackets",
          "balanced brackets (a Dyck language) with an exact entropy rate",
          {"kinds", "max_depth", "p_open", "seed"}},
         data::makeBrackets,
         {},
         {}},
        {{"text:<glob>",
          "UTF-8 text files (.gz/.dz/.zst read transparently), a document per file or per separator",
          {"separator", "invalid_utf8", "val_fraction", "seed"}},
         data::makeText,
         data::checkText,
         "text:"},
        {{"jsonl:<glob>",
          "JSON Lines files, the text of each line's `field` (.gz/.zst read transparently)",
          {"field", "val_fraction", "seed"}},
         data::makeJsonl,
         data::checkJsonl,
         "jsonl:"},
        {{"tokens:<glob>",
          "pre-tokenized shards, memory-mapped: nanoGPT .bin (uint16), llm.c (header + uint16/32), "
          "Megatron .bin + .idx (documents kept)",
          {"format", "chunk", "val_fraction", "seed"}},
         [](const DomainSpec& d, const std::string& field) { return data::makeTokens(d, field); },
         data::checkTokens,
         "tokens:"},
    };
    return entries;
}

const Entry& find(const DomainSpec& domain, const std::string& field) {
    std::vector<std::string> names;
    for (const auto& e : registry()) {
        const bool match =
            e.prefix.empty() ? e.info.name == domain.source : domain.source.rfind(e.prefix, 0) == 0;
        if (match) {
            return e;
        }
        names.push_back(e.info.name);
    }
    configError(field + ".source", "unknown source \"" + domain.source + "\"", core::joinAllowed(names));
}
}  // namespace

void DataSource::sampleTokens(std::uint64_t index, Token* out, int length) const {
    thread_local std::vector<std::uint8_t> bytes;
    bytes.resize(static_cast<size_t>(length));
    sample(index, bytes.data(), length);
    for (int t = 0; t < length; ++t) {
        out[t] = bytes[static_cast<size_t>(t)];
    }
}

std::vector<SourceInfo> sourceCatalog() {
    std::vector<SourceInfo> out;
    for (const auto& e : registry()) {
        out.push_back(e.info);
    }
    return out;
}

std::unique_ptr<DataSource> makeSource(const DomainSpec& domain, const std::string& field) {
    return find(domain, field).make(domain, field);
}

void checkSource(const DomainSpec& domain, const std::string& field) {
    const Entry& e = find(domain, field);
    if (e.check) {
        e.check(domain, field);
    } else {
        e.make(domain, field);
    }
}

}  // namespace anneal
