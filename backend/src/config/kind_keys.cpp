// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/kind_keys.h"

#include <algorithm>
#include <set>

#include "anneal/config_schema.h"
#include "anneal/error.h"
#include "core/toml_reader.h"

namespace anneal::config {

const std::vector<KindKeys>& scheduleKindKeys() {
    static const std::vector<KindKeys> table = {
        {"constant", {"warmup_steps", "warmup_start_fraction"}},
        {"cosine", {"warmup_steps", "warmup_start_fraction", "final_lr_fraction"}},
        {"linear", {"warmup_steps", "warmup_start_fraction", "final_lr_fraction"}},
        {"inverse_sqrt",
         {"warmup_steps", "warmup_start_fraction", "timescale", "decay_fraction", "decay_shape",
          "final_lr_fraction", "decay_half_life"}},
        {"wsd",
         {"warmup_steps", "warmup_start_fraction", "decay_fraction", "decay_shape", "final_lr_fraction",
          "decay_half_life"}},
        {"rewarm",
         {"warmup_steps", "warmup_start_fraction", "final_lr_fraction", "rewarm_at", "rewarm_steps",
          "rewarm_peak_fraction"}},
        {"infinite",
         {"warmup_steps", "warmup_start_fraction", "cooldown_steps", "cooldown_shape", "constant_lr_fraction",
          "cooldown_timescale", "anneal_fraction", "final_lr_fraction"}},
        // Either `file` (read once) or the knots `steps` + `lrs` inline (what the resolved config holds);
        // `source` notes where the knots came from. lr_table.h.
        {"table", {"file", "steps", "lrs", "source"}},
    };
    return table;
}

const std::vector<KindKeys>& mixtureKindKeys() {
    static const std::vector<KindKeys> table = {
        {"static", {"upsample", "replay"}},
        {"temperature",
         {"temperature", "temperature_end", "temperature_schedule", "temperature_switch_fraction", "upsample",
          "replay"}},
    };
    return table;
}

const std::vector<KindKeys>& reweightKindKeys() {
    static const std::vector<KindKeys> table = {
        {"none", {}},
        {"loss_linupper", {"burnin_steps", "delta", "kl_reg"}},
        {"loss_quadratic", {"burnin_steps", "delta", "kl_reg"}},
        {"loss_extremes", {"burnin_steps", "delta", "kl_reg"}},
        {"domain_scalarization", {"temperature", "domain_weights"}},
        {"meta_rescale", {"burnin_steps", "meta_lr", "meta_every", "meta_batch"}},
    };
    return table;
}

const std::vector<KindKeys>& tokenizerKindKeys() {
    static const std::vector<KindKeys> table = {
        {"bytes", {}},
        // `model` loads a model file; the other four train one (the two groups exclude each other).
        {"sentencepiece", {"model", "model_type", "vocab_size", "train_bytes", "seed"}},
        {"gpt2", {"vocab", "merges"}},
    };
    return table;
}

const std::vector<std::string>& spmModelTypeValues() {
    static const std::vector<std::string> v = {"bpe", "unigram"};
    return v;
}

const std::vector<std::string>& deviceValues() {
    static const std::vector<std::string> v = {"auto", "cpu", "cuda"};
    return v;
}
const std::vector<std::string>& decayShapeValues() {
    static const std::vector<std::string> v = {"linear", "cosine", "1-sqrt", "square", "exponential"};
    return v;
}
const std::vector<std::string>& cooldownShapeValues() {
    static const std::vector<std::string> v = {"cosine", "inverse_sqrt"};
    return v;
}
const std::vector<std::string>& temperatureScheduleValues() {
    static const std::vector<std::string> v = {"constant", "linear", "cosine", "step"};
    return v;
}

std::vector<std::string> kindNames(const std::vector<KindKeys>& table) {
    std::vector<std::string> names;
    for (const auto& k : table) {
        names.push_back(k.kind);
    }
    return names;
}

const std::vector<std::string>& keysOf(const std::vector<KindKeys>& table, const std::string& kind) {
    for (const auto& k : table) {
        if (k.kind == kind) {
            return k.keys;
        }
    }
    throw Error(ErrorCode::Internal, "no key table for kind " + kind);
}

bool kindUses(const std::vector<KindKeys>& table, const std::string& kind, const std::string& key) {
    const auto& keys = keysOf(table, kind);
    return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::vector<std::string> allKeys(const std::vector<KindKeys>& table) {
    std::set<std::string> keys;
    for (const auto& k : table) {
        keys.insert(k.keys.begin(), k.keys.end());
    }
    return {keys.begin(), keys.end()};
}

std::string usedByText(const std::vector<KindKeys>& table, const std::string& selector,
                       const std::string& key) {
    std::vector<std::string> users;
    for (const auto& k : table) {
        if (std::find(k.keys.begin(), k.keys.end(), key) != k.keys.end()) {
            users.push_back(k.kind);
        }
    }
    return "it is used only when " + selector + " = " + core::joinAllowed(users);
}

}  // namespace anneal::config

namespace anneal {

namespace {
const std::vector<config::KindKeys>* selectorTable(const std::string& selector) {
    if (selector == "schedule.kind") {
        return &config::scheduleKindKeys();
    }
    if (selector == "mixture.kind") {
        return &config::mixtureKindKeys();
    }
    if (selector == "reweight.strategy") {
        return &config::reweightKindKeys();
    }
    if (selector == "tokenizer.kind") {
        return &config::tokenizerKindKeys();
    }
    return nullptr;
}
}  // namespace

std::vector<std::string> configKinds(const std::string& selector) {
    const auto* t = selectorTable(selector);
    return t ? config::kindNames(*t) : std::vector<std::string>{};
}

std::vector<std::string> configKeysFor(const std::string& selector, const std::string& kind) {
    const auto* t = selectorTable(selector);
    if (!t) {
        return {};
    }
    for (const auto& k : *t) {
        if (k.kind == kind) {
            return k.keys;
        }
    }
    return {};
}

std::vector<std::string> configAllowedValues(const std::string& keyPath) {
    if (keyPath == "device") {
        return config::deviceValues();
    }
    if (keyPath == "schedule.decay_shape") {
        return config::decayShapeValues();
    }
    if (keyPath == "schedule.cooldown_shape") {
        return config::cooldownShapeValues();
    }
    if (keyPath == "mixture.temperature_schedule") {
        return config::temperatureScheduleValues();
    }
    if (keyPath == "tokenizer.model_type") {
        return config::spmModelTypeValues();
    }
    return configKinds(keyPath);
}

}  // namespace anneal
