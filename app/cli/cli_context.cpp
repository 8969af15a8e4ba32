// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_context.h"

#include <cmath>
#include <cstdio>
#include <unistd.h>

#include "anneal/store.h"

namespace anneal::cli {

std::string Context::dbPath() const { return db.empty() ? defaultDatabasePath() : db; }

bool stdoutIsTty() { return ::isatty(STDOUT_FILENO) == 1; }
bool stderrIsTty() { return ::isatty(STDERR_FILENO) == 1; }

std::string csvNumber(double v) {
    if (!std::isfinite(v)) {
        return std::isnan(v) ? "" : (v > 0 ? "inf" : "-inf");
    }
    char buf[40];
    for (int prec = 6; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) {
            break;
        }
    }
    return buf;
}

nlohmann::json jsonNumber(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

std::vector<std::string> collectOverrides(const std::vector<std::string>& sets,
                                          const std::vector<std::string>& unsets) {
    std::vector<std::string> out = sets;
    for (const auto& u : unsets) {
        out.push_back("!" + u);
    }
    return out;
}

void addOverrideOptions(CLI::App* sub, std::vector<std::string>& sets, std::vector<std::string>& unsets) {
    sub->add_option("--set", sets, "Override a key of the experiment file: KEY.PATH=VALUE (repeatable)")
        ->type_name("K=V");
    sub->add_option("--unset", unsets, "Remove a key of the experiment file (repeatable)")->type_name("KEY");
}

}  // namespace anneal::cli
