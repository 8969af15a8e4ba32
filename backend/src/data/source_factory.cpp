// SPDX-License-Identifier: GPL-3.0-or-later
#include <functional>

#include "anneal/data_source.h"
#include "anneal/error.h"
#include "core/toml_reader.h"
#include "data/sources.h"

namespace anneal {

namespace {
struct Entry {
    SourceInfo info;
    std::function<std::unique_ptr<DataSource>(const DomainSpec&, const std::string&)> make;
};

const std::vector<Entry>& registry() {
    static const std::vector<Entry> entries = {
        {{"synthetic:markov", "random order-k Markov chain with an exact entropy rate",
          {"order", "alphabet", "entropy", "seed"}},
         data::makeMarkov},
        {{"synthetic:noise", "uniform random bytes (ln 256 nats/token, unlearnable)", {"seed"}}, data::makeNoise},
        {{"synthetic:arithmetic", "expressions a op b = c with their results", {"digits", "ops", "seed"}},
         data::makeArithmetic},
        {{"synthetic:brackets", "balanced brackets (a Dyck language) with an exact entropy rate",
          {"kinds", "max_depth", "p_open", "seed"}},
         data::makeBrackets},
    };
    return entries;
}
}  // namespace

std::vector<SourceInfo> sourceCatalog() {
    std::vector<SourceInfo> out;
    for (const auto& e : registry()) {
        out.push_back(e.info);
    }
    return out;
}

std::unique_ptr<DataSource> makeSource(const DomainSpec& domain, const std::string& field) {
    std::vector<std::string> names;
    for (const auto& e : registry()) {
        if (e.info.name == domain.source) {
            return e.make(domain, field);
        }
        names.push_back(e.info.name);
    }
    configError(field + ".source", "unknown source \"" + domain.source + "\"", core::joinAllowed(names));
}

}  // namespace anneal
