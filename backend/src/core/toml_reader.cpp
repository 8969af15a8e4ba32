// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/toml_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "anneal/error.h"

namespace anneal::core {

std::string formatNumber(double v) {
    if (std::isnan(v)) {
        return "nan";
    }
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    char buf[64];
    int prec = 1;
    for (; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) {
            break;
        }
    }
    // %g switches to an exponent once the exponent reaches the precision: keep ordinary numbers
    // (10, 1500) in plain notation.
    const double mag = std::abs(v);
    if (mag >= 1.0 && mag < 1e15) {
        const int intDigits = static_cast<int>(std::floor(std::log10(mag))) + 1;
        if (intDigits > prec) {
            std::snprintf(buf, sizeof buf, "%.*g", intDigits, v);
        }
    }
    return buf;
}

std::string joinAllowed(const std::vector<std::string>& names) {
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) {
        s += (i ? " | " : "") + names[i];
    }
    return s;
}

std::string describeNode(const toml::node& node) {
    std::ostringstream os;
    switch (node.type()) {
        case toml::node_type::string:
            os << "the string \"" << *node.value<std::string>() << "\"";
            break;
        case toml::node_type::integer:
            os << "the integer " << *node.value<std::int64_t>();
            break;
        case toml::node_type::floating_point:
            os << "the number " << formatNumber(*node.value<double>());
            break;
        case toml::node_type::boolean:
            os << "the boolean " << (*node.value<bool>() ? "true" : "false");
            break;
        case toml::node_type::table:
            os << "a table";
            break;
        case toml::node_type::array:
            os << "an array";
            break;
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time:
            os << "a date/time";
            break;
        case toml::node_type::none:
            os << "nothing";
            break;
    }
    return os.str();
}

TableReader::TableReader(const toml::table& table, std::string path)
    : m_table(table), m_path(std::move(path)) {}

std::string TableReader::keyPath(const std::string& key) const {
    return m_path.empty() ? key : m_path + "." + key;
}

bool TableReader::has(const std::string& key) const { return m_table.contains(key); }

const toml::node* TableReader::get(const std::string& key) {
    m_known.insert(key);
    return m_table.get(key);
}

std::int64_t TableReader::integer(const std::string& key, std::int64_t def, std::int64_t lo,
                                  std::int64_t hi) {
    const toml::node* n = get(key);
    if (!n) {
        return def;
    }
    const std::string allowed = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!n->is_integer()) {
        configError(keyPath(key), "expected an integer, got " + describeNode(*n), allowed);
    }
    const std::int64_t v = *n->value<std::int64_t>();
    if (v < lo || v > hi) {
        configError(keyPath(key), "value " + std::to_string(v) + " is out of range", allowed);
    }
    return v;
}

double TableReader::number(const std::string& key, double def, double lo, double hi, bool loOpen,
                           bool hiOpen) {
    const toml::node* n = get(key);
    if (!n) {
        return def;
    }
    std::string allowed = "a number";
    const bool hasLo = lo > -std::numeric_limits<double>::max();
    const bool hasHi = hi < std::numeric_limits<double>::max();
    if (hasLo && hasHi) {
        allowed += std::string(" in ") + (loOpen ? "(" : "[") + formatNumber(lo) + ", " + formatNumber(hi) +
                   (hiOpen ? ")" : "]");
    } else if (hasLo) {
        allowed += std::string(loOpen ? " > " : " >= ") + formatNumber(lo);
    } else if (hasHi) {
        allowed += std::string(hiOpen ? " < " : " <= ") + formatNumber(hi);
    }
    if (!n->is_number()) {
        configError(keyPath(key), "expected a number, got " + describeNode(*n), allowed);
    }
    const double v = n->is_integer() ? static_cast<double>(*n->value<std::int64_t>()) : *n->value<double>();
    const bool bad = !std::isfinite(v) || (loOpen ? v <= lo : v < lo) || (hiOpen ? v >= hi : v > hi);
    if (bad) {
        configError(keyPath(key), "value " + formatNumber(v) + " is out of range", allowed);
    }
    return v;
}

bool TableReader::boolean(const std::string& key, bool def) {
    const toml::node* n = get(key);
    if (!n) {
        return def;
    }
    if (!n->is_boolean()) {
        configError(keyPath(key), "expected a boolean, got " + describeNode(*n), "true | false");
    }
    return *n->value<bool>();
}

std::string TableReader::string(const std::string& key, const std::string& def, bool allowEmpty) {
    const toml::node* n = get(key);
    if (!n) {
        return def;
    }
    if (!n->is_string()) {
        configError(keyPath(key), "expected a string, got " + describeNode(*n), "a quoted string");
    }
    std::string v = *n->value<std::string>();
    if (v.empty() && !allowEmpty) {
        configError(keyPath(key), "must not be empty", "a non-empty string");
    }
    return v;
}

std::string TableReader::choice(const std::string& key, const std::string& def,
                                const std::vector<std::string>& allowed) {
    const toml::node* n = get(key);
    if (!n) {
        return def;
    }
    if (!n->is_string()) {
        configError(keyPath(key), "expected a string, got " + describeNode(*n), joinAllowed(allowed));
    }
    std::string v = *n->value<std::string>();
    for (const auto& a : allowed) {
        if (a == v) {
            return v;
        }
    }
    configError(keyPath(key), "unknown value \"" + v + "\"", joinAllowed(allowed));
}

std::vector<std::string> TableReader::stringList(const std::string& key) {
    std::vector<std::string> out;
    const toml::node* n = get(key);
    if (!n) {
        return out;
    }
    if (!n->is_array()) {
        configError(keyPath(key), "expected an array of strings, got " + describeNode(*n), "[\"a\", \"b\"]");
    }
    const auto& arr = *n->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
        if (!arr[i].is_string()) {
            configError(keyPath(key) + "[" + std::to_string(i) + "]",
                        "expected a string, got " + describeNode(arr[i]), "a quoted string");
        }
        out.push_back(*arr[i].value<std::string>());
    }
    return out;
}

std::map<std::string, double> TableReader::numberMap(const std::string& key) {
    std::map<std::string, double> out;
    const toml::table* t = table(key);
    if (!t) {
        return out;
    }
    for (const auto& [k, v] : *t) {
        const std::string name(k.str());
        const std::string path = keyPath(key) + "." + name;
        if (!v.is_number()) {
            configError(path, "expected a number, got " + describeNode(v), "a number >= 0");
        }
        const double d = v.is_integer() ? static_cast<double>(*v.value<std::int64_t>()) : *v.value<double>();
        if (!std::isfinite(d) || d < 0) {
            configError(path, "value " + formatNumber(d) + " is out of range", "a number >= 0");
        }
        out[name] = d;
    }
    return out;
}

const toml::table* TableReader::table(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) {
        return nullptr;
    }
    if (!n->is_table()) {
        configError(keyPath(key), "expected a table, got " + describeNode(*n),
                    "a [" + keyPath(key) + "] table");
    }
    return n->as_table();
}

const toml::array* TableReader::array(const std::string& key) {
    const toml::node* n = get(key);
    if (!n) {
        return nullptr;
    }
    if (!n->is_array()) {
        configError(keyPath(key), "expected an array, got " + describeNode(*n), "an array");
    }
    return n->as_array();
}

void TableReader::forbid(const std::string& key, const std::string& reason) { m_forbidden[key] = reason; }

void TableReader::finish() const {
    for (const auto& [k, v] : m_table) {
        const std::string key(k.str());
        if (m_known.count(key)) {
            continue;
        }
        auto f = m_forbidden.find(key);
        if (f != m_forbidden.end()) {
            configError(keyPath(key), "is not used here: " + f->second);
        }
        std::vector<std::string> names(m_known.begin(), m_known.end());
        for (const auto& [fk, fv] : m_forbidden) {
            names.push_back(fk);
        }
        std::sort(names.begin(), names.end());
        configError(keyPath(key), "unknown key", joinAllowed(names));
    }
}

}  // namespace anneal::core
