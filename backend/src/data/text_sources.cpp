// SPDX-License-Identifier: GPL-3.0-or-later
// text:<glob> and jsonl:<glob> — real text as documents of bytes (the byte tokenizer), split into
// training and validation documents by hash (data/window_source.h). docs/DATA.md documents the keys.

#include <limits>
#include <nlohmann/json.hpp>

#include "anneal/error.h"
#include "data/corpus_files.h"
#include "data/param_reader.h"
#include "data/sources.h"
#include "data/window_source.h"

namespace anneal::data {

namespace {

constexpr double kDefaultValFraction = 0.05;

std::string argumentOf(const DomainSpec& d) { return d.source.substr(d.source.find(':') + 1); }

struct TextParams {
    bool hasSeparator = false;
    std::string separator;
    bool replaceInvalid = false;
    double valFraction = kDefaultValFraction;
    std::uint64_t seed = 0;
};

TextParams readTextParams(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    TextParams t;
    t.hasSeparator = d.params.count("separator") > 0;
    t.separator = p.string("separator", "");
    if (t.separator.find('\n') != std::string::npos || t.separator.find('\r') != std::string::npos) {
        configError(p.keyPath("separator"), "must be one line (it is compared with each line of a file)",
                    "a line's text, e.g. \"%\" for fortune files, or \"\" for a blank line");
    }
    const std::string inv = p.string("invalid_utf8", "error");
    if (inv != "error" && inv != "replace") {
        configError(p.keyPath("invalid_utf8"), "unknown value \"" + inv + "\"", "error | replace");
    }
    t.replaceInvalid = inv == "replace";
    t.valFraction = p.number("val_fraction", kDefaultValFraction, 0.0, 0.9, true);
    t.seed = static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                                  std::numeric_limits<std::int64_t>::max()));
    p.finish();
    return t;
}

/// Splits a file's text at lines equal to the separator (a trailing '\r' ignored); empty
/// documents are dropped. Each document keeps its lines' newlines; separator lines are dropped.
void splitDocuments(const std::string& text, const TextParams& t, std::vector<std::string>& docs) {
    if (!t.hasSeparator) {
        if (!text.empty()) {
            docs.push_back(text);
        }
        return;
    }
    std::string cur;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        const size_t end = nl == std::string::npos ? text.size() : nl + 1;
        std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (line == t.separator) {
            if (!cur.empty()) {
                docs.push_back(std::move(cur));
            }
            cur.clear();
        } else {
            cur.append(text, pos, end - pos);
        }
        pos = end;
    }
    if (!cur.empty()) {
        docs.push_back(std::move(cur));
    }
}

[[noreturn]] void fileError(const std::string& field, const DomainSpec& d, const std::string& file,
                            const std::string& what) {
    throw Error(ErrorCode::InvalidInput, "domain \"" + d.name + "\": \"" + file + "\": " + what,
                field + ".source");
}

/// Reads a file, rethrowing read errors with the domain's field.
std::string readFile(const std::string& field, const DomainSpec& d, const std::string& file) {
    try {
        return readDecompressed(file);
    } catch (const Error& e) {
        throw Error(e.code(), "domain \"" + d.name + "\": " + e.detail(), field + ".source");
    }
}

}  // namespace

void checkText(const DomainSpec& d, const std::string& field) {
    readTextParams(d, field);
    expandGlob(argumentOf(d), field + ".source");
}

DocumentSet loadText(const DomainSpec& d, const std::string& field) {
    const TextParams t = readTextParams(d, field);
    std::vector<std::string> files = expandGlob(argumentOf(d), field + ".source");
    std::vector<std::string> docs;
    std::int64_t bytes = 0;
    for (const auto& f : files) {
        std::string text = readFile(field, d, f);
        const std::int64_t bad = firstInvalidUtf8(text);
        if (bad >= 0) {
            if (!t.replaceInvalid) {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02X",
                              static_cast<unsigned char>(text[static_cast<size_t>(bad)]));
                fileError(field, d, f,
                          "invalid UTF-8 at byte offset " + std::to_string(bad) + " (byte " + hex +
                              "; offsets count the decompressed text); set params.invalid_utf8 = \"replace\" "
                              "to replace invalid bytes with U+FFFD");
            }
            text = replaceInvalidUtf8(text);
        }
        bytes += static_cast<std::int64_t>(text.size());
        splitDocuments(text, t, docs);
    }
    return {std::move(docs), std::move(files),  bytes,  t.valFraction,
            t.seed,          field + ".source", d.name, "text"};
}

std::unique_ptr<DataSource> makeText(const DomainSpec& d, const std::string& field) {
    return makeDocumentSource(loadText(d, field));
}

namespace {
struct JsonlParams {
    std::string field = "text";
    double valFraction = kDefaultValFraction;
    std::uint64_t seed = 0;
};

JsonlParams readJsonlParams(const DomainSpec& d, const std::string& field) {
    ParamReader p(d.params, field + ".params");
    JsonlParams j;
    j.field = p.string("field", "text");
    if (j.field.empty()) {
        configError(p.keyPath("field"), "is empty", "the name of the field that holds each line's text");
    }
    j.valFraction = p.number("val_fraction", kDefaultValFraction, 0.0, 0.9, true);
    j.seed = static_cast<std::uint64_t>(p.integer("seed", static_cast<std::int64_t>(nameSeed(d.name) >> 1), 0,
                                                  std::numeric_limits<std::int64_t>::max()));
    p.finish();
    return j;
}
}  // namespace

void checkJsonl(const DomainSpec& d, const std::string& field) {
    readJsonlParams(d, field);
    expandGlob(argumentOf(d), field + ".source");
}

DocumentSet loadJsonl(const DomainSpec& d, const std::string& field) {
    const JsonlParams j = readJsonlParams(d, field);
    std::vector<std::string> files = expandGlob(argumentOf(d), field + ".source");
    std::vector<std::string> docs;
    std::int64_t bytes = 0;
    for (const auto& f : files) {
        const std::string text = readFile(field, d, f);
        size_t pos = 0;
        std::int64_t lineNo = 0;
        while (pos < text.size()) {
            const size_t nl = text.find('\n', pos);
            const size_t end = nl == std::string::npos ? text.size() : nl;
            const std::string_view line(text.data() + pos, end - pos);
            ++lineNo;
            pos = end + 1;
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
                continue;  // blank lines are allowed (a trailing newline makes one)
            }
            const auto obj = nlohmann::json::parse(line, nullptr, false);
            const std::string where = "line " + std::to_string(lineNo);
            if (obj.is_discarded()) {
                fileError(field, d, f, where + " is not valid JSON (or not valid UTF-8)");
            }
            if (!obj.is_object()) {
                fileError(field, d, f, where + " is not a JSON object");
            }
            const auto it = obj.find(j.field);
            if (it == obj.end()) {
                fileError(field, d, f,
                          where + " has no field \"" + j.field + "\" (set params.field to the text's key)");
            }
            if (!it->is_string()) {
                fileError(field, d, f, where + ": field \"" + j.field + "\" is not a string");
            }
            std::string s = it->get<std::string>();
            bytes += static_cast<std::int64_t>(s.size());
            if (!s.empty()) {
                docs.push_back(std::move(s));
            }
        }
    }
    return {std::move(docs), std::move(files),  bytes,  j.valFraction,
            j.seed,          field + ".source", d.name, "jsonl"};
}

std::unique_ptr<DataSource> makeJsonl(const DomainSpec& d, const std::string& field) {
    return makeDocumentSource(loadJsonl(d, field));
}

}  // namespace anneal::data
