// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where Anneal keeps a user's files when nothing names a place: the XDG base directories (the
// database and the prepared corpus under the data home, tokenised text under the cache home).

#include <string>

namespace anneal {

enum class XdgBase {
    Data,   ///< $XDG_DATA_HOME, else $HOME/.local/share
    Cache,  ///< $XDG_CACHE_HOME, else $HOME/.cache
};

/// The base directory of `kind`; empty when neither its variable nor $HOME is set (or they are empty).
std::string xdgBaseDirectory(XdgBase kind);

/// $`overrideVariable` when set and non-empty; else <base>/anneal/<leaf> (<base>/anneal when `leaf` is
/// empty) under xdgBaseDirectory(kind); else `fallback` when there is no base.
std::string userPath(const char* overrideVariable, XdgBase kind, const std::string& leaf,
                     const std::string& fallback);

}  // namespace anneal
