// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: number formatting shared by the text exports.

#include <cmath>
#include <cstdio>
#include <string>

namespace anneal::fit::detail {

/// Shortest-safe round-trip form ("%.17g"); "nan"/"inf" spelled by the caller's needs.
inline std::string exactNumber(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// Four significant digits, LaTeX scientific form for large or small magnitudes.
inline std::string latexNumber(double v, int digits = 4) {
    if (!std::isfinite(v)) {
        return "\\mathrm{n/a}";
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    std::string s = buf;
    const size_t e = s.find('e');
    if (e == std::string::npos) {
        return s;
    }
    const int exponent = std::stoi(s.substr(e + 1));
    return s.substr(0, e) + "\\times 10^{" + std::to_string(exponent) + "}";
}

}  // namespace anneal::fit::detail
