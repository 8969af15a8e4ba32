// SPDX-License-Identifier: GPL-3.0-or-later
// CSV: a header line, comma-separated fields, RFC 4180 quoting ("a,b", "say ""hi""", line breaks inside
// quotes), CRLF or LF line ends, an optional UTF-8 byte-order mark. Blank lines are skipped.
#include <string>
#include <vector>

#include "core/table_builder.h"

namespace anneal {

namespace {

struct Record {
    size_t line = 0;  // physical line the record starts on (1-based)
    std::vector<std::string> fields;
};

std::vector<Record> splitRecords(const std::string& text, const table_detail::TableBuilder& b) {
    std::vector<Record> out;
    size_t pos = 0, line = 1;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        pos = 3;
    }
    while (pos < text.size()) {
        Record rec;
        rec.line = line;
        std::string field;
        bool quotedAny = false;
        for (;;) {
            if (pos < text.size() && text[pos] == '"' && field.empty()) {
                quotedAny = true;
                const size_t startLine = line;
                ++pos;
                for (;;) {
                    if (pos >= text.size()) {
                        b.fail(startLine, "unterminated quoted field");
                    }
                    const char ch = text[pos++];
                    if (ch == '"') {
                        if (pos < text.size() && text[pos] == '"') {
                            field += '"';
                            ++pos;
                        } else {
                            break;
                        }
                    } else {
                        if (ch == '\n') {
                            ++line;
                        }
                        field += ch;
                    }
                }
                // Anything between the closing quote and the next separator is kept (lenient).
            }
            if (pos >= text.size() || text[pos] == '\n' || (text[pos] == '\r')) {
                rec.fields.push_back(field);
                if (pos < text.size() && text[pos] == '\r') {
                    ++pos;
                }
                if (pos < text.size() && text[pos] == '\n') {
                    ++pos;
                }
                ++line;
                break;
            }
            if (text[pos] == ',') {
                rec.fields.push_back(field);
                field.clear();
                ++pos;
                continue;
            }
            field += text[pos++];
        }
        const bool blank = rec.fields.size() == 1 &&
                           rec.fields[0].find_first_not_of(" \t") == std::string::npos && !quotedAny;
        if (!blank) {
            out.push_back(std::move(rec));
        }
    }
    return out;
}

}  // namespace

Table parseCsv(const std::string& content, const std::string& source, const TableSpec& spec) {
    table_detail::TableBuilder b(source, spec);
    const std::vector<Record> records = splitRecords(content, b);
    if (records.empty()) {
        b.failFile("file is empty");
    }
    std::vector<std::string> header;
    for (const auto& f : records[0].fields) {
        std::string name = f;
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
            name.pop_back();
        }
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) {
            name.erase(name.begin());
        }
        for (const auto& h : header) {
            if (h == name) {
                b.fail(records[0].line, "duplicate column '" + name + "' in the header");
            }
        }
        header.push_back(name);
    }
    b.setColumns(header, records[0].line);
    std::vector<std::pair<std::string, size_t>> numericAt, textAt;
    for (size_t k = 0; k < header.size(); ++k) {
        for (const auto& c : b.numericColumns()) {
            if (c == header[k]) {
                numericAt.emplace_back(c, k);
            }
        }
        for (const auto& c : b.textColumns()) {
            if (c == header[k]) {
                textAt.emplace_back(c, k);
            }
        }
    }
    for (size_t r = 1; r < records.size(); ++r) {
        const Record& rec = records[r];
        if (rec.fields.size() != header.size()) {
            b.fail(rec.line, "expected " + std::to_string(header.size()) +
                                 " fields as in the header, found " + std::to_string(rec.fields.size()));
        }
        for (const auto& [c, k] : numericAt) {
            b.numberFromText(rec.line, c, rec.fields[k]);
        }
        for (const auto& [c, k] : textAt) {
            b.textCell(c, rec.fields[k]);
        }
        b.endRow(rec.line);
    }
    return b.finish();
}

}  // namespace anneal
