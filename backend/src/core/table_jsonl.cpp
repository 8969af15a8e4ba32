// SPDX-License-Identifier: GPL-3.0-or-later
// JSONL: one JSON object per line (blank lines skipped). Numeric columns accept JSON numbers and strings
// that are numbers; the columns found are the keys of all lines, in order of first appearance.
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "core/table_builder.h"

namespace anneal {

Table parseJsonl(const std::string& content, const std::string& source, const TableSpec& spec) {
    table_detail::TableBuilder b(source, spec);
    std::vector<std::pair<size_t, nlohmann::ordered_json>> rows;
    std::vector<std::string> found;
    size_t start = 0, line = 0;
    if (content.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        start = 3;
    }
    while (start < content.size()) {
        ++line;
        size_t end = content.find('\n', start);
        if (end == std::string::npos) {
            end = content.size();
        }
        std::string text = content.substr(start, end - start);
        start = end + 1;
        if (!text.empty() && text.back() == '\r') {
            text.pop_back();
        }
        if (text.find_first_not_of(" \t") == std::string::npos) {
            continue;
        }
        // ordered_json keeps the keys in file order (for "columns found" in messages).
        nlohmann::ordered_json j;
        try {
            j = nlohmann::ordered_json::parse(text);
        } catch (const nlohmann::ordered_json::exception& e) {  // parse errors and number overflow
            b.fail(line, std::string("invalid JSON: ") + e.what());
        }
        if (!j.is_object()) {
            b.fail(line, "expected a JSON object with one field per column");
        }
        for (auto it = j.begin(); it != j.end(); ++it) {
            bool known = false;
            for (const auto& f : found) {
                known = known || f == it.key();
            }
            if (!known) {
                found.push_back(it.key());
            }
        }
        rows.emplace_back(line, std::move(j));
    }
    if (rows.empty()) {
        b.failFile("file is empty");
    }
    b.setColumns(found, rows.front().first);
    for (const auto& [ln, j] : rows) {
        std::vector<std::string> keys;
        for (auto it = j.begin(); it != j.end(); ++it) {
            keys.push_back(it.key());
        }
        for (const auto& c : b.numericColumns()) {
            if (!j.contains(c)) {
                b.fail(ln, "missing column '" + c +
                               "' (keys on this line: " + table_detail::joinColumns(keys) + ")");
            }
            const auto& v = j.at(c);
            if (v.is_number()) {
                b.number(ln, c, v.get<double>(), v.dump());
            } else if (v.is_string()) {
                b.numberFromText(ln, c, v.get<std::string>());
            } else {
                b.fail(ln, "column '" + c + "': " + v.dump() + " is not a number", "a finite number");
            }
        }
        for (const auto& c : b.textColumns()) {
            if (!j.contains(c)) {
                b.fail(ln, "missing column '" + c +
                               "' (keys on this line: " + table_detail::joinColumns(keys) + ")");
            }
            const auto& v = j.at(c);
            b.textCell(c, v.is_string() ? v.get<std::string>() : v.dump());
        }
        b.endRow(ln);
    }
    return b.finish();
}

}  // namespace anneal
