// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli corpus prepare: the multi-domain real-text corpus from Debian packages
// (anneal/corpus.h), with progress lines on stderr and the `[[data.domain]]` tables at the end.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "anneal/corpus.h"
#include "anneal/error.h"
#include "cli_context.h"

namespace anneal::cli {

namespace {
std::atomic<bool> g_cancel{false};
extern "C" void onInterrupt(int) { g_cancel = true; }
}  // namespace

void addCorpusCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::string out, debs, domains;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* corpus = app.add_subcommand("corpus", "Build a ready real-text corpus from Debian packages");
    corpus->require_subcommand(1);
    corpus->footer("Example:\n  anneal-cli corpus prepare --domains prose,code");
    std::ostringstream domains;
    for (const auto& p : corpusPackages()) {
        domains << "  " << p.domain << std::string(p.domain.size() < 10 ? 10 - p.domain.size() : 1, ' ')
                << p.package << ": " << p.takes << "\n";
    }
    CLI::App* prepare = corpus->add_subcommand(
        "prepare",
        "Download (apt-get download, no root) and extract (dpkg-deb -x) the corpus packages into the corpus "
        "directory, with a manifest (domain, package, version, licence, sha256, bytes per file)");
    prepare
        ->add_option("--out", o->out,
                     "Corpus directory (default: $ANNEAL_CORPUS, else "
                     "$XDG_DATA_HOME/anneal/corpus)")
        ->type_name("DIR");
    prepare->add_option("--domains", o->domains, "Comma-separated domains to prepare (default: all)")
        ->type_name("A,B");
    prepare->add_option("--debs", o->debs, "Take PACKAGE_*.deb from DIR instead of downloading")
        ->type_name("DIR")
        ->check(CLI::ExistingDirectory);
    prepare->add_flag("--json", o->json, "Print the result (directory, bytes per domain, files) as JSON");
    prepare->footer("Domains and packages:\n" + domains.str() +
                    "Re-running skips packages whose files match the manifest. Experiment files name the "
                    "corpus\nas ${ANNEAL_CORPUS} in a source's path (docs/DATA.md).\n"
                    "Examples:\n  anneal-cli corpus prepare\n"
                    "  anneal-cli corpus prepare --domains prose,code --out /data/corpus");
    prepare->callback([o, &ctx] {
        CorpusPrepareOptions opt;
        opt.outDir = o->out;
        opt.debsDir = o->debs;
        std::stringstream ss(o->domains);
        for (std::string d; std::getline(ss, d, ',');) {
            d.erase(0, d.find_first_not_of(" \t"));
            d.erase(d.find_last_not_of(" \t") + 1);
            if (!d.empty()) {
                opt.domains.push_back(d);
            }
        }
        g_cancel = false;
        auto previous = std::signal(SIGINT, onInterrupt);
        CorpusPrepareResult r;
        try {
            r = prepareCorpus(
                opt,
                [](const CorpusProgress& p) {
                    if (p.package.empty()) {
                        std::fprintf(stderr, "[%d/%d] %s\n", p.done, p.total, p.message.c_str());
                    } else {
                        std::fprintf(stderr, "[%d/%d] %s: %s\n", p.done + 1, p.total, p.package.c_str(),
                                     p.message.c_str());
                    }
                },
                &g_cancel);
        } catch (const Error& e) {
            std::signal(SIGINT, previous);
            if (e.code() == ErrorCode::Cancelled) {
                std::cerr << "anneal-cli: " << e.what() << "\n";
                ctx.exitCode = kExitInterrupted;
                return;
            }
            throw;
        }
        std::signal(SIGINT, previous);
        if (o->json) {
            const nlohmann::json files = nlohmann::json::parse(corpusFilesJson(r.files));
            std::cout << nlohmann::json{{"dir", r.dir},
                                        {"manifest", r.manifest},
                                        {"prepared", r.prepared},
                                        {"skipped", r.skipped},
                                        {"domain_bytes", r.domainBytes},
                                        {"preset", r.preset},
                                        {"snippet", r.snippet},
                                        {"files", files}}
                             .dump(2)
                      << std::endl;
            return;
        }
        std::printf("corpus   %s\nmanifest %s\npackages %d prepared, %d already there\n", r.dir.c_str(),
                    r.manifest.c_str(), r.prepared, r.skipped);
        for (const auto& [d, b] : r.domainBytes) {
            std::printf("  %-10s %lld bytes\n", d.c_str(), static_cast<long long>(b));
        }
        std::printf("\nThe preset %s trains on it (anneal-cli run %s).\n", r.preset.c_str(),
                    r.preset.c_str());
        if (r.snippet.find("${ANNEAL_CORPUS}") == std::string::npos) {
            std::printf("It reads ${ANNEAL_CORPUS}: set ANNEAL_CORPUS=%s for it to find this directory.\n",
                        r.dir.c_str());
        }
        std::printf("Or add these domains to an experiment:\n\n%s", r.snippet.c_str());
    });
}

}  // namespace anneal::cli
