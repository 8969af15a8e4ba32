// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small helpers shared by the bench drivers: order statistics, argument parsing, peak RSS, timing.
// Every driver prints one "key value..." line per figure so bench/run.sh can pick them up with awk.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The q-quantile (0..1) of v by linear interpolation; NaN for an empty v.
inline double quantile(std::vector<double> v, double q) {
    if (v.empty()) {
        return std::nan("");
    }
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}
inline double median(const std::vector<double>& v) { return quantile(v, 0.5); }
inline double minOf(const std::vector<double>& v) {
    return v.empty() ? std::nan("") : *std::min_element(v.begin(), v.end());
}
inline double maxOf(const std::vector<double>& v) {
    return v.empty() ? std::nan("") : *std::max_element(v.begin(), v.end());
}

/// "--key value" pairs and bare "--flag"s after the mode word.
class Args {
public:
    Args(int argc, char** argv, int first) {
        for (int i = first; i < argc; ++i) {
            std::string k = argv[i];
            if (k.rfind("--", 0) != 0) {
                m_positional.push_back(k);
                continue;
            }
            k = k.substr(2);
            if (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0) {
                m_values[k] = argv[++i];
            } else {
                m_values[k] = "1";
            }
        }
    }
    std::string str(const std::string& k, const std::string& def) const {
        auto it = m_values.find(k);
        return it == m_values.end() ? def : it->second;
    }
    long long num(const std::string& k, long long def) const {
        auto it = m_values.find(k);
        return it == m_values.end() ? def : std::atoll(it->second.c_str());
    }
    double real(const std::string& k, double def) const {
        auto it = m_values.find(k);
        return it == m_values.end() ? def : std::atof(it->second.c_str());
    }
    bool has(const std::string& k) const { return m_values.count(k) > 0; }
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

/// Splits "a,b,c".
inline std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t end = s.find(',', start);
        const std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!part.empty()) {
            out.push_back(part);
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

/// Peak resident set size of this process (VmHWM), MiB; -1 when unknown.
inline double peakRssMiB() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) == 0) {
            return std::atof(line.c_str() + 6) / 1024.0;
        }
    }
    return -1;
}

/// Current resident set size (VmRSS), MiB.
inline double rssMiB() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::atof(line.c_str() + 6) / 1024.0;
        }
    }
    return -1;
}

/// "min..max" of a set, for the spread column.
inline std::string spread(const std::vector<double>& v, const char* fmt = "%.3f") {
    char a[64], b[64];
    std::snprintf(a, sizeof a, fmt, minOf(v));
    std::snprintf(b, sizeof b, fmt, maxOf(v));
    return std::string(a) + ".." + b;
}

}  // namespace bench
