// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli weights: the per-sample weights a run stored, one sample's history, or per-step stats.
#include <cmath>
#include <iostream>

#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/store.h"
#include "cli_context.h"

namespace anneal::cli {

namespace {

std::string domainName(const RunRecord& r, int d) {
    return d >= 0 && static_cast<size_t>(d) < r.domains.size() ? r.domains[static_cast<size_t>(d)].name
                                                               : std::to_string(d);
}

int domainIndex(const RunRecord& r, const std::string& name) {
    std::string list;
    for (size_t i = 0; i < r.domains.size(); ++i) {
        if (r.domains[i].name == name) {
            return static_cast<int>(i);
        }
        list += (list.empty() ? "" : " | ") + r.domains[i].name;
    }
    throw Error(ErrorCode::InvalidInput, "run " + std::to_string(r.id) + " has no domain \"" + name + "\"",
                "--domain", list);
}

void printWeights(const RunRecord& run, const std::vector<SampleWeight>& rows, const std::string& format) {
    if (format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& w : rows) {
            arr.push_back({{"sample_id", w.sampleId},
                           {"domain", domainName(run, w.domain)},
                           {"step", w.step},
                           {"loss", jsonNumber(w.loss)},
                           {"weight", jsonNumber(w.weight)},
                           {"noisy", w.noisy}});
        }
        std::cout << arr.dump() << std::endl;
        return;
    }
    std::string out = "sample_id,domain,step,loss,weight,noisy\n";
    for (const auto& w : rows) {
        out += std::to_string(w.sampleId) + "," + domainName(run, w.domain) + "," + std::to_string(w.step) +
               "," + csvNumber(w.loss) + "," + csvNumber(w.weight) + "," + (w.noisy ? "1" : "0") + "\n";
    }
    std::cout << out << std::flush;
}

}  // namespace

void addWeightsCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::int64_t runId = 0;
        std::int64_t step = -1;
        std::string domain;
        std::string format = "csv";
        bool summary = false;
        std::uint64_t sample = 0;
        bool hasSample = false;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* w =
        app.add_subcommand("weights", "Per-sample weights a run stored (every log.weights_every steps)");
    w->add_option("RUN_ID", o->runId, "Run id")->required();
    w->add_option("--step", o->step, "Only samples trained on at this step (default: every stored sample)");
    w->add_option("--domain", o->domain, "Only samples of this domain");
    auto* sampleOpt = w->add_option("--sample", o->sample, "History of one sample id");
    auto* format =
        w->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"csv", "json"}));
    w->add_flag("--json", o->json, "Same as --format json")->excludes(format);
    w->add_flag("--summary", o->summary,
                "Per snapshot and domain: count, mean, std, quantiles, gradient share");
    w->footer(
        "Weights are relative to plain averaging (1.0 = the weight without reweighting).\n"
        "Columns: sample_id,domain,step,loss,weight,noisy (noisy = planted label noise).\n"
        "Examples:\n  anneal-cli weights 4 --step 1200 --domain web\n  anneal-cli weights 4 --sample "
        "281474976710721\n"
        "  anneal-cli weights 4 --summary --format json");
    w->callback([o, &ctx, sampleOpt] {
        if (o->json) {
            o->format = "json";
        }
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        const RunRecord run = store->run(o->runId);
        const int domain = o->domain.empty() ? -1 : domainIndex(run, o->domain);
        if (o->summary) {
            const auto rows = store->weightStats(o->runId);
            if (o->format == "json") {
                nlohmann::json arr = nlohmann::json::array();
                for (const auto& s : rows) {
                    if (domain >= 0 && s.domain != domain) {
                        continue;
                    }
                    arr.push_back({{"step", s.step},
                                   {"domain", s.domain < 0 ? "all" : domainName(run, s.domain)},
                                   {"count", s.count},
                                   {"mean", jsonNumber(s.mean)},
                                   {"std", jsonNumber(s.std)},
                                   {"min", jsonNumber(s.min)},
                                   {"q05", jsonNumber(s.q05)},
                                   {"q25", jsonNumber(s.q25)},
                                   {"median", jsonNumber(s.q50)},
                                   {"q75", jsonNumber(s.q75)},
                                   {"q95", jsonNumber(s.q95)},
                                   {"max", jsonNumber(s.max)},
                                   {"grad_share", jsonNumber(s.share)},
                                   {"loss_mean", jsonNumber(s.lossMean)},
                                   {"noisy_count", s.noisyCount},
                                   {"noisy_mean_weight", jsonNumber(s.noisyMean)}});
                }
                std::cout << arr.dump() << std::endl;
                return;
            }
            std::string out =
                "step,domain,count,mean,std,min,q05,q25,median,q75,q95,max,grad_share,loss_mean,noisy_count,"
                "noisy_mean_weight\n";
            for (const auto& s : rows) {
                if (domain >= 0 && s.domain != domain) {
                    continue;
                }
                out += std::to_string(s.step) + "," + (s.domain < 0 ? "all" : domainName(run, s.domain)) +
                       "," + std::to_string(s.count);
                for (double v :
                     {s.mean, s.std, s.min, s.q05, s.q25, s.q50, s.q75, s.q95, s.max, s.share, s.lossMean}) {
                    out += "," + csvNumber(v);
                }
                out += "," + std::to_string(s.noisyCount) + "," + csvNumber(s.noisyMean) + "\n";
            }
            std::cout << out << std::flush;
            return;
        }
        std::vector<SampleWeight> rows;
        if (sampleOpt->count() > 0) {
            rows = store->sampleWeightHistory(o->runId, o->sample);
        } else if (o->step >= 0) {
            rows = store->weightsAtStep(o->runId, o->step);
        } else {
            for (std::int64_t s : store->weightSnapshotSteps(o->runId)) {
                auto part = store->weightSnapshot(o->runId, s);
                rows.insert(rows.end(), part.begin(), part.end());
            }
            std::stable_sort(rows.begin(), rows.end(),
                             [](const SampleWeight& a, const SampleWeight& b) { return a.step < b.step; });
        }
        if (domain >= 0) {
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [&](const SampleWeight& x) { return x.domain != domain; }),
                       rows.end());
        }
        printWeights(run, rows, o->format);
    });
}

}  // namespace anneal::cli
