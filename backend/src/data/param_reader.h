// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Typed access to [data.domain.params] for the sources, with errors naming the key path.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "anneal/experiment.h"

namespace anneal::data {

class ParamReader {
public:
    ParamReader(const SourceParams& params, std::string path) : m_params(params), m_path(std::move(path)) {}
    std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t lo, std::int64_t hi);
    double number(const std::string& key, double def, double lo, double hi, bool loOpen = false);
    std::string string(const std::string& key, const std::string& def);
    /// Rejects keys that were not read, listing the accepted ones.
    void finish() const;
    std::string keyPath(const std::string& key) const { return m_path + "." + key; }

private:
    const SourceParams& m_params;
    std::string m_path;
    std::set<std::string> m_known;
};

/// Default source seed of a domain: a hash of its name, so two domains with the same source and
/// params still differ.
std::uint64_t nameSeed(const std::string& name);

}  // namespace anneal::data
