// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// --set / --unset overrides applied to a parsed TOML tree before validation.

#include <string>
#include <toml++/toml.h>
#include <vector>

namespace anneal::config {

/// Applies "key.path=value" (set) and "!key.path" (remove) in order. Throws InvalidConfig naming the
/// override for a malformed path or an array index that does not exist.
void applyOverrides(toml::table& root, const std::vector<std::string>& overrides);

}  // namespace anneal::config
