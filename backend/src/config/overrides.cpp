// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/overrides.h"

#include <algorithm>
#include <cstdint>
#include <regex>

#include "anneal/error.h"
#include "config/kind_keys.h"

namespace anneal::config {

namespace {

struct Segment {
    std::string key;
    long index = -1;  // >= 0 when the segment is "key[index]"
};

std::vector<Segment> splitPath(const std::string& path, const std::string& what) {
    static const std::regex seg(R"(([A-Za-z0-9_-]+)(?:\[(\d+)\])?)");
    std::vector<Segment> out;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        std::smatch m;
        if (!std::regex_match(part, m, seg)) {
            throw Error(ErrorCode::InvalidConfig, "\"" + path + "\" is not a key path", what,
                        "KEY.PATH=VALUE, e.g. train.lr=0.001 or data.domain[1].weight=0.2");
        }
        long index = -1;
        if (m[2].matched) {
            // An index past any array (or past long) is reported as an error, never thrown by stol.
            const std::string digits = m[2].str();
            if (digits.size() > 9) {
                throw Error(ErrorCode::InvalidConfig, "index [" + digits + "] is too large", what,
                            "an index of an existing array element, e.g. data.domain[1].weight=0.2");
            }
            index = std::stol(digits);
        }
        out.push_back({m[1].str(), index});
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return out;
}

/// Whether s is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool validUtf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size()) {
            return false;
        }
        for (size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        static const std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

/// The value text as TOML (number, boolean, array, inline table, quoted string), else a plain string.
/// `what` names the override in errors.
toml::table parseValue(const std::string& text, const std::string& what) {
    try {
        return toml::parse("v = " + text);
    } catch (const toml::parse_error&) {
        // TOML files are UTF-8 (toml++ rejects anything else); a raw string must be too, or the
        // resolved config a run stores could not be read back (resume, branch, the store writer).
        if (!validUtf8(text)) {
            throw Error(ErrorCode::InvalidConfig, "the value is not valid UTF-8 text", what, "UTF-8 text");
        }
        toml::table t;
        t.insert("v", text);
        return t;
    }
}

/// After --set of a selector (schedule.kind, mixture.kind, reweight.strategy), the keys the new kind
/// does not use are dropped from that table: `--set schedule.kind=constant` on a cosine file must not
/// fail on its final_lr_fraction. Files themselves stay strict.
void pruneForSelector(toml::table& root, const std::string& path) {
    struct Selector {
        const char* table;
        const char* key;
        const std::vector<KindKeys>& (*kinds)();
    };
    static const Selector selectors[] = {{"schedule", "kind", scheduleKindKeys},
                                         {"mixture", "kind", mixtureKindKeys},
                                         {"reweight", "strategy", reweightKindKeys}};
    for (const auto& sel : selectors) {
        if (path != std::string(sel.table) + "." + sel.key) {
            continue;
        }
        toml::table* t = root.get_as<toml::table>(sel.table);
        const toml::node* kind = t ? t->get(sel.key) : nullptr;
        if (!kind || !kind->is_string()) {
            return;
        }
        const std::string name = *kind->value<std::string>();
        const auto names = kindNames(sel.kinds());
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            return;  // an unknown kind: validation names it
        }
        std::vector<std::string> drop;
        for (const auto& [k, v] : *t) {
            const std::string key(k.str());
            const auto all = allKeys(sel.kinds());
            if (key != sel.key && std::find(all.begin(), all.end(), key) != all.end() &&
                !kindUses(sel.kinds(), name, key)) {
                drop.push_back(key);
            }
        }
        for (const auto& key : drop) {
            t->erase(key);
        }
    }
}

void applyOne(toml::table& root, const std::string& ov) {
    const bool remove = !ov.empty() && ov[0] == '!';
    const std::string what = remove ? "--unset " + ov.substr(1) : "--set " + ov;
    std::string path;
    std::string value;
    if (remove) {
        path = ov.substr(1);
    } else {
        const size_t eq = ov.find('=');
        if (eq == std::string::npos) {
            throw Error(ErrorCode::InvalidConfig, "expected KEY=VALUE", what,
                        "KEY.PATH=VALUE, e.g. train.lr=0.001");
        }
        path = ov.substr(0, eq);
        value = ov.substr(eq + 1);
    }
    const auto segs = splitPath(path, what);
    toml::table* cur = &root;
    std::string walked;
    for (size_t i = 0; i < segs.size(); ++i) {
        const Segment& s = segs[i];
        const bool last = i + 1 == segs.size();
        walked += (walked.empty() ? "" : ".") + s.key;
        if (s.index >= 0) {
            toml::array* arr = cur->get_as<toml::array>(s.key);
            if (!arr) {
                throw Error(ErrorCode::InvalidConfig, walked + " is not an array of tables", what);
            }
            if (static_cast<size_t>(s.index) >= arr->size()) {
                throw Error(ErrorCode::InvalidConfig,
                            walked + "[" + std::to_string(s.index) + "] does not exist (there are " +
                                std::to_string(arr->size()) + ")",
                            what, "an index from 0 to " + std::to_string(static_cast<long>(arr->size()) - 1));
            }
            walked += "[" + std::to_string(s.index) + "]";
            toml::node& elem = (*arr)[static_cast<size_t>(s.index)];
            if (last) {
                throw Error(ErrorCode::InvalidConfig, "cannot replace a whole table " + walked, what,
                            "a key inside it, e.g. " + walked + ".weight");
            }
            if (!elem.is_table()) {
                throw Error(ErrorCode::InvalidConfig, walked + " is not a table", what);
            }
            cur = elem.as_table();
            continue;
        }
        if (last) {
            if (remove) {
                cur->erase(s.key);
            } else {
                toml::table parsed = parseValue(value, what);
                parsed.get("v")->visit([&](auto&& node) { cur->insert_or_assign(s.key, node); });
                pruneForSelector(root, path);
            }
            return;
        }
        toml::node* next = cur->get(s.key);
        if (!next) {
            if (remove) {
                return;
            }
            cur->insert(s.key, toml::table{});
            next = cur->get(s.key);
        }
        if (!next->is_table()) {
            throw Error(ErrorCode::InvalidConfig, walked + " is not a table", what);
        }
        cur = next->as_table();
    }
}

}  // namespace

void applyOverrides(toml::table& root, const std::vector<std::string>& overrides) {
    for (const auto& ov : overrides) {
        applyOne(root, ov);
    }
}

}  // namespace anneal::config
