// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Private: builds a Table row by row for the CSV and JSONL parsers, with the checks both share
// (required columns, numbers, NaN/Inf, strictly increasing steps) and their error messages.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "anneal/table.h"

namespace anneal::table_detail {

class TableBuilder {
public:
    TableBuilder(std::string source, const TableSpec& spec);

    /// The columns of the file; throws when a required one is missing (listing those found).
    void setColumns(const std::vector<std::string>& found, size_t line);
    /// Columns the table keeps: required numeric, present optional numeric, text.
    const std::vector<std::string>& numericColumns() const { return m_numeric; }
    const std::vector<std::string>& textColumns() const { return m_spec.text; }

    /// Parses a numeric cell (trimmed; "+1", "1e-3" accepted; empty, NaN and Inf rejected).
    void numberFromText(size_t line, const std::string& column, const std::string& text);
    void number(size_t line, const std::string& column, double value, const std::string& shown);
    void textCell(const std::string& column, std::string value);
    void endRow(size_t line);

    /// The table; throws when it has no rows.
    Table finish();

    [[noreturn]] void fail(size_t line, const std::string& message, const std::string& allowed = {}) const;
    [[noreturn]] void failFile(const std::string& message) const;
    const std::string& source() const { return m_source; }

private:
    std::string m_source;
    TableSpec m_spec;
    Table m_table;
    std::vector<std::string> m_numeric;
    std::map<std::string, std::pair<double, size_t>> m_lastByGroup;  // increasing column: value, line
};

/// "a, b, c"
std::string joinColumns(const std::vector<std::string>& names);

}  // namespace anneal::table_detail
