// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/user_dirs.h"

#include <cstdlib>
#include <filesystem>

namespace anneal {

namespace {
std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}
}  // namespace

std::string xdgBaseDirectory(XdgBase kind) {
    const std::string xdg = env(kind == XdgBase::Data ? "XDG_DATA_HOME" : "XDG_CACHE_HOME");
    if (!xdg.empty()) {
        return xdg;
    }
    const std::string home = env("HOME");
    if (home.empty()) {
        return {};
    }
    const std::filesystem::path h(home);
    return (kind == XdgBase::Data ? h / ".local" / "share" : h / ".cache").string();
}

std::string userPath(const char* overrideVariable, XdgBase kind, const std::string& leaf,
                     const std::string& fallback) {
    if (const std::string o = env(overrideVariable); !o.empty()) {
        return o;
    }
    const std::string base = xdgBaseDirectory(kind);
    if (base.empty()) {
        return fallback;
    }
    const std::filesystem::path p = std::filesystem::path(base) / "anneal";
    return (leaf.empty() ? p : p / leaf).string();
}

}  // namespace anneal
