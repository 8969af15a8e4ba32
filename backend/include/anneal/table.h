// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file table.h
/// Tabular files: CSV (a header line, comma-separated, RFC 4180 quoting) and JSONL (one JSON object
/// per line) into named numeric (and, when asked, text) columns. Used by `anneal-cli import` (the
/// store) and by fitting (anneal/fit/table.h turns tables into fit inputs).
///
/// All or nothing: a parse returns a complete table or throws anneal::Error(InvalidInput) whose field
/// is "<source>:<line>" (1-based physical line) and whose message names the column, e.g.
/// field "curves.csv:14", message "column 'loss': 'abc' is not a number". Missing columns list the
/// columns found. NaN and Inf are rejected. readTable() throws Error(Io) when the file cannot be read.
/// Thread-safety: pure functions.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace anneal {

struct TableSpec {
    std::vector<std::string> numeric;          ///< required numeric columns
    std::vector<std::string> optionalNumeric;  ///< numeric when present (missing: not in the table)
    std::vector<std::string> text;             ///< required columns kept as text (e.g. a run id)
    /// A numeric column (required) that must strictly increase within each group: steps of a curve.
    std::string increasing;
    /// Optional text column grouping rows (e.g. "run"); rows of one group need not be contiguous.
    std::string group;
};

struct Table {
    std::string source;                                    ///< name used in messages
    std::vector<std::string> columnsFound;                 ///< every column of the file, file order
    std::map<std::string, std::vector<double>> numeric;    ///< requested numeric columns
    std::map<std::string, std::vector<std::string>> text;  ///< requested text columns
    std::vector<size_t> lines;                             ///< source line of each row

    size_t rows() const { return lines.size(); }
    bool has(const std::string& column) const;
    /// A numeric column; throws Error(InvalidInput) listing the numeric columns when absent.
    const std::vector<double>& column(const std::string& name) const;
};

Table parseCsv(const std::string& content, const std::string& source, const TableSpec& spec);
Table parseJsonl(const std::string& content, const std::string& source, const TableSpec& spec);
/// Reads a file: ".jsonl", ".ndjson" or ".json" (one object per line) as JSONL, anything else as CSV.
/// The source name in messages is the path as given.
Table readTable(const std::string& path, const TableSpec& spec);

}  // namespace anneal
