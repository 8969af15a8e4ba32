// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzzes anneal::parseExperiment with --set / --unset overrides. The input is an experiment file, a
// line "%%", then one override per line ("key.path=value" sets, "!key.path" unsets, as the CLI
// passes them); without a "%%" line every line is an override of a built-in valid experiment.
// Properties as in fuzz_experiment: no crash, rejections are anneal::Errors with a message, and an
// accepted result round-trips through its resolved config.
#include <cstdint>
#include <string>
#include <vector>

#include "anneal/config.h"
#include "fuzz_common.h"

using namespace anneal;

namespace {

const char* kBase = R"(name = "base"
seed = 1
device = "cpu"
[model]
n_layer = 1
d_model = 32
n_head = 2
context = 16
[data]
batch_size = 4
val_every = 10
[[data.domain]]
name = "markov"
source = "synthetic:markov"
weight = 0.7
size = 100
[data.domain.params]
order = 1
alphabet = 8
[[data.domain]]
name = "noise"
source = "synthetic:noise"
weight = 0.3
size = 50
[train]
steps = 100
[schedule]
kind = "wsd"
decay_fraction = 0.2
[mixture.upsample]
start_fraction = 0.5
weights = { markov = 1.0 }
[log]
checkpoint_every = 10
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    std::string base = kBase;
    std::string rest = input;
    const auto sep = input.find("\n%%\n");
    if (sep != std::string::npos) {
        base = input.substr(0, sep + 1);
        rest = input.substr(sep + 4);
    }
    std::vector<Override> overrides;
    size_t start = 0;
    while (start < rest.size()) {
        size_t end = rest.find('\n', start);
        if (end == std::string::npos) {
            end = rest.size();
        }
        overrides.push_back(rest.substr(start, end - start));
        start = end + 1;
    }
    ExperimentSpec spec;
    try {
        spec = parseExperiment(base, "fuzz.toml", overrides);
    } catch (const Error& e) {
        fuzz::checkError(e);
        return 0;
    }
    fuzz::accepted();
    const std::string resolved = toToml(spec);
    try {
        if (toToml(parseExperiment(resolved, "resolved.toml")) != resolved) {
            fuzz::fail("toToml(parse(toToml(s))) != toToml(s)", resolved);
        }
    } catch (const Error& e) {
        fuzz::fail("the resolved config of an accepted override set is rejected:", e.what());
    }
    return 0;
}
