// SPDX-License-Identifier: GPL-3.0-or-later
// bench_train: Anneal's real training loop (anneal::TrainingRun on its own thread, publishing on an
// EventBus; with --log, anneal::RunSession with its StoreWriter, as the CLI and the GUI run it), timed
// from the events it publishes. Per-step times are StepEvent::tokensPerSecond turned back into seconds
// (the time of TrainerCore::step: batch generation, forward, loss, weights, backward, clip, update,
// bookkeeping); loop times are differences of StepEvent::wallSeconds (everything the loop does).
//
//   bench_train step --model default|tiny|gpt2-small [--steps 100] [--warmup 10] [--threads 1]
//                    [--device cpu|cuda] [--batch B] [--shard FILE]
//       one run; prints step_ms_median/p10/p90/mean, params, tokens_per_s, flops_per_s, final_loss and
//       peak_rss_mib (the keys bench/train_step_torch.py prints too). --shard trains on one tokens:
//       domain, a nanoGPT .bin of byte ids (bench/real_data.sh writes a 2 GiB one), memory-mapped.
//   bench_train overheads --model default [--steps 60] [--warmup 10] [--reps 3] [--threads 1]
//                         [--variants none,loss_linupper,...] [--meta-every 1,4]
//       interleaved blocks: in every repetition each variant trains one run of warmup + steps steps, in
//       a rotated order. Reweighting variants (reweight.burnin_steps = 0, so they weigh from step 0) are
//       compared with "none" on the median step time; "log" (log.every = 1, weights every 100 steps,
//       the store writer) with "bare" (no store, no weight snapshots) on the loop time per step.
//       Prints one "rep" line per run and one "ratio" line per variant: median over repetitions and
//       the min..max spread.
#include <filesystem>
#include <map>
#include <unistd.h>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/events.h"
#include "anneal/run_session.h"
#include "anneal/trainer.h"
#include "bench_common.h"

using namespace anneal;

namespace {

ExperimentSpec makeSpec(const std::string& model, std::int64_t steps, int threads,
                        const std::string& device = "cpu", int batch = 0) {
    ExperimentSpec s = parseExperiment(readTextFile(ANNEAL_DEFAULT_EXPERIMENT), "default.toml");
    if (model == "tiny") {
        s.model = ModelSpec{1, 64, 4, 64};
        s.data.batchSize = 8;
    } else if (model == "gpt2-small") {
        s.model = ModelSpec{12, 768, 12, 1024};  // GPT-2 small's shape, byte vocabulary (bench/gpu)
        s.data.batchSize = 8;
    } else if (model != "default") {
        throw std::runtime_error("unknown model " + model + " (default | tiny | gpt2-small)");
    }
    if (batch > 0) {
        s.data.batchSize = batch;
    }
    s.device = device;
    s.train.steps = steps;
    s.train.threads = threads;
    s.data.valEvery = 0;  // validation only after the last step, outside the timed window
    s.log.every = 1;
    s.log.weightsEvery = 0;
    s.log.checkpointEvery = 0;  // a checkpoint only at the end, outside the timed window
    return s;
}

struct RunTimes {
    std::vector<std::int64_t> steps;
    std::vector<double> stepSeconds;  ///< TrainerCore::step of each logged step
    std::vector<double> wall;         ///< StepEvent::wallSeconds
    double finalLoss = 0;
    std::string failure;

    /// Median step time (ms) over logged steps >= warmup.
    double medianStepMs(std::int64_t warmup) const {
        std::vector<double> v;
        for (size_t i = 0; i < steps.size(); ++i) {
            if (steps[i] >= warmup) {
                v.push_back(stepSeconds[i] * 1e3);
            }
        }
        return bench::median(v);
    }
    std::vector<double> stepMs(std::int64_t warmup) const {
        std::vector<double> v;
        for (size_t i = 0; i < steps.size(); ++i) {
            if (steps[i] >= warmup) {
                v.push_back(stepSeconds[i] * 1e3);
            }
        }
        return v;
    }
    /// Loop time per step (ms) from the step event at warmup - 1 to the last one.
    double loopMsPerStep(std::int64_t warmup) const {
        for (size_t i = 0; i < steps.size(); ++i) {
            if (steps[i] == warmup - 1 && !steps.empty()) {
                return (wall.back() - wall[i]) * 1e3 / static_cast<double>(steps.back() - steps[i]);
            }
        }
        return std::nan("");
    }
};

void collect(EventQueue& q, std::int64_t tokensPerStep, RunTimes& out) {
    std::vector<Event> events;
    q.drain(events);
    for (const Event& e : events) {
        if (const auto* s = std::get_if<StepEvent>(&e.payload)) {
            out.steps.push_back(s->step);
            out.stepSeconds.push_back(s->tokensPerSecond > 0
                                          ? static_cast<double>(tokensPerStep) / s->tokensPerSecond
                                          : std::nan(""));
            out.wall.push_back(s->wallSeconds);
            out.finalLoss = s->trainLoss;
        } else if (const auto* st = std::get_if<StatusEvent>(&e.payload)) {
            if (st->status == RunStatus::Failed) {
                out.failure = st->message;
            }
        }
    }
}

/// A run without storage: TrainingRun + EventBus, our queue the only subscriber.
RunTimes runBare(const ExperimentSpec& spec) {
    auto bus = std::make_shared<EventBus>();
    auto q = std::make_shared<EventQueue>(1 << 20);
    bus->subscribe(q);
    RunRequest req;
    req.spec = spec;
    req.runId = 1;
    TrainingRun run(req, bus);
    run.start();
    run.wait();
    RunTimes t;
    collect(*q, static_cast<std::int64_t>(spec.data.batchSize) * spec.model.context, t);
    return t;
}

/// A run as the CLI makes it: RunSession (run row, StoreWriter on its own thread, final checkpoint).
RunTimes runLogged(const ExperimentSpec& spec, const std::string& dbPath) {
    LaunchRequest lr;
    lr.dbPath = dbPath;
    lr.specText = toToml(spec);
    lr.origin = "bench";
    auto session = RunSession::launch(lr);
    auto q = std::make_shared<EventQueue>(1 << 20);
    session->bus()->subscribe(q);
    session->start();
    session->wait();
    RunTimes t;
    collect(*q, static_cast<std::int64_t>(spec.data.batchSize) * spec.model.context, t);
    const StoreWriterStats ws = session->writerStats();
    if (ws.eventsLost > 0) {
        t.failure = "store writer lost events: " + ws.lastError;
    }
    return t;
}

int stepMode(const bench::Args& a) {
    const std::string model = a.str("model", "default");
    const std::int64_t steps = a.num("steps", 100), warmup = a.num("warmup", 10);
    const int threads = static_cast<int>(a.num("threads", 1));
    ExperimentSpec spec =
        makeSpec(model, warmup + steps, threads, a.str("device", "cpu"), static_cast<int>(a.num("batch", 0)));
    const std::string shard = a.str("shard", "");
    if (!shard.empty()) {
        DomainSpec d;
        d.name = "shard";
        d.source = "tokens:" + shard;
        d.params["format"] = std::string("nanogpt");
        spec.data.domains = {d};
        spec.mixture = MixtureSpec{};
    }
    const RunTimes t = runBare(spec);
    if (!t.failure.empty()) {
        std::fprintf(stderr, "bench_train: run failed: %s\n", t.failure.c_str());
        return 1;
    }
    const std::vector<double> ms = t.stepMs(warmup);
    double mean = 0;
    for (double v : ms) {
        mean += v / static_cast<double>(ms.size());
    }
    const double med = bench::median(ms);
    const std::int64_t params = countModelParameters(spec.model);
    const double tps = static_cast<double>(spec.data.batchSize) * spec.model.context / (med / 1e3);
    const ModelInfo mi = modelInfo(spec.model);
    std::printf("model %s n_layer %d d_model %d n_head %d context %d batch %d threads %d device %s\n",
                model.c_str(), spec.model.nLayer, spec.model.dModel, spec.model.nHead, spec.model.context,
                spec.data.batchSize, threads, spec.device.c_str());
    std::printf("step_ms_median %.4f\n", med);
    std::printf("step_ms_p10 %.4f\n", bench::quantile(ms, 0.1));
    std::printf("step_ms_p90 %.4f\n", bench::quantile(ms, 0.9));
    std::printf("step_ms_mean %.4f\n", mean);
    std::printf("loop_ms_per_step %.4f\n", t.loopMsPerStep(warmup));
    std::printf("params %lld\n", static_cast<long long>(params));
    std::printf("tokens_per_s %.1f\n", tps);
    std::printf("flops_per_s %.4e\n", 6.0 * static_cast<double>(params) * tps);
    std::printf("flops_per_s_with_attention %.4e\n", mi.flopsPerToken * tps);
    std::printf("final_loss %.5f\n", t.finalLoss);
    std::printf("peak_rss_mib %.1f\n", bench::peakRssMiB());
    return 0;
}

struct Variant {
    std::string name;
    bool logged = false;  ///< RunSession + store writer
    bool bare = false;    ///< sparse step events, no store: the loop-time baseline
};

ExperimentSpec variantSpec(const ExperimentSpec& base, const std::string& name, std::int64_t warmup) {
    ExperimentSpec s = base;
    s.reweight.burninSteps = 0;
    if (name == "bare") {
        s.log.every = static_cast<int>(warmup);  // events at warmup-1 and the last step bound the window
    } else if (name == "log") {
        s.log.every = 1;
        s.log.weightsEvery = 100;
    } else if (name == "none") {
        s.reweight.strategy = "none";
    } else if (name == "domain_scalarization") {
        s.reweight.strategy = name;
        for (size_t d = 0; d < s.data.domains.size(); ++d) {
            s.reweight.domainWeights[s.data.domains[d].name] = 0.5 + static_cast<double>(d);
        }
    } else if (name.rfind("meta_rescale", 0) == 0) {
        s.reweight.strategy = "meta_rescale";
        const size_t at = name.find("/every=");
        s.reweight.metaEvery = at == std::string::npos ? 1 : std::atoi(name.c_str() + at + 7);
    } else {
        s.reweight.strategy = name;  // loss_linupper | loss_quadratic | loss_extremes
    }
    return s;
}

int overheadsMode(const bench::Args& a) {
    const std::string model = a.str("model", "default");
    const std::int64_t steps = a.num("steps", 60), warmup = a.num("warmup", 10);
    const int reps = static_cast<int>(a.num("reps", 3));
    const int threads = static_cast<int>(a.num("threads", 1));
    std::vector<std::string> names = bench::splitList(
        a.str("variants", "none,loss_linupper,loss_quadratic,loss_extremes,domain_scalarization,bare,log"));
    for (const std::string& k : bench::splitList(a.str("meta-every", ""))) {
        names.push_back("meta_rescale/every=" + k);
    }
    const ExperimentSpec base = makeSpec(model, warmup + steps, threads);
    const auto tmp =
        std::filesystem::temp_directory_path() / ("anneal-bench-train-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    std::map<std::string, std::vector<double>> median, loop;
    std::printf("model %s steps %lld warmup %lld reps %d threads %d\n", model.c_str(),
                static_cast<long long>(steps), static_cast<long long>(warmup), reps, threads);
    for (int r = 0; r < reps; ++r) {
        for (size_t k = 0; k < names.size(); ++k) {
            const std::string& name = names[(k + static_cast<size_t>(r)) % names.size()];  // rotated order
            const ExperimentSpec spec = variantSpec(base, name, warmup);
            const RunTimes t = name == "log"
                                   ? runLogged(spec, (tmp / ("rep" + std::to_string(r) + ".db")).string())
                                   : runBare(spec);
            if (!t.failure.empty()) {
                std::fprintf(stderr, "bench_train: %s failed: %s\n", name.c_str(), t.failure.c_str());
                return 1;
            }
            const double med = name == "bare" ? std::nan("") : t.medianStepMs(warmup);
            const double lp = t.loopMsPerStep(warmup);
            median[name].push_back(med);
            loop[name].push_back(lp);
            std::printf("rep %d %s step_ms_median %.3f loop_ms_per_step %.3f\n", r, name.c_str(), med, lp);
            std::fflush(stdout);
        }
    }
    std::filesystem::remove_all(tmp);
    auto ratios = [&](const std::string& v, const std::string& ref,
                      std::map<std::string, std::vector<double>>& m) {
        std::vector<double> out;
        for (size_t r = 0; r < m[v].size() && r < m[ref].size(); ++r) {
            out.push_back(m[v][r] / m[ref][r]);
        }
        return out;
    };
    for (const std::string& name : names) {
        if (name == "bare" || name == "none") {
            continue;
        }
        const bool isLog = name == "log";
        // meta_rescale with meta_every = k does its extra work on one step in k: the median step misses
        // it, the mean loop time per step does not.
        const bool byLoop = isLog || name.rfind("meta_rescale", 0) == 0;
        auto& m = byLoop ? loop : median;
        const std::string ref = isLog ? "bare" : "none";
        if (m.count(ref) == 0) {
            continue;
        }
        const std::vector<double> rr = ratios(name, ref, m);
        std::printf("ratio %s vs %s %s %.4f spread %s ms %.3f vs %.3f iqr %.4f..%.4f reps %zu\n",
                    name.c_str(), ref.c_str(), byLoop ? "loop_ms_per_step" : "step_ms_median",
                    bench::median(rr), bench::spread(rr, "%.4f").c_str(), bench::median(m[name]),
                    bench::median(m[ref]), bench::quantile(rr, 0.25), bench::quantile(rr, 0.75), rr.size());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s step|overheads [--model default|tiny] [--steps N] [--warmup W] ...\n",
                     argv[0]);
        return 2;
    }
    try {
        const bench::Args a(argc, argv, 2);
        const std::string mode = argv[1];
        if (mode == "step") {
            return stepMode(a);
        }
        if (mode == "overheads") {
            return overheadsMode(a);
        }
        std::fprintf(stderr, "bench_train: unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_train: %s\n", e.what());
        return 1;
    }
}
