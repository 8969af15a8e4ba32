// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli check | schedule: validate an experiment file, print its LR and mixture schedule.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "anneal/mixture.h"
#include "anneal/run_session.h"
#include "anneal/schedule.h"
#include "anneal/trainer.h"
#include "cli_context.h"
#include "progress.h"

namespace anneal::cli {

void addCheckCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::string spec;
        std::vector<std::string> sets, unsets;
        std::string format = "csv";
        bool json = false;
        bool resolved = false;
    };
    auto o = std::make_shared<Opts>();

    CLI::App* check =
        app.add_subcommand("check", "Validate an experiment file (nothing is trained or stored)");
    check->add_option("SPEC", o->spec, "Experiment file (TOML)")->required()->check(CLI::ExistingFile);
    addOverrideOptions(check, o->sets, o->unsets);
    check->add_flag("--json", o->json, "Print the summary as JSON");
    check->add_flag("--resolved", o->resolved, "Print the resolved config (every key with its value)");
    check->footer("Example:\n  anneal-cli check my.toml --set train.lr=0.01");
    check->callback([o] {
        const ExperimentSpec spec = loadExperiment(o->spec, collectOverrides(o->sets, o->unsets));
        if (o->resolved) {
            std::cout << toToml(spec);
            return;
        }
        const ModelInfo mi = modelInfo(spec.model);
        PrepareProgress prepare(o->json, stderrIsTty());  // a subword tokenizer: trained and cached here
        const Dataset data(spec, prepare.callback());
        prepare.finish();
        const auto domains = domainRecords(spec, data);
        const double floor = experimentEntropyFloor(spec, data);
        const std::int64_t tokens = spec.train.steps * spec.data.batchSize * spec.model.context;
        if (o->json) {
            nlohmann::json j;
            j["valid"] = true;
            j["name"] = spec.name;
            j["params"] = mi.params;
            j["params_nonembedding"] = mi.paramsNonEmbedding;
            j["flops_per_token"] = mi.flopsPerToken;
            j["steps"] = spec.train.steps;
            j["tokens"] = tokens;
            j["entropy_floor"] = jsonNumber(floor);
            nlohmann::json ds = nlohmann::json::array();
            for (const auto& d : domains) {
                ds.push_back({{"name", d.name},
                              {"source", d.source},
                              {"entropy_rate", jsonNumber(d.entropyRate)},
                              {"entropy_floor", jsonNumber(d.entropyFloor)},
                              {"description", d.description}});
            }
            j["domains"] = ds;
            std::cout << j.dump(2) << std::endl;
            return;
        }
        std::printf("%s: valid\n", o->spec.c_str());
        std::printf(
            "  model   %d layers, d_model %d, %d heads, context %d: %lld parameters (%lld without "
            "embeddings)\n",
            spec.model.nLayer, spec.model.dModel, spec.model.nHead, spec.model.context,
            static_cast<long long>(mi.params), static_cast<long long>(mi.paramsNonEmbedding));
        std::printf("  train   %lld steps x %d sequences = %lld tokens, %.3g training FLOPs\n",
                    static_cast<long long>(spec.train.steps), spec.data.batchSize,
                    static_cast<long long>(tokens), mi.flopsPerToken * static_cast<double>(tokens));
        for (const auto& d : domains) {
            std::printf("  domain  %-12s %s\n", d.name.c_str(), d.description.c_str());
        }
        if (std::isfinite(floor)) {
            std::printf("  floor   %.4f nats/token (the static mix's entropy floor at this context)\n",
                        floor);
        } else {
            std::printf("  floor   unknown (real data has no known entropy floor)\n");
        }
    });

    CLI::App* sched =
        app.add_subcommand("schedule", "Print the LR and domain mixture of every step, without training");
    sched->add_option("SPEC", o->spec, "Experiment file (TOML)")->check(CLI::ExistingFile);
    addOverrideOptions(sched, o->sets, o->unsets);
    auto* schedFormat =
        sched->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"csv", "json"}));
    sched->add_flag("--json", o->json, "Same as --format json")->excludes(schedFormat);
    sched->footer(
        "Columns: step,lr,mix.<domain>... for steps 0 .. train.steps-1; step t's LR is the one update t "
        "uses.\n"
        "Example:\n  anneal-cli schedule wsd.toml --set schedule.decay_shape=1-sqrt > wsd.csv\n"
        "Subcommand: `anneal-cli schedule optimize --help` (the schedule a fitted law predicts best).");
    addScheduleOptimizeCommand(sched, ctx);
    sched->callback([o, sched] {
        if (!sched->get_subcommands().empty()) {
            return;  // `schedule optimize` ran
        }
        if (o->spec.empty()) {
            throw CLI::RequiredError("SPEC");
        }
        if (o->json) {
            o->format = "json";
        }
        const ExperimentSpec spec = loadExperiment(o->spec, collectOverrides(o->sets, o->unsets));
        const auto& doms = spec.data.domains;
        if (o->format == "json") {
            nlohmann::json rows = nlohmann::json::array();
            for (std::int64_t t = 0; t < spec.train.steps; ++t) {
                nlohmann::json row{{"step", t}, {"lr", learningRate(spec, t)}};
                const auto p = mixtureAt(spec, t);
                for (size_t d = 0; d < doms.size(); ++d) {
                    row["mix." + doms[d].name] = p[d];
                }
                rows.push_back(row);
            }
            std::cout << rows.dump() << std::endl;
            return;
        }
        std::string out = "step,lr";
        for (const auto& d : doms) {
            out += ",mix." + d.name;
        }
        out += "\n";
        for (std::int64_t t = 0; t < spec.train.steps; ++t) {
            out += std::to_string(t) + "," + csvNumber(learningRate(spec, t));
            for (double p : mixtureAt(spec, t)) {
                out += "," + csvNumber(p);
            }
            out += "\n";
            if (out.size() > (1 << 20)) {
                std::cout << out;
                out.clear();
            }
        }
        std::cout << out << std::flush;
    });
}

}  // namespace anneal::cli
