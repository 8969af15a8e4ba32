// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli sweep | merge: run a sweep plan locally (J processes at a time, resumable), write it as
// a Slurm array job, and merge the shards that array jobs write.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sys/wait.h>
#include <thread>
#include <toml++/toml.h>
#include <unistd.h>

#include "anneal/error.h"
#include "anneal/store.h"
#include "anneal/sweep.h"
#include "cli_context.h"
#include "gpu_slots.h"
#include "progress.h"
#include "sweep_spawn.h"

namespace fs = std::filesystem;

namespace anneal::cli {

namespace {

std::atomic<int> g_sweepInterrupts{0};
void onSweepSignal(int) { g_sweepInterrupts.fetch_add(1); }

std::string selfPath() {
    std::error_code ec;
    const auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? "anneal-cli" : p.string();
}

/// One unit of work: a planned run, or one of its branches.
struct Unit {
    int run = 0;      ///< index into plan.runs
    int branch = -1;  ///< index into plan.branches, -1 for the run itself
    std::string label;
    std::int64_t runId = 0;  ///< known once it exists in the database
    std::string status = "pending";
    std::string message;
    std::string gpu;  ///< CUDA_VISIBLE_DEVICES of its last launch (--gpus), else ""
};

struct Child {
    pid_t pid = 0;
    size_t unit = 0;
    std::string outFile;
    std::string gpu;
};

std::optional<RunRecord> findRun(const Store& store, const std::string& group, const std::string& name,
                                 std::optional<std::int64_t> parent) {
    std::optional<RunRecord> found;
    for (const auto& r : store.listRuns()) {
        if (r.group == group && r.name == name && r.kind == "trained" && r.parentId == parent) {
            found = r;  // the newest of the same name wins
        }
    }
    return found;
}

struct SweepOpts {
    std::string plan;
    int jobs = 0;
    int threads = 0;
    int only = -1;
    std::string gpus;
    std::string slurm;
    bool dryRun = false;
    bool json = false;
    std::vector<std::string> shards;
};

void writeSlurm(const SweepPlan& plan, const std::string& dirArg) {
    const fs::path dir = fs::absolute(dirArg);
    for (const char* sub : {"plan", "configs", "shards", "logs"}) {
        fs::create_directories(dir / sub);
    }
    fs::copy_file(plan.basePath, dir / "plan" / "base.toml", fs::copy_options::overwrite_existing);
    toml::table t = toml::parse(readTextFile(plan.planPath), plan.planPath);
    t.insert_or_assign("base", "base.toml");
    {
        std::ofstream f(dir / "plan" / "plan.toml");
        f << "# A copy of " << plan.planPath << " for the Slurm array (base rewritten to its copy).\n"
          << t << "\n";
    }
    std::ofstream tsv(dir / "runs.tsv");
    tsv << "index\tlabel\tconfig\n";
    for (const auto& r : plan.runs) {
        char name[32];
        std::snprintf(name, sizeof name, "%04d.toml", r.index);
        std::ofstream f(dir / "configs" / name);
        f << "# Resolved config of planned run " << r.index << ": " << r.label << "\n" << toToml(r.spec);
        tsv << r.index << "\t" << r.label << "\tconfigs/" << name << "\n";
    }
    const fs::path script = dir / "sweep.sbatch";
    {
        std::ofstream f(script);
        f << slurmScript(plan, dir.string(), selfPath());
    }
    fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    std::cerr << "wrote " << script.string() << " (" << plan.runs.size()
              << " array tasks, one database shard each)\n"
              << "submit: sbatch " << script.string() << "\n"
              << "merge:  anneal-cli merge " << (dir / "shards").string() << "/*.db --db lab.db\n";
}

int runLocal(const SweepPlan& plan, const SweepOpts& o, const Context& ctx) {
    const std::string db = ctx.dbPath();
    GpuSlots gpus(o.gpus.empty() ? std::vector<std::string>{} : parseGpuList(o.gpus));
    if (gpus.enabled() && o.jobs > gpus.size()) {
        throw CLI::ValidationError("--jobs", std::to_string(o.jobs) + " runs at a time need " +
                                                 std::to_string(o.jobs) + " GPUs, but --gpus lists " +
                                                 std::to_string(gpus.size()) +
                                                 " (each running run gets a GPU of its own)");
    }
    // With --gpus, as many runs at a time as GPUs unless --jobs says fewer.
    const int jobs = o.jobs > 0 ? o.jobs : (gpus.enabled() ? gpus.size() : plan.resources.jobs);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads =
        o.threads > 0 ? o.threads
                      : (plan.resources.threads > 0 ? plan.resources.threads : std::max(1, cores / jobs));
    std::vector<Unit> units;
    for (const auto& r : plan.runs) {
        if (o.only >= 0 && r.index != o.only) {
            continue;
        }
        Unit u;
        u.run = r.index;
        u.label = r.label;
        units.push_back(u);
    }
    if (o.only >= 0 && units.empty()) {
        throw Error(ErrorCode::InvalidInput, "the plan has no run " + std::to_string(o.only), "--only",
                    "0.." + std::to_string(plan.runs.size() - 1));
    }
    // Branch units are added when their parent completes.
    std::vector<size_t> ready;
    for (size_t i = 0; i < units.size(); ++i) {
        ready.push_back(i);
    }
    std::vector<Child> running;
    int dryRunStarted = 0;
    const std::string exe = selfPath();
    g_sweepInterrupts = 0;
    std::signal(SIGINT, onSweepSignal);
    std::signal(SIGTERM, onSweepSignal);
    auto addBranches = [&](size_t parentUnit) {
        for (size_t b = 0; b < plan.branches.size(); ++b) {
            if (!branchApplies(plan.branches[b], plan.runs[static_cast<size_t>(units[parentUnit].run)])) {
                continue;
            }
            Unit u;
            u.run = units[parentUnit].run;
            u.branch = static_cast<int>(b);
            u.label = units[parentUnit].label + "/" + plan.branches[b].name;
            units.push_back(u);
            units.back().message = std::to_string(units[parentUnit].runId);  // parent id until it starts
            ready.push_back(units.size() - 1);
        }
    };
    auto startUnit = [&](size_t k) -> bool {
        Unit& u = units[k];
        auto store = Store::open(db);
        std::optional<std::int64_t> parentId;
        if (u.branch >= 0) {
            parentId = std::stoll(u.message);
        }
        const auto existing = findRun(*store, plan.name, u.label, parentId);
        std::vector<std::string> args = {exe};
        if (existing && existing->status == RunStatus::Completed) {
            u.runId = existing->id;
            u.status = "completed";
            u.message = "already done";
            return false;
        }
        if (existing && existing->status == RunStatus::Running) {
            u.runId = existing->id;
            u.status = "running elsewhere";
            return false;
        }
        if (existing) {
            args.insert(args.end(), {"resume", std::to_string(existing->id)});
        } else if (u.branch < 0) {
            args.insert(args.end(), {"run", plan.basePath, "--group", plan.name, "--name", u.label});
            for (const auto& ov : plan.runs[static_cast<size_t>(u.run)].overrides) {
                args.insert(args.end(), {"--set", ov});
            }
            args.insert(args.end(), {"--set", "train.threads=" + std::to_string(threads)});
        } else {
            const PlannedBranch& b = plan.branches[static_cast<size_t>(u.branch)];
            args.insert(args.end(), {"branch", std::to_string(*parentId), "--at-step",
                                     std::to_string(b.atStep), "--name", u.label});
            for (const auto& ov : b.overrides) {
                args.insert(args.end(), {"--set", ov});
            }
        }
        args.insert(args.end(), {"--db", db, "--quiet", "--json"});
        if (o.dryRun) {
            // Nothing runs, so show the GPUs as runs of equal length would take them: in turn.
            std::string line = gpus.enabled() ? "CUDA_VISIBLE_DEVICES=" + gpus.inTurn(dryRunStarted++) : "";
            for (const auto& a : args) {
                line += (line.empty() ? "" : " ") + a;
            }
            std::cout << line << "\n";
            u.status = "dry run";
            return false;
        }
        char tmpl[] = "/tmp/anneal-sweep-XXXXXX";
        const int fd = mkstemp(tmpl);
        if (fd >= 0) {
            close(fd);
        }
        u.gpu = gpus.enabled() ? gpus.acquire().value() : std::string();  // jobs <= GPUs: one is free
        running.push_back({spawnRun(args, tmpl, u.gpu), k, tmpl, u.gpu});
        u.status = "running";
        return true;
    };
    auto finishChild = [&](const Child& c, int waitStatus) {
        Unit& u = units[c.unit];
        gpus.release(c.gpu);
        std::string out;
        try {
            out = readTextFile(c.outFile);
        } catch (const Error&) {
        }
        std::remove(c.outFile.c_str());
        try {
            const auto j = nlohmann::json::parse(out.substr(0, out.find('\n')));
            u.runId = j.value("run_id", std::int64_t{0});
            u.status = j.value("status", std::string("failed"));
            u.message = j.value("message", std::string());
        } catch (const std::exception&) {
            u.status = "failed";
            u.message =
                "the run process exited with status " +
                std::to_string(WIFEXITED(waitStatus) ? WEXITSTATUS(waitStatus) : 128 + WTERMSIG(waitStatus)) +
                " before printing its result (see its stderr above)";
        }
    };
    // On a terminal: one bar over the sweep's runs (branches join the total once their parent
    // completes); the runs themselves are quiet children.
    ProgressBar bar("sweep " + plan.name, stderrIsTty() && !o.json);
    auto showProgress = [&] {
        const auto finished = std::count_if(units.begin(), units.end(), [](const auto& u) {
            return u.status != "pending" && u.status != "running";
        });
        bar.update(finished, static_cast<std::int64_t>(units.size()),
                   std::to_string(running.size()) + " running");
    };
    while (!ready.empty() || !running.empty()) {
        while (!ready.empty() && static_cast<int>(running.size()) < jobs && g_sweepInterrupts == 0) {
            const size_t k = ready.front();
            ready.erase(ready.begin());
            if (!startUnit(k) && units[k].status == "completed" && units[k].branch < 0) {
                addBranches(k);
            }
        }
        if (running.empty()) {
            if (g_sweepInterrupts > 0) {
                break;
            }
            continue;
        }
        showProgress();
        int st = 0;
        const pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR) {
                for (const auto& c : running) {
                    kill(c.pid, SIGINT);  // each run stops after its step and writes a checkpoint
                }
                continue;
            }
            break;
        }
        for (size_t i = 0; i < running.size(); ++i) {
            if (running[i].pid == pid) {
                const Child c = running[i];
                running.erase(running.begin() + static_cast<long>(i));
                finishChild(c, st);
                if (units[c.unit].status == "completed" && units[c.unit].branch < 0) {
                    addBranches(c.unit);
                }
                bar.clear();
                if (!o.json) {
                    std::cerr << "sweep " << plan.name << ": " << units[c.unit].label << ": "
                              << units[c.unit].status
                              << (units[c.unit].runId ? " (run " + std::to_string(units[c.unit].runId) + ")"
                                                      : "")
                              << (c.gpu.empty() ? "" : " on GPU " + c.gpu)
                              << (units[c.unit].message.empty() ? "" : ": " + units[c.unit].message) << "\n";
                }
                break;
            }
        }
    }
    bar.clear();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    int done = 0;
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& u : units) {
        done += u.status == "completed";
        arr.push_back(
            {{"index", u.run},
             {"branch", u.branch < 0 ? nlohmann::json(nullptr)
                                     : nlohmann::json(plan.branches[static_cast<size_t>(u.branch)].name)},
             {"label", u.label},
             {"run_id", u.runId},
             {"status", u.status},
             {"gpu", u.gpu.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.gpu)}});
    }
    if (o.json) {
        std::cout << nlohmann::json{{"group", plan.name}, {"db", db}, {"runs", arr}}.dump() << std::endl;
    } else if (!o.dryRun) {
        std::cerr << "sweep " << plan.name << ": " << done << "/" << units.size() << " completed\n";
    }
    if (g_sweepInterrupts > 0) {
        return kExitInterrupted;
    }
    return o.dryRun || done == static_cast<int>(units.size()) ? kExitOk : kExitError;
}

}  // namespace

void addSweepCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<SweepOpts>();
    CLI::App* s =
        app.add_subcommand("sweep", "Run a sweep plan: locally (resumable), or as a Slurm array job");
    s->add_option("PLAN", o->plan, "Sweep plan (TOML, docs/SWEEPS.md)")->required()->check(CLI::ExistingFile);
    s->add_option("--jobs", o->jobs, "Runs at a time (default: the plan's resources.jobs)")
        ->check(CLI::Range(1, 1024));
    s->add_option("--threads", o->threads, "Torch threads per run (default: cores / jobs)")
        ->check(CLI::Range(1, 1024));
    s->add_option("--only", o->only, "Only this planned run (by index) and its branches");
    s->add_option("--gpus", o->gpus,
                  "GPUs for the runs, e.g. 0,1,2,3: each running run gets one that no other running run has "
                  "(CUDA_VISIBLE_DEVICES); runs at a time default to their number")
        ->type_name("LIST")
        ->check([](const std::string& v) { return gpuListError(v); });
    s->add_option("--slurm", o->slurm,
                  "Write DIR/sweep.sbatch (one array task per run, a database shard each)");
    s->add_flag("--dry-run", o->dryRun, "Print the commands instead of running them");
    s->add_flag("--json", o->json, "Print one JSON object with every run's status");
    s->footer(
        "Completed runs are skipped and interrupted ones resumed, so re-running a sweep finishes it.\n"
        "All runs belong to the plan's group (fit them with: anneal-cli fit --law chinchilla --group NAME).\n"
        "Examples:\n"
        "  anneal-cli sweep resources/studies/wsd-cooldown/plan.toml --db lab.db --jobs 2\n"
        "  anneal-cli sweep plan.toml --db lab.db --gpus 0,1,2,3\n"
        "  anneal-cli sweep plan.toml --slurm /scratch/sweep1 && sbatch /scratch/sweep1/sweep.sbatch\n"
        "  anneal-cli merge /scratch/sweep1/shards/*.db --db lab.db");
    s->callback([o, &ctx] {
        const SweepPlan plan = loadSweepPlan(o->plan);
        if (!o->slurm.empty()) {
            writeSlurm(plan, o->slurm);
            return;
        }
        ctx.exitCode = runLocal(plan, *o, ctx);
    });

    CLI::App* m =
        app.add_subcommand("merge", "Merge database shards (e.g. from a Slurm sweep) into one database");
    m->add_option("SHARD", o->shards, "Shard databases")->required()->check(CLI::ExistingFile);
    m->add_flag("--json", o->json, "Print what was merged as JSON");
    m->footer(
        "Runs keep their uuids: merging a shard twice adds nothing.\nExample:\n  anneal-cli merge "
        "shards/*.db --db lab.db");
    m->callback([o, &ctx] {
        auto store = Store::open(ctx.dbPath());
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& shard : o->shards) {
            const MergeStats st = store->mergeFrom(shard);
            arr.push_back({{"shard", shard},
                           {"runs_added", st.runsAdded},
                           {"runs_skipped", st.runsSkipped},
                           {"metric_rows", st.metricRows},
                           {"fits_added", st.fitsAdded}});
            if (!o->json) {
                std::cerr << shard << ": " << st.runsAdded << " runs added, " << st.runsSkipped
                          << " already present, " << st.metricRows << " metric rows, " << st.fitsAdded
                          << " fits\n";
            }
        }
        if (o->json) {
            std::cout << arr.dump() << std::endl;
        }
    });
}

}  // namespace anneal::cli
