// SPDX-License-Identifier: GPL-3.0-or-later
// The `table` schedule kind (lr_table.h): knots read from `step,lr` CSV, linear between them.
#include "anneal/lr_table.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "anneal/error.h"
#include "core/format_number.h"

namespace anneal {

namespace {

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) {
        return {};
    }
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

[[noreturn]] void lineError(const std::string& origin, int line, const std::string& message,
                            const std::string& allowed) {
    throw Error(ErrorCode::InvalidConfig, message, origin + ":" + std::to_string(line), allowed);
}

}  // namespace

void validateLrTable(const LrTable& t, const std::string& where) {
    if (t.steps.size() != t.lrs.size()) {
        throw Error(ErrorCode::InvalidConfig,
                    std::to_string(t.steps.size()) + " steps but " + std::to_string(t.lrs.size()) + " LRs",
                    where, "one LR per step");
    }
    if (t.steps.empty()) {
        throw Error(ErrorCode::InvalidConfig, "the table has no knots", where, "at least the knot at step 0");
    }
    if (t.steps[0] != 0) {
        throw Error(ErrorCode::InvalidConfig, "the first knot is at step " + std::to_string(t.steps[0]),
                    where, "a first knot at step 0 (the LR of the first update)");
    }
    for (size_t i = 0; i < t.steps.size(); ++i) {
        if (i > 0 && t.steps[i] <= t.steps[i - 1]) {
            throw Error(ErrorCode::InvalidConfig,
                        "knot " + std::to_string(i) + ": step " + std::to_string(t.steps[i]) +
                            " does not follow " + std::to_string(t.steps[i - 1]),
                        where, "strictly increasing steps");
        }
        if (!std::isfinite(t.lrs[i]) || t.lrs[i] < 0.0) {
            throw Error(ErrorCode::InvalidConfig,
                        "knot " + std::to_string(i) + " (step " + std::to_string(t.steps[i]) + "): LR " +
                            core::formatNumber(t.lrs[i]),
                        where, "a finite LR >= 0");
        }
    }
}

LrTable parseLrTableCsv(const std::string& text, const std::string& origin) {
    LrTable t;
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    bool header = false;
    while (std::getline(in, raw)) {
        ++line;
        const std::string s = trim(raw);
        if (s.empty() || s[0] == '#') {
            continue;
        }
        const auto comma = s.find(',');
        const std::string a = trim(s.substr(0, comma));
        const std::string b = comma == std::string::npos ? std::string() : trim(s.substr(comma + 1));
        if (!header) {
            if (a != "step" || b != "lr") {
                lineError(origin, line, "the header is \"" + s + "\"", "the header line step,lr");
            }
            header = true;
            continue;
        }
        if (comma == std::string::npos || b.find(',') != std::string::npos) {
            lineError(origin, line, "\"" + s + "\" does not have two columns", "step,lr");
        }
        errno = 0;
        char* end = nullptr;
        const long long step = std::strtoll(a.c_str(), &end, 10);
        if (a.empty() || *end != '\0' || errno != 0 || step < 0) {
            lineError(origin, line, "step \"" + a + "\" is not an integer >= 0", "an integer step >= 0");
        }
        end = nullptr;
        const double lr = std::strtod(b.c_str(), &end);
        if (b.empty() || *end != '\0' || !std::isfinite(lr) || lr < 0.0) {
            lineError(origin, line, "LR \"" + b + "\" at step " + a + " is not a finite number >= 0",
                      "a finite LR >= 0");
        }
        if (!t.steps.empty() && step <= t.steps.back()) {
            lineError(
                origin, line,
                "step " + std::to_string(step) + " does not follow step " + std::to_string(t.steps.back()),
                "strictly increasing steps");
        }
        if (t.steps.empty() && step != 0) {
            lineError(origin, line, "the first knot is at step " + std::to_string(step),
                      "a first row at step 0 (the LR of the first update)");
        }
        t.steps.push_back(step);
        t.lrs.push_back(lr);
    }
    if (!header) {
        throw Error(ErrorCode::InvalidConfig, "the file is empty", origin,
                    "the header line step,lr, then rows");
    }
    if (t.steps.empty()) {
        throw Error(ErrorCode::InvalidConfig, "the file has a header but no rows", origin,
                    "at least the row of step 0");
    }
    return t;
}

LrTable readLrTableFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::Io, "cannot open the LR table for reading", path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseLrTableCsv(ss.str(), path);
}

double tableLr(const std::vector<std::int64_t>& steps, const std::vector<double>& lrs, std::int64_t t) {
    if (steps.empty()) {
        return 0.0;
    }
    // The first knot after t; the segment is [hi - 1, hi].
    const auto hi = std::upper_bound(steps.begin(), steps.end(), std::max<std::int64_t>(t, 0));
    if (hi == steps.end()) {
        return lrs.back();
    }
    const size_t j = static_cast<size_t>(hi - steps.begin());
    const size_t i = j - 1;  // steps[0] == 0 <= t, so j >= 1
    if (steps[i] == t) {
        return lrs[i];
    }
    const double x = static_cast<double>(t - steps[i]) / static_cast<double>(steps[j] - steps[i]);
    return lrs[i] + (lrs[j] - lrs[i]) * x;
}

LrTable lrTableFromSequence(const std::vector<double>& lr) {
    LrTable t;
    for (size_t u = 0; u < lr.size(); ++u) {
        const bool interior = u > 0 && u + 1 < lr.size() && lr[u] == lr[u - 1] && lr[u] == lr[u + 1];
        if (!interior) {
            t.steps.push_back(static_cast<std::int64_t>(u));
            t.lrs.push_back(lr[u]);
        }
    }
    return t;
}

std::string lrTableCsv(const LrTable& t) {
    std::string out = "step,lr\n";
    for (size_t i = 0; i < t.steps.size(); ++i) {
        out += std::to_string(t.steps[i]) + "," + core::formatNumber(t.lrs[i]) + "\n";
    }
    return out;
}

void applyLrTable(ExperimentSpec& spec, const LrTable& t, const std::string& source) {
    validateLrTable(t, source.empty() ? "schedule" : source);
    const std::int64_t last = spec.train.steps - 1;
    if (t.steps.back() < last) {
        throw Error(ErrorCode::InvalidConfig,
                    "the table ends at step " + std::to_string(t.steps.back()) + " but train.steps = " +
                        std::to_string(spec.train.steps) + " needs an LR up to step " + std::to_string(last),
                    source.empty() ? "schedule.steps" : source,
                    "a last knot at step >= " + std::to_string(last) +
                        ", or train.steps <= " + std::to_string(t.steps.back() + 1));
    }
    ScheduleSpec& s = spec.schedule;
    s.kind = "table";
    s.tableSteps = t.steps;
    s.tableLrs = t.lrs;
    s.tableSource = source;
    // The largest applied LR lies on a knot (or at the last step, inside a segment).
    double peak = tableLr(t.steps, t.lrs, last);
    std::int64_t peakStep = last;
    for (size_t i = 0; i < t.steps.size() && t.steps[i] <= last; ++i) {
        if (t.lrs[i] > peak || (t.lrs[i] == peak && t.steps[i] < peakStep)) {
            peak = t.lrs[i];
            peakStep = t.steps[i];
        }
    }
    if (!(peak > 0.0)) {
        throw Error(ErrorCode::InvalidConfig, "every LR of steps 0.." + std::to_string(last) + " is 0",
                    source.empty() ? "schedule.lrs" : source, "a table with some LR > 0");
    }
    spec.train.lr = peak;
    s.warmupSteps = peakStep;
}

}  // namespace anneal
