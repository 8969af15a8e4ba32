// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/overrides.h"

#include <algorithm>
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
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        std::smatch m;
        if (!std::regex_match(part, m, seg)) {
            throw Error(ErrorCode::InvalidConfig, "\"" + path + "\" is not a key path", what,
                        "KEY.PATH=VALUE, e.g. train.lr=0.001 or data.domain[1].weight=0.2");
        }
        out.push_back({m[1].str(), m[2].matched ? std::stol(m[2].str()) : -1});
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return out;
}

/// The value text as TOML (number, boolean, array, inline table, quoted string), else a plain string.
toml::table parseValue(const std::string& text) {
    try {
        return toml::parse("v = " + text);
    } catch (const toml::parse_error&) {
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
            throw Error(ErrorCode::InvalidConfig, "expected KEY=VALUE", what, "KEY.PATH=VALUE, e.g. train.lr=0.001");
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
                toml::table parsed = parseValue(value);
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
