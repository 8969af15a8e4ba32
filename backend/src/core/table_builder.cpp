// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/table_builder.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "anneal/error.h"

namespace anneal::table_detail {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v) {
        if (x == s) {
            return true;
        }
    }
    return false;
}

std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t')) {
        ++a;
    }
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) {
        --b;
    }
    return s.substr(a, b - a);
}

std::string shortNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

std::string joinColumns(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) {
        s += (s.empty() ? "" : ", ") + n;
    }
    return s.empty() ? "none" : s;
}

TableBuilder::TableBuilder(std::string source, const TableSpec& spec)
    : m_source(std::move(source)), m_spec(spec) {
    m_table.source = m_source;
    if (!m_spec.increasing.empty() && !contains(m_spec.numeric, m_spec.increasing)) {
        m_spec.numeric.push_back(m_spec.increasing);
    }
    if (!m_spec.group.empty() && !contains(m_spec.text, m_spec.group)) {
        m_spec.text.push_back(m_spec.group);
    }
}

void TableBuilder::fail(size_t line, const std::string& message, const std::string& allowed) const {
    throw Error(ErrorCode::InvalidInput, message, m_source + ":" + std::to_string(line), allowed);
}

void TableBuilder::failFile(const std::string& message) const {
    throw Error(ErrorCode::InvalidInput, message, m_source);
}

void TableBuilder::setColumns(const std::vector<std::string>& found, size_t line) {
    m_table.columnsFound = found;
    std::vector<std::string> required = m_spec.numeric;
    required.insert(required.end(), m_spec.text.begin(), m_spec.text.end());
    for (const auto& r : required) {
        if (!contains(found, r)) {
            fail(line, "missing required column '" + r + "' (columns found: " + joinColumns(found) + ")",
                 joinColumns(required));
        }
    }
    m_numeric = m_spec.numeric;
    for (const auto& o : m_spec.optionalNumeric) {
        if (contains(found, o) && !contains(m_numeric, o)) {
            m_numeric.push_back(o);
        }
    }
    for (const auto& c : m_numeric) {
        m_table.numeric[c];
    }
    for (const auto& c : m_spec.text) {
        m_table.text[c];
    }
}

void TableBuilder::numberFromText(size_t line, const std::string& column, const std::string& text) {
    const std::string t = trim(text);
    if (t.empty()) {
        fail(line, "column '" + column + "': empty cell", "a finite number");
    }
    const char* first = t.data() + (t[0] == '+' ? 1 : 0);
    const char* last = t.data() + t.size();
    double v = 0.0;
    const auto res = std::from_chars(first, last, v);
    if (res.ec == std::errc::result_out_of_range) {
        fail(line, "column '" + column + "': '" + t + "' is out of the range of a double", "a finite number");
    }
    if (res.ec != std::errc() || res.ptr != last) {
        fail(line, "column '" + column + "': '" + t + "' is not a number", "a finite number");
    }
    number(line, column, v, t);
}

void TableBuilder::number(size_t line, const std::string& column, double value, const std::string& shown) {
    if (!std::isfinite(value)) {
        fail(line, "column '" + column + "': '" + shown + "' is not a finite number", "a finite number");
    }
    m_table.numeric[column].push_back(value);
}

void TableBuilder::textCell(const std::string& column, std::string value) {
    m_table.text[column].push_back(std::move(value));
}

void TableBuilder::endRow(size_t line) {
    m_table.lines.push_back(line);
    if (m_spec.increasing.empty()) {
        return;
    }
    const double v = m_table.numeric[m_spec.increasing].back();
    const std::string group = m_spec.group.empty() ? std::string() : m_table.text[m_spec.group].back();
    const std::string in = m_spec.group.empty() ? "" : " in " + m_spec.group + " '" + group + "'";
    auto it = m_lastByGroup.find(group);
    if (it != m_lastByGroup.end()) {
        const auto [prev, prevLine] = it->second;
        const std::string col = "column '" + m_spec.increasing + "': ";
        if (v == prev) {
            fail(line,
                 col + "duplicate value " + shortNumber(v) + in + " (also on line " +
                     std::to_string(prevLine) + ")",
                 "strictly increasing values");
        }
        if (v < prev) {
            fail(line,
                 col + shortNumber(v) + " comes after " + shortNumber(prev) + " on line " +
                     std::to_string(prevLine) + in + ": values must be sorted",
                 "strictly increasing values");
        }
    }
    m_lastByGroup[group] = {v, line};
}

Table TableBuilder::finish() {
    if (m_table.rows() == 0) {
        failFile("has a header but no data rows");
    }
    return std::move(m_table);
}

}  // namespace anneal::table_detail
