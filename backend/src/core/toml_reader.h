// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// TableReader: typed, range-checked access to one TOML table that remembers which keys it was asked
// about, so that finish() can reject unknown keys and list the allowed ones. Every error names the
// full key path ("data.domain[2].weight"), the value found and what is allowed.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "core/format_number.h"

namespace anneal::core {

/// "a number", "an integer", "a string \"x\"": how a node reads in an error message.
std::string describeNode(const toml::node& node);

class TableReader {
public:
    TableReader(const toml::table& table, std::string path);

    const std::string& path() const { return m_path; }
    std::string keyPath(const std::string& key) const;
    bool has(const std::string& key) const;

    std::int64_t integer(const std::string& key, std::int64_t def, std::int64_t lo, std::int64_t hi);
    /// A number (integers accepted) in [lo, hi]; loOpen/hiOpen make that end exclusive.
    double number(const std::string& key, double def, double lo, double hi, bool loOpen = false,
                  bool hiOpen = false);
    bool boolean(const std::string& key, bool def);
    std::string string(const std::string& key, const std::string& def, bool allowEmpty = false);
    std::string choice(const std::string& key, const std::string& def,
                       const std::vector<std::string>& allowed);
    std::vector<std::string> stringList(const std::string& key);
    /// A table of name -> number >= 0 (e.g. upsample weights).
    std::map<std::string, double> numberMap(const std::string& key);
    /// Sub-table or nullptr when absent; a non-table value is an error.
    const toml::table* table(const std::string& key);
    /// Array or nullptr when absent.
    const toml::array* array(const std::string& key);
    /// Marks a key as known but not usable in this context; finish() reports it with `reason`.
    void forbid(const std::string& key, const std::string& reason);
    /// Throws for the first key that was neither read nor forbidden.
    void finish() const;

private:
    const toml::node* get(const std::string& key);

    const toml::table& m_table;
    std::string m_path;
    std::set<std::string> m_known;
    std::map<std::string, std::string> m_forbidden;
};

/// Joins allowed names as "a | b | c".
std::string joinAllowed(const std::vector<std::string>& names);

}  // namespace anneal::core
