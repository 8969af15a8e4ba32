// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/param_reader.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "anneal/data_source.h"
#include "anneal/error.h"
#include "core/toml_reader.h"

namespace anneal::data {

namespace {
std::string describe(const ParamValue& v) {
    if (std::holds_alternative<bool>(v)) {
        return std::string("the boolean ") + (std::get<bool>(v) ? "true" : "false");
    }
    if (std::holds_alternative<std::int64_t>(v)) {
        return "the integer " + std::to_string(std::get<std::int64_t>(v));
    }
    if (std::holds_alternative<double>(v)) {
        return "the number " + core::formatNumber(std::get<double>(v));
    }
    return "the string \"" + std::get<std::string>(v) + "\"";
}
}  // namespace

std::int64_t ParamReader::integer(const std::string& key, std::int64_t def, std::int64_t lo,
                                  std::int64_t hi) {
    m_known.insert(key);
    auto it = m_params.find(key);
    if (it == m_params.end()) {
        return def;
    }
    const std::string allowed = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!std::holds_alternative<std::int64_t>(it->second)) {
        configError(keyPath(key), "expected an integer, got " + describe(it->second), allowed);
    }
    const std::int64_t v = std::get<std::int64_t>(it->second);
    if (v < lo || v > hi) {
        configError(keyPath(key), "value " + std::to_string(v) + " is out of range", allowed);
    }
    return v;
}

double ParamReader::number(const std::string& key, double def, double lo, double hi, bool loOpen) {
    m_known.insert(key);
    auto it = m_params.find(key);
    if (it == m_params.end()) {
        return def;
    }
    const std::string allowed = std::string("a number in ") + (loOpen ? "(" : "[") + core::formatNumber(lo) +
                                ", " + core::formatNumber(hi) + "]";
    double v = 0;
    if (std::holds_alternative<std::int64_t>(it->second)) {
        v = static_cast<double>(std::get<std::int64_t>(it->second));
    } else if (std::holds_alternative<double>(it->second)) {
        v = std::get<double>(it->second);
    } else {
        configError(keyPath(key), "expected a number, got " + describe(it->second), allowed);
    }
    if (!std::isfinite(v) || (loOpen ? v <= lo : v < lo) || v > hi) {
        configError(keyPath(key), "value " + core::formatNumber(v) + " is out of range", allowed);
    }
    return v;
}

std::string ParamReader::string(const std::string& key, const std::string& def) {
    m_known.insert(key);
    auto it = m_params.find(key);
    if (it == m_params.end()) {
        return def;
    }
    if (!std::holds_alternative<std::string>(it->second)) {
        configError(keyPath(key), "expected a string, got " + describe(it->second), "a quoted string");
    }
    return std::get<std::string>(it->second);
}

void ParamReader::finish() const {
    for (const auto& [k, v] : m_params) {
        if (!m_known.count(k)) {
            std::vector<std::string> names(m_known.begin(), m_known.end());
            names.push_back("noise_rate");
            std::sort(names.begin(), names.end());
            configError(keyPath(k), "unknown parameter for this source", core::joinAllowed(names));
        }
    }
}

std::uint64_t nameSeed(const std::string& name) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : name) {
        h = (h ^ c) * 1099511628211ULL;
    }
    return mix64(h);
}

}  // namespace anneal::data
