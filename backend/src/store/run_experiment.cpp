// SPDX-License-Identifier: GPL-3.0-or-later
#include "anneal/run_experiment.h"

#include <string>

#include "anneal/error.h"

namespace anneal {

std::string runConfigOrigin(std::int64_t runId) { return "run " + std::to_string(runId) + " config"; }

ExperimentSpec runExperiment(const RunRecord& run, const std::vector<Override>& overrides) {
    const std::string origin = runConfigOrigin(run.id);
    if (run.configToml.empty()) {
        throw Error(ErrorCode::InvalidInput,
                    "run " + std::to_string(run.id) + " has no experiment config" +
                        (run.kind == "imported" ? " (it is an imported curve)" : ""),
                    "run " + std::to_string(run.id), "a trained run");
    }
    const auto named = [&](const Error& e) {
        return Error(e.code(), "stored config of run " + std::to_string(run.id) + ": " + e.detail(),
                     e.field(), e.allowed());
    };
    const auto notToml = [&](const Error& e) {
        return e.field().rfind(origin, 0) == 0;
    };  // field names the run
    try {
        return parseExperiment(run.configToml, origin, overrides);
    } catch (const Error& e) {
        if (notToml(e)) {
            throw;
        }
        if (overrides.empty()) {
            throw named(e);
        }
        try {
            parseExperiment(run.configToml, origin);
        } catch (const Error& stored) {
            if (notToml(stored)) {
                throw;
            }
            throw named(stored);
        }
        throw;  // the stored config parses: the overrides are what is wrong
    }
}

ExperimentSpec runExperiment(const Store& store, std::int64_t runId, const std::vector<Override>& overrides) {
    return runExperiment(store.run(runId), overrides);
}

}  // namespace anneal
