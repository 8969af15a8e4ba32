// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes anneal::parseExperiment with a whole experiment file. Properties: no crash or sanitizer
// report; a rejection is an anneal::Error with a message; an accepted spec round-trips through its
// resolved config (toToml -> parse -> toToml is a fixed point, as config.h promises) and its
// schedule and mixture are finite at the steps a run visits (schedule.h: they do not throw for a
// spec that passed validation).
#include <cmath>
#include <cstdint>
#include <string>

#include "anneal/config.h"
#include "anneal/mixture.h"
#include "anneal/schedule.h"
#include "fuzz_common.h"

using namespace anneal;

namespace {

void checkAccepted(const ExperimentSpec& spec) {
    const std::string resolved = toToml(spec);
    ExperimentSpec again;
    try {
        again = parseExperiment(resolved, "resolved.toml");
    } catch (const Error& e) {
        fuzz::fail("the resolved config of an accepted file is rejected:", e.what());
    }
    if (toToml(again) != resolved) {
        fuzz::fail("toToml(parse(toToml(s))) != toToml(s)", resolved);
    }
    const std::int64_t T = spec.train.steps;
    for (std::int64_t t : {std::int64_t{0}, spec.schedule.warmupSteps, T / 2, T - 1, T}) {
        const double lr = learningRate(spec, t);
        if (!std::isfinite(lr) || lr < 0) {
            fuzz::fail("learning rate not finite or negative at step", std::to_string(t));
        }
        const std::vector<double> mix = mixtureAt(spec, t);
        double total = 0;
        for (double p : mix) {
            if (!std::isfinite(p) || p < 0) {
                fuzz::fail("mixture probability not finite or negative at step", std::to_string(t));
            }
            total += p;
        }
        if (std::abs(total - 1.0) > 1e-9) {
            fuzz::fail("mixture does not sum to 1 at step", std::to_string(t));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    ExperimentSpec spec;
    try {
        spec = parseExperiment(text, "fuzz.toml");
    } catch (const Error& e) {
        fuzz::checkError(e);
        return 0;
    }
    fuzz::accepted();
    checkAccepted(spec);
    return 0;
}
