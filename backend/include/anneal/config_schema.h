// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file config_schema.h
/// What the experiment format allows, for editors: the kinds of [schedule], [mixture], [reweight] and
/// [tokenizer],
/// the keys each kind uses, and the allowed values of every enumerated key. The parser validates with
/// the same tables, so an editor built on them offers exactly what a file may contain. Pure, thread-safe.

#include <string>
#include <vector>

namespace anneal {

/// Kinds of a selector: "schedule.kind", "mixture.kind", "reweight.strategy" or "tokenizer.kind".
std::vector<std::string> configKinds(const std::string& selector);
/// Keys (besides the selector) that a kind uses, e.g. ("schedule.kind", "wsd") -> decay_fraction, ...
std::vector<std::string> configKeysFor(const std::string& selector, const std::string& kind);
/// Allowed values of an enumerated key ("device", "schedule.decay_shape", "schedule.cooldown_shape",
/// "mixture.temperature_schedule", "tokenizer.model_type", or a selector); empty for keys that are
/// not enumerated.
std::vector<std::string> configAllowedValues(const std::string& keyPath);

}  // namespace anneal
