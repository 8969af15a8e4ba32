// SPDX-License-Identifier: GPL-3.0-or-later
// Table access and file reading (anneal/table.h); the CSV and JSONL parsers are table_csv.cpp and
// table_jsonl.cpp.
#include "anneal/table.h"

#include <fstream>
#include <sstream>

#include "anneal/error.h"
#include "core/table_builder.h"

namespace anneal {

bool Table::has(const std::string& column) const {
    return numeric.count(column) > 0 || text.count(column) > 0;
}

const std::vector<double>& Table::column(const std::string& name) const {
    const auto it = numeric.find(name);
    if (it == numeric.end()) {
        std::vector<std::string> names;
        for (const auto& kv : numeric) {
            names.push_back(kv.first);
        }
        throw Error(ErrorCode::InvalidInput, "no numeric column '" + name + "'", source,
                    table_detail::joinColumns(names));
    }
    return it->second;
}

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Table readTable(const std::string& path, const TableSpec& spec) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::Io, "cannot open the file for reading", path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        throw Error(ErrorCode::Io, "read error", path);
    }
    const std::string content = ss.str();
    if (endsWith(path, ".jsonl") || endsWith(path, ".ndjson") || endsWith(path, ".json")) {
        return parseJsonl(content, path, spec);
    }
    return parseCsv(content, path, spec);
}

}  // namespace anneal
