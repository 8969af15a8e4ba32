// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli runs | metrics | checkpoints | notices: read what the database holds.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "anneal/error.h"
#include "anneal/store.h"
#include "cli_context.h"

namespace anneal::cli {

namespace {

nlohmann::json runJson(const RunRecord& r) {
    nlohmann::json j;
    j["id"] = r.id;
    j["uuid"] = r.uuid;
    j["name"] = r.name;
    j["group"] = r.group;
    j["kind"] = r.kind;
    j["status"] = runStatusName(r.status);
    j["parent_id"] = r.parentId ? nlohmann::json(*r.parentId) : nlohmann::json(nullptr);
    j["branch_step"] = r.branchStep ? nlohmann::json(*r.branchStep) : nlohmann::json(nullptr);
    j["branch_checkpoint_id"] =
        r.branchCheckpointId ? nlohmann::json(*r.branchCheckpointId) : nlohmann::json(nullptr);
    j["steps_done"] = r.stepsDone;
    j["steps_total"] = r.stepsTotal;
    j["tokens"] = r.tokensDone;
    j["seed"] = r.seed;
    j["device"] = r.device;
    j["version"] = r.version;
    j["params"] = r.params;
    j["params_nonembedding"] = r.paramsNonEmbedding;
    j["entropy_floor"] = jsonNumber(r.entropyFloor);
    j["created_at"] = r.createdAt;
    j["wall_seconds"] = r.wallSeconds;
    j["message"] = r.message;
    j["tags"] = r.tags;
    return j;
}

Store& openRead(std::unique_ptr<Store>& holder, const Context& ctx) {
    holder = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
    return *holder;
}

}  // namespace

void addListCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        bool json = false;
        std::int64_t runId = 0;
        std::string name;
        std::string format = "csv";
        bool history = false;
        std::int64_t pinStep = 0;
    };
    auto o = std::make_shared<Opts>();

    CLI::App* runs = app.add_subcommand("runs", "List the runs in the database");
    runs->add_flag("--json", o->json, "One JSON array of runs");
    runs->footer("Example:\n  anneal-cli runs --db runs.db --json");
    runs->callback([o, &ctx] {
        std::unique_ptr<Store> s;
        const auto list = openRead(s, ctx).listRuns();
        if (o->json) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& r : list) {
                arr.push_back(runJson(r));
            }
            std::cout << arr.dump(2) << std::endl;
            return;
        }
        std::printf("%5s  %-28s %-12s %13s  %-8s %s\n", "ID", "NAME", "STATUS", "STEPS", "PARENT", "GROUP");
        for (const auto& r : list) {
            const std::string steps = std::to_string(r.stepsDone) + "/" + std::to_string(r.stepsTotal);
            const std::string parent =
                r.parentId ? std::to_string(*r.parentId) + "@" + std::to_string(r.branchStep.value_or(0))
                           : "-";
            std::printf("%5lld  %-28.28s %-12s %13s  %-8s %s\n", static_cast<long long>(r.id), r.name.c_str(),
                        runStatusName(r.status), steps.c_str(), parent.c_str(), r.group.c_str());
        }
    });

    CLI::App* metrics =
        app.add_subcommand("metrics", "Print one metric of a run (train_loss, lr, val_loss.<domain>...)");
    metrics->add_option("RUN_ID", o->runId, "Run id")->required();
    metrics->add_option("--name", o->name, "Metric name")->required();
    auto* metricsFormat =
        metrics->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"csv", "json"}));
    metrics->add_flag("--json", o->json, "Same as --format json")->excludes(metricsFormat);
    metrics->add_flag("--with-history", o->history,
                      "For a branch, include the parent's points before the branch step");
    metrics->footer(
        "Examples:\n  anneal-cli metrics 3 --name train_loss\n  anneal-cli metrics 3 --name val_loss.markov "
        "--format json");
    metrics->callback([o, &ctx] {
        if (o->json) {
            o->format = "json";
        }
        std::unique_ptr<Store> s;
        Store& store = openRead(s, ctx);
        store.run(o->runId);
        const auto names = store.metricNames(o->runId);
        if (std::find(names.begin(), names.end(), o->name) == names.end() && !(o->history)) {
            std::string list;
            for (const auto& n : names) {
                list += (list.empty() ? "" : " | ") + n;
            }
            throw Error(ErrorCode::NotFound,
                        "run " + std::to_string(o->runId) + " has no metric \"" + o->name + "\"", "--name",
                        list.empty() ? "(the run has no metrics yet)" : list);
        }
        const MetricSeries m = store.metric(o->runId, o->name, o->history);
        if (o->format == "json") {
            nlohmann::json arr = nlohmann::json::array();
            for (size_t i = 0; i < m.steps.size(); ++i) {
                arr.push_back({{"step", m.steps[i]}, {"value", jsonNumber(m.values[i])}});
            }
            std::cout << arr.dump() << std::endl;
            return;
        }
        std::string out = "step,value\n";
        for (size_t i = 0; i < m.steps.size(); ++i) {
            out += std::to_string(m.steps[i]) + "," + csvNumber(m.values[i]) + "\n";
        }
        std::cout << out << std::flush;
    });

    CLI::App* cps =
        app.add_subcommand("checkpoints", "List a run's checkpoints; pin one so it is never deleted");
    cps->add_option("RUN_ID", o->runId, "Run id")->required();
    cps->add_flag("--json", o->json, "JSON output");
    auto* pin = cps->add_option("--pin", o->pinStep,
                                "Pin the checkpoint at this step (kept beyond log.keep_checkpoints)");
    auto* unpin = cps->add_option("--unpin", o->pinStep, "Unpin the checkpoint at this step");
    pin->excludes(unpin);
    cps->footer("Examples:\n  anneal-cli checkpoints 7\n  anneal-cli checkpoints 7 --pin 1600");
    cps->callback([o, &ctx, pin, unpin] {
        if (pin->count() > 0 || unpin->count() > 0) {
            auto rw = Store::open(ctx.dbPath());
            rw->run(o->runId);
            const auto cp = rw->checkpointAt(o->runId, o->pinStep);
            if (!cp) {
                std::string steps;
                for (const auto& c : rw->checkpoints(o->runId)) {
                    steps += (steps.empty() ? "" : ", ") + std::to_string(c.step);
                }
                throw Error(ErrorCode::NotFound,
                            "run " + std::to_string(o->runId) + " has no checkpoint at step " +
                                std::to_string(o->pinStep),
                            pin->count() > 0 ? "--pin" : "--unpin", steps.empty() ? "(none)" : steps);
            }
            rw->pinCheckpoint(cp->id, pin->count() > 0);
        }
        std::unique_ptr<Store> s;
        Store& store = openRead(s, ctx);
        store.run(o->runId);
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& c : store.checkpoints(o->runId)) {
            if (o->json) {
                arr.push_back({{"id", c.id},
                               {"step", c.step},
                               {"path", c.path},
                               {"bytes", c.bytes},
                               {"pinned", c.pinned}});
            } else {
                std::printf("%6lld  step %-10lld %10lld bytes %s %s\n", static_cast<long long>(c.id),
                            static_cast<long long>(c.step), static_cast<long long>(c.bytes),
                            c.pinned ? "pinned" : "      ", c.path.c_str());
            }
        }
        if (o->json) {
            std::cout << arr.dump(2) << std::endl;
        }
    });

    CLI::App* notices =
        app.add_subcommand("notices", "List a run's notices: loss spikes, skipped updates, warnings");
    notices->add_option("RUN_ID", o->runId, "Run id")->required();
    notices->add_flag("--json", o->json, "JSON output");
    notices->footer(
        "Kinds: spike (a loss z-score above the guard), skipped_update (non-finite loss or gradient), "
        "warning.\n"
        "Examples:\n  anneal-cli notices 3\n  anneal-cli notices 3 --json | jq '.[] | select(.kind == "
        "\"spike\")'");
    notices->callback([o, &ctx] {
        std::unique_ptr<Store> s;
        Store& store = openRead(s, ctx);
        store.run(o->runId);
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& n : store.notices(o->runId)) {
            if (o->json) {
                arr.push_back({{"step", n.step},
                               {"kind", n.kind},
                               {"message", n.message},
                               {"value", jsonNumber(n.value)}});
            } else {
                std::printf("step %-8lld %-15s %s\n", static_cast<long long>(n.step), n.kind.c_str(),
                            n.message.c_str());
            }
        }
        if (o->json) {
            std::cout << arr.dump(2) << std::endl;
        }
    });
}

}  // namespace anneal::cli
