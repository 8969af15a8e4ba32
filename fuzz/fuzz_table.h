// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by fuzz_csv and fuzz_jsonl: the first byte of the input picks one of the TableSpecs the
// application uses (anneal-cli import's probe, fit --csv points, lr_annealing curves with and without
// a group column); the rest is the file. An accepted table must hold what the header promises: every
// requested numeric column with one finite value per row, text columns with one cell per row, line
// numbers that increase, and a strictly increasing `increasing` column within each group.
#include <cmath>
#include <cstdint>
#include <map>
#include <string>

#include "anneal/fit/table.h"
#include "fuzz_common.h"

namespace anneal::fuzz {

inline anneal::TableSpec tableSpecFor(std::uint8_t selector) {
    anneal::TableSpec spec;
    switch (selector % 4) {
        case 0:  // anneal-cli import, first pass
            spec.numeric = {"step", "loss"};
            spec.increasing = "step";
            spec.optionalNumeric = {"lr", "tokens"};
            break;
        case 1:  // fit --csv, points
            spec.numeric = {"N", "D", "loss"};
            spec.text = {"run"};
            break;
        case 2:  // lr_annealing curves
            spec = fit::curveSpec(fit::CurveColumns{});
            break;
        default:  // curves grouped by run
            spec = fit::curveSpec(fit::CurveColumns{"step", "loss", "lr", "run"});
            break;
    }
    return spec;
}

inline void checkTable(const anneal::Table& t, const anneal::TableSpec& spec) {
    const size_t n = t.rows();
    if (n == 0) {
        fail("an accepted table without rows");
    }
    for (size_t r = 1; r < n; ++r) {
        if (t.lines[r] <= t.lines[r - 1]) {
            fail("row line numbers do not increase");
        }
    }
    for (const auto& c : spec.numeric) {
        if (!t.has(c)) {
            fail("a required numeric column is missing:", c);
        }
    }
    for (const auto& [name, values] : t.numeric) {
        if (values.size() != n) {
            fail("a numeric column with the wrong number of cells:", name);
        }
        for (double v : values) {
            if (!std::isfinite(v)) {
                fail("a non-finite value was accepted in column", name);
            }
        }
    }
    for (const auto& [name, cells] : t.text) {
        if (cells.size() != n) {
            fail("a text column with the wrong number of cells:", name);
        }
    }
    if (!spec.increasing.empty()) {
        const auto& v = t.column(spec.increasing);
        std::map<std::string, double> last;
        for (size_t r = 0; r < n; ++r) {
            const std::string g = spec.group.empty() ? std::string() : t.text.at(spec.group)[r];
            auto it = last.find(g);
            if (it != last.end() && !(v[r] > it->second)) {
                fail("the increasing column does not increase");
            }
            last[g] = v[r];
        }
    }
}

template <typename Parse>
int fuzzTable(const std::uint8_t* data, std::size_t size, const char* source, Parse parse) {
    if (size == 0) {
        return 0;
    }
    const anneal::TableSpec spec = tableSpecFor(data[0]);
    const std::string content(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        checkTable(parse(content, source, spec), spec);
        accepted();
    } catch (const Error& e) {
        checkError(e);
    }
    return 0;
}

}  // namespace anneal::fuzz
