// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli version: the one version of Anneal (CMake's project version), as text or JSON.
// `anneal-cli --version` prints the same first line: "anneal-cli <version>".
#include <iostream>
#include <sqlite3.h>

#include "anneal/store.h"
#include "anneal/version.h"
#include "cli_context.h"

namespace anneal::cli {

void addVersionCommands(CLI::App& app, Context& /*ctx*/) {
    auto json = std::make_shared<bool>(false);
    CLI::App* v = app.add_subcommand("version", "Print the version of Anneal (the CMake project version)");
    v->add_flag("--json", *json,
                "One JSON object: version, its parts, CUDA support, database schema, SQLite");
    v->footer(
        "The text form is the same as 'anneal-cli --version': \"anneal-cli <major>.<minor>.<patch>\".\n"
        "Examples:\n"
        "  anneal-cli version\n"
        "  anneal-cli version --json | jq -r .version");
    v->callback([json] {
        if (!*json) {
            std::cout << "anneal-cli " << kVersion << std::endl;
            return;
        }
        nlohmann::json j;
        j["program"] = "anneal-cli";
        j["version"] = kVersion;
        // kVersion is "<major>.<minor>.<patch>" (CMake's PROJECT_VERSION); split it for scripts.
        const std::string s = kVersion;
        const auto dot1 = s.find('.');
        const auto dot2 = s.find('.', dot1 == std::string::npos ? dot1 : dot1 + 1);
        if (dot1 != std::string::npos && dot2 != std::string::npos) {
            j["major"] = std::stoi(s.substr(0, dot1));
            j["minor"] = std::stoi(s.substr(dot1 + 1, dot2 - dot1 - 1));
            j["patch"] = std::stoi(s.substr(dot2 + 1));
        }
        j["cuda"] = kBuiltWithCuda;
        j["db_schema"] = kSchemaVersion;
        j["sqlite"] = sqlite3_libversion();
        std::cout << j.dump(2) << std::endl;
    });
}

}  // namespace anneal::cli
