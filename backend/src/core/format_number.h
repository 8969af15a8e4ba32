// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one formatter of doubles for configs and messages (toml_reader.cpp), in a header of its own so
// that code outside the TOML reader can use it without including toml++.

#include <string>

namespace anneal::core {

/// Formats a double the shortest way that reads back exactly ("nan", "inf", "-inf" spelled out;
/// ordinary numbers such as 10 or 1500 in plain notation).
std::string formatNumber(double v);

}  // namespace anneal::core
