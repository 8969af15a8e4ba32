// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli data inspect: what each domain of an experiment reads (files, documents, bytes,
// tokens, the train/validation split) and a few of its training windows, decoded.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "cli_context.h"
#include "progress.h"

namespace anneal::cli {

namespace {
struct Window {
    std::uint64_t id;
    std::vector<Token> tokens;
};
}  // namespace

void addDataCommands(CLI::App& app, Context& /*ctx*/) {
    struct Opts {
        std::string spec;
        std::vector<std::string> sets, unsets;
        bool json = false;
        int samples = 3;
    };
    auto o = std::make_shared<Opts>();

    CLI::App* data =
        app.add_subcommand("data", "Inspect an experiment's data (files, documents, split, samples)");
    data->require_subcommand(1);
    data->footer("Example:\n  anneal-cli data inspect resources/experiments/licenses-text.toml --samples 2");
    CLI::App* inspect = data->add_subcommand(
        "inspect",
        "Per domain: files, documents, bytes, tokens, train/validation split and decoded sample windows");
    inspect->add_option("SPEC", o->spec, "Experiment file (TOML)")->required()->check(CLI::ExistingFile);
    addOverrideOptions(inspect, o->sets, o->unsets);
    inspect->add_flag("--json", o->json, "Print the summary as JSON (windows as text and as token ids)");
    inspect->add_option("--samples", o->samples, "Training windows to decode per domain (default 3)")
        ->check(CLI::Range(0, 1000));
    inspect->footer(
        "Windows are the first training samples of each domain as a run with this seed draws them, shown "
        "with\n"
        "their sample ids (anneal-cli weights can show them again). Escapes: \\n, \\t, \\xNN, \\u{...}; "
        "\u27E8eod\u27E9 is\n"
        "the end-of-document token that joins the documents of real text.\n"
        "Example:\n  anneal-cli data inspect my.toml --samples 5 --json");
    inspect->callback([o] {
        const ExperimentSpec spec = loadExperiment(o->spec, collectOverrides(o->sets, o->unsets));
        ProgressBar bar("data", stderrIsTty() && !o->json);  // training a tokenizer, tokenising
        const Dataset ds(spec, [&bar](const std::string& stage, std::int64_t done, std::int64_t total) {
            bar.update(done, total, stage);
        });
        bar.finish();
        MixtureSampler sampler(spec, ds);
        nlohmann::json out = nlohmann::json::array();
        for (int d = 0; d < ds.domainCount(); ++d) {
            const DomainSpec& dom = ds.domain(d);
            const CorpusStats* c = ds.source(d).corpus();
            std::vector<Window> windows;
            for (int k = 0; k < o->samples; ++k) {
                Window w{makeSampleId(d, sampler.indexOf(d, static_cast<std::uint64_t>(k))), {}};
                w.tokens.resize(static_cast<size_t>(ds.sampleLength()));
                ds.fill(w.id, w.tokens.data());
                windows.push_back(std::move(w));
            }
            const bool real = c != nullptr;
            if (o->json) {
                nlohmann::json j{{"name", dom.name},
                                 {"source", dom.source},
                                 {"description", ds.source(d).description()},
                                 {"entropy_rate", jsonNumber(ds.source(d).entropyRate())}};
                if (c) {
                    j["files"] = c->files;
                    j["documents"] = c->documents;
                    j["bytes"] = c->bytes;
                    j["tokens"] = c->tokens;
                    j["train_documents"] = c->trainDocuments;
                    j["validation_documents"] = c->valDocuments;
                    j["train_tokens"] = c->trainTokens;
                    j["validation_tokens"] = c->valTokens;
                }
                nlohmann::json ws = nlohmann::json::array();
                for (const auto& w : windows) {
                    ws.push_back({{"id", w.id},
                                  {"noisy", ds.isNoisy(w.id)},
                                  {"text", ds.decodeForDisplay(w.tokens.data(),
                                                               static_cast<int>(w.tokens.size()), real)},
                                  {"tokens", w.tokens}});
                }
                j["samples"] = ws;
                out.push_back(j);
                continue;
            }
            std::printf("domain %s  (%s)\n", dom.name.c_str(), dom.source.c_str());
            std::printf("  %s\n", ds.source(d).description().c_str());
            if (c) {
                std::printf("  files       %zu\n", c->files.size());
                for (size_t f = 0; f < c->files.size() && f < 5; ++f) {
                    std::printf("                %s\n",
                                escapeSampleText(reinterpret_cast<const std::uint8_t*>(c->files[f].data()),
                                                 static_cast<int>(c->files[f].size()), false)
                                    .c_str());
                }
                if (c->files.size() > 5) {
                    std::printf("                ... and %zu more\n", c->files.size() - 5);
                }
                std::printf("  documents   %lld (train %lld, validation %lld)\n",
                            static_cast<long long>(c->documents), static_cast<long long>(c->trainDocuments),
                            static_cast<long long>(c->valDocuments));
                std::printf("  bytes       %lld\n", static_cast<long long>(c->bytes));
                std::printf("  tokens      %lld (train %lld, validation %lld)\n",
                            static_cast<long long>(c->tokens), static_cast<long long>(c->trainTokens),
                            static_cast<long long>(c->valTokens));
                std::printf("  floor       unknown (real data)\n");
            } else {
                std::printf("  generated   no files; entropy rate %.4f nats/token\n",
                            ds.source(d).entropyRate());
            }
            for (const auto& w : windows) {
                std::printf(
                    "  sample %llu%s: %s\n", static_cast<unsigned long long>(w.id),
                    ds.isNoisy(w.id) ? " (noisy)" : "",
                    ds.decodeForDisplay(w.tokens.data(), static_cast<int>(w.tokens.size()), real).c_str());
            }
        }
        if (o->json) {
            std::cout << out.dump(2) << std::endl;
        }
    });
}

}  // namespace anneal::cli
