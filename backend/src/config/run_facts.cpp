// SPDX-License-Identifier: GPL-3.0-or-later
// runFacts(): the facts about a run that naming its metrics needs, from its parsed experiment.
#include "anneal/config.h"

namespace anneal {

RunFacts runFacts(const ExperimentSpec& spec) {
    RunFacts f;
    for (const auto& d : spec.data.domains) {
        f.domains.push_back(d.name);
    }
    f.reweighting = spec.reweight.strategy != "none";
    f.keepCheckpoints = spec.log.keepCheckpoints;
    return f;
}

}  // namespace anneal
