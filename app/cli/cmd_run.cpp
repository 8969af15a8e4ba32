// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli run | resume | branch: start a run, continue one, or branch one from a checkpoint.
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "cli_context.h"
#include "progress.h"

namespace anneal::cli {

namespace {

std::atomic<int> g_interrupts{0};

void onSignal(int) { g_interrupts.fetch_add(1); }

struct RunOptions {
    std::string spec;
    std::vector<std::string> sets, unsets;
    std::string name;
    std::string group;
    bool json = false;
    bool quiet = false;
    std::int64_t runId = 0;
    std::int64_t atStep = -1;
};

/// Drives a session to its end: progress on a terminal, Ctrl-C stops the run cleanly (a second
/// Ctrl-C leaves at once), a JSON summary with --json. Returns the exit code.
int drive(RunSession& session, const std::string& dbPath, const RunOptions& opt) {
    auto queue = std::make_shared<EventQueue>(1 << 16);
    session.bus()->subscribe(queue);
    g_interrupts = 0;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    session.start();
    const std::int64_t total = session.spec().train.steps;
    ProgressBar bar("run " + std::to_string(session.runId()), !opt.quiet && stderrIsTty());
    // Before step 0 of a resumed run: training a tokenizer, tokenising (cached: only the first run of
    // a corpus is slow). A new run or a branch built its data in launch/branch already.
    PrepareProgress prepare(opt.quiet, stderrIsTty());
    double lastLoss = std::nan(""), lastVal = std::nan("");
    std::int64_t lastStep = session.startStep();
    std::string message;
    RunStatus status = RunStatus::Running;
    bool stopSent = false;
    std::string storageError;
    std::vector<Event> events;
    while (true) {
        events.clear();
        queue->drain(events, std::chrono::milliseconds(100));
        for (const Event& e : events) {
            if (const auto* p = std::get_if<PrepareEvent>(&e.payload)) {
                prepare.update(p->stage, p->done, p->total);
            } else if (const auto* s = std::get_if<StepEvent>(&e.payload)) {
                prepare.finish();
                lastLoss = s->trainLoss;
                lastStep = s->step + 1;
                char extra[96];
                std::snprintf(extra, sizeof extra, "loss %.4f  %.0f tok/s", s->trainLoss, s->tokensPerSecond);
                bar.update(lastStep, total, extra);
            } else if (const auto* v = std::get_if<EvalEvent>(&e.payload)) {
                lastVal = v->meanLoss;
            } else if (const auto* st = std::get_if<StatusEvent>(&e.payload)) {
                status = st->status;
                message = st->message;
            } else if (const auto* n = std::get_if<NoticeEvent>(&e.payload)) {
                if (!opt.quiet && n->kind != "spike") {
                    bar.finish();
                    std::cerr << "anneal-cli: step " << n->step << ": " << n->message << "\n";
                }
            }
        }
        if (g_interrupts > 0 && !stopSent) {
            bar.finish();
            std::cerr << "anneal-cli: stopping after the current step (Ctrl-C again to quit now)\n";
            session.stop();
            stopSent = true;
        }
        if (g_interrupts > 1) {
            std::_Exit(kExitInterrupted);
        }
        // The store writer gave up on a batch (disk full, database locked for minutes): stop rather
        // than train on without storing anything. The stop's checkpoint, when it can be written,
        // keeps the run resumable once the database can take writes again.
        if (!stopSent) {
            const StoreWriterStats ws = session.writerStats();
            if (ws.eventsLost > 0) {
                bar.finish();
                storageError = "the database cannot store this run's events (" + ws.lastError + ")";
                std::cerr << "anneal-cli: error: " << dbPath << ": " << storageError
                          << "; stopping the run\n";
                session.stop();
                stopSent = true;
            }
        }
        if (session.run().finished() && queue->size() == 0) {
            break;
        }
    }
    session.wait();
    bar.finish();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    status = session.run().status();
    const StoreWriterStats ws = session.writerStats();
    if (ws.eventsLost > 0) {
        std::cerr << "anneal-cli: warning: " << ws.eventsLost
                  << " events could not be stored: " << ws.lastError << "\n";
    }
    if (!storageError.empty() && status != RunStatus::Completed) {
        status = RunStatus::Failed;  // stopped by storage, not by the user
        message = storageError +
                  (message.empty() || message.rfind("stopped by the user", 0) == 0 ? "" : "; " + message);
        try {  // record why, if the database takes writes again (else it reads as interrupted)
            Store::open(dbPath)->setRunStatus(session.runId(), RunStatus::Failed, message,
                                              session.run().stepsDone());
        } catch (const Error&) {
        }
    }
    if (opt.json) {
        nlohmann::json j;
        j["run_id"] = session.runId();
        j["status"] = runStatusName(status);
        j["steps"] = session.run().stepsDone();
        j["start_step"] = session.startStep();
        j["steps_total"] = total;
        j["final_train_loss"] = jsonNumber(lastLoss);
        j["final_val_loss"] = jsonNumber(lastVal);
        j["tokens"] =
            session.run().stepsDone() * session.spec().data.batchSize * session.spec().model.context;
        j["db"] = dbPath;
        j["message"] = message;
        j["events_lost"] = ws.eventsLost;
        // Transactions the store writer had to retry (database busy past its timeout, disk full...)
        // and the last such error: 0 and "" on a healthy database.
        j["store_retries"] = ws.retries;
        j["store_error"] = ws.lastError;
        std::cout << j.dump() << std::endl;
    } else if (!opt.quiet) {
        std::cerr << "run " << session.runId() << " " << runStatusName(status) << " after "
                  << session.run().stepsDone() << " steps";
        if (std::isfinite(lastLoss)) {
            std::cerr << ", train loss " << lastLoss;
        }
        if (std::isfinite(lastVal)) {
            std::cerr << ", val loss " << lastVal;
        }
        std::cerr << (message.empty() ? "" : ": " + message) << "\n";
    }
    if (status == RunStatus::Completed) {
        return ws.eventsLost > 0 ? kExitError : kExitOk;
    }
    if (status == RunStatus::Stopped) {
        return kExitInterrupted;
    }
    if (!opt.json && opt.quiet) {
        std::cerr << "anneal-cli: run " << session.runId() << " " << runStatusName(status) << ": " << message
                  << "\n";
    }
    return kExitError;
}

}  // namespace

void addRunCommands(CLI::App& app, Context& ctx) {
    auto opt = std::make_shared<RunOptions>();

    CLI::App* run = app.add_subcommand("run", "Train an experiment file and store the run");
    run->add_option("SPEC", opt->spec, "Experiment file (TOML)")->required()->check(CLI::ExistingFile);
    addOverrideOptions(run, opt->sets, opt->unsets);
    run->add_option("--name", opt->name, "Run name (default: the experiment's name)");
    run->add_option("--group", opt->group, "Sweep group the run belongs to");
    run->add_flag("--json", opt->json, "Print one JSON object when the run ends");
    run->add_flag("-q,--quiet", opt->quiet, "No progress or summary");
    run->footer(
        "Examples:\n"
        "  anneal-cli run resources/experiments/default.toml --db /tmp/a.db --set train.steps=200 --json\n"
        "  anneal-cli run wsd.toml --set schedule.decay_fraction=0.2 --set seed=3 --name wsd-20");
    run->callback([opt, &ctx] {
        LaunchRequest req;
        req.dbPath = ctx.dbPath();
        req.specText = readTextFile(opt->spec);
        req.origin = opt->spec;
        req.overrides = collectOverrides(opt->sets, opt->unsets);
        req.name = opt->name;
        req.group = opt->group;
        PrepareProgress prepare(opt->quiet, stderrIsTty());
        req.progress = prepare.callback();
        auto session = RunSession::launch(req);
        prepare.finish();
        ctx.exitCode = drive(*session, req.dbPath, *opt);
    });

    CLI::App* resume = app.add_subcommand(
        "resume", "Continue an interrupted, stopped or failed run from its last checkpoint");
    resume->add_option("RUN_ID", opt->runId, "Run id (see `anneal-cli runs`)")->required();
    resume->add_flag("--json", opt->json, "Print one JSON object when the run ends");
    resume->add_flag("-q,--quiet", opt->quiet, "No progress or summary");
    resume->footer("Example:\n  anneal-cli resume 12 --db runs.db");
    resume->callback([opt, &ctx] {
        auto session = RunSession::resume(ctx.dbPath(), opt->runId);
        if (!opt->quiet) {
            // Say where it continues, and whether newer checkpoints had to be skipped (a checkpoint
            // file cut short or damaged is never used).
            std::string skipped;
            for (const auto& c : Store::open(ctx.dbPath(), Store::Mode::ReadOnly)->checkpoints(opt->runId)) {
                if (c.step > session->startStep()) {
                    skipped += (skipped.empty() ? "" : ", ") + std::to_string(c.step);
                }
            }
            std::cerr << "anneal-cli: resuming run " << opt->runId << " at step " << session->startStep()
                      << (session->startStep() > 0 ? " from its checkpoint"
                                                   : " from the start (no usable checkpoint)")
                      << (skipped.empty() ? "" : "; skipped the unusable checkpoint(s) at step " + skipped)
                      << "\n";
        }
        ctx.exitCode = drive(*session, ctx.dbPath(), *opt);
    });

    CLI::App* branch =
        app.add_subcommand("branch", "Start a new run from a run's checkpoint (e.g. a WSD cooldown)");
    branch->add_option("RUN_ID", opt->runId, "Parent run id")->required();
    branch->add_option("--at-step", opt->atStep, "Step of the parent's checkpoint to branch from")
        ->required();
    addOverrideOptions(branch, opt->sets, opt->unsets);
    branch->add_option("--name", opt->name, "Run name (default: <parent>@<step>)");
    branch->add_flag("--json", opt->json, "Print one JSON object when the run ends");
    branch->add_flag("-q,--quiet", opt->quiet, "No progress or summary");
    branch->footer(
        "Example (a 20% linear cooldown from the stable phase of a 10000-step WSD run):\n"
        "  anneal-cli branch 7 --at-step 8000 --set schedule.decay_fraction=0.2 --name cooldown-20");
    branch->callback([opt, &ctx] {
        PrepareProgress prepare(opt->quiet, stderrIsTty());
        auto session =
            RunSession::branch(ctx.dbPath(), opt->runId, opt->atStep,
                               collectOverrides(opt->sets, opt->unsets), opt->name, prepare.callback());
        prepare.finish();
        ctx.exitCode = drive(*session, ctx.dbPath(), *opt);
    });
}

}  // namespace anneal::cli
