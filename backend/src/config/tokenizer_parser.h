// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Parsing [tokenizer] (docs/EXPERIMENT-FORMAT.md#tokenizer).

#include <toml++/toml.h>

#include "anneal/experiment.h"

namespace anneal::config {

/// Reads [tokenizer] (absent: bytes) into `k` and sets m.vocab to the tokenizer's vocabulary,
/// reading the model or vocabulary file a kind names. Throws InvalidConfig naming the key.
void parseTokenizer(const toml::table* t, TokenizerSpec& k, ModelSpec& m);

}  // namespace anneal::config
