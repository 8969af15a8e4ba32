// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli report: a study's report (Markdown, numbers and figures) from a sweep plan and the
// database its runs are in. The analysis lives in the backend (anneal/report.h); figures are drawn by
// anneal-render (the app's plot code, Qt, offscreen), found next to this executable: anneal-cli
// itself stays Qt-free.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <spawn.h>
#include <sys/wait.h>

#include "anneal/error.h"
#include "anneal/report.h"
#include "anneal/store.h"
#include "anneal/sweep.h"
#include "cli_context.h"

extern char** environ;

namespace fs = std::filesystem;

namespace anneal::cli {

namespace {

void writeFile(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
    if (!f.good()) {
        throw Error(ErrorCode::Io, "cannot write " + p.string(), "--out");
    }
}

/// anneal-render: $ANNEAL_RENDER, else next to this executable.
fs::path rendererPath() {
    if (const char* env = std::getenv("ANNEAL_RENDER"); env && *env) {
        return env;
    }
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path("anneal-render") : self.parent_path() / "anneal-render";
}

/// Runs anneal-render on the figure file; "" when every figure was written, else why not.
std::string render(const fs::path& renderer, const fs::path& json, const report::Report& r,
                   const fs::path& out) {
    const fs::path log = out / "render.log";
    std::vector<std::string> args = {renderer.string(), json.string()};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        return "anneal-render could not be started (" + renderer.string() + ": " + std::strerror(rc) + ")";
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    std::string why;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        std::ifstream f(log);
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        why = "anneal-render failed (" +
              (WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st)) : "killed") +
              "): " + text.substr(0, 400);
    }
    for (const auto& fig : r.figures) {
        if (!fs::exists(out / fig.file)) {
            why += (why.empty() ? "" : "; ") + std::string("missing ") + fig.file;
        }
    }
    if (why.empty()) {
        std::error_code ec;
        fs::remove(log, ec);
    }
    return why;
}

}  // namespace

void addReportCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::string plan;
        std::string out;
        std::string analysis = "auto";
        bool noFigures = false;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* r = app.add_subcommand(
        "report", "Write a study's report: its runs, its numbers and figures (Markdown + PNG)");
    r->add_option("PLAN", o->plan, "Sweep plan whose group to report on (docs/SWEEPS.md)")
        ->required()
        ->check(CLI::ExistingFile);
    r->add_option("--out", o->out, "Directory for README.md, figures.json and the PNG figures (created)")
        ->required();
    r->add_option("--analysis", o->analysis,
                  "auto (the plan's name when it is a study) | generic | wsd-vs-cosine | upsample-window | "
                  "temperature-vs-upweight | noisy-reweighting | scaling-entropy | lr-annealing-law | "
                  "continued-pretraining");
    r->add_flag("--no-figures", o->noFigures, "Do not render the figures (figures.json is still written)");
    r->add_flag("--json", o->json, "Print the report's runs, numbers and files as one JSON object");
    r->footer(
        "Figures are drawn by anneal-render (next to anneal-cli, or $ANNEAL_RENDER) with the app's plot "
        "code;\n"
        "without it the report says so and lists the figures it would have drawn.\n"
        "Examples:\n"
        "  anneal-cli sweep resources/studies/wsd-vs-cosine/plan.toml --db wsd.db --jobs 2\n"
        "  anneal-cli report resources/studies/wsd-vs-cosine/plan.toml --db wsd.db --out report/\n"
        "  anneal-cli report plan.toml --db lab.db --out r --analysis generic --no-figures --json");
    r->callback([o, &ctx] {
        const SweepPlan plan = loadSweepPlan(o->plan);
        const std::string analysis = report::resolveAnalysis(o->analysis, plan.name);
        auto store = Store::open(ctx.dbPath(), Store::Mode::ReadOnly);
        const report::Report rep = report::buildReport(plan, *store, analysis);
        const fs::path out = fs::absolute(o->out);
        std::error_code ec;
        fs::create_directories(out, ec);
        if (ec) {
            throw Error(ErrorCode::Io, "cannot create " + out.string() + ": " + ec.message(), "--out");
        }
        const fs::path figJson = out / "figures.json";
        writeFile(figJson, report::figuresJson(rep, out.string()));
        report::FigureOutcome fo;
        const fs::path renderer = rendererPath();
        if (o->noFigures) {
            fo.note =
                "Figures were not rendered (--no-figures). Their descriptions are in `figures.json`; draw "
                "them with "
                "`anneal-render figures.json`.";
        } else if (!fs::exists(renderer)) {
            fo.note = "**Figures were not rendered: anneal-render was not found** (looked for " +
                      renderer.string() +
                      "; it is built with the desktop app, ANNEAL_BUILD_GUI=ON). Their descriptions are in "
                      "`figures.json`; "
                      "draw them with `anneal-render figures.json` where it is available.";
        } else {
            for (const auto& f : rep.figures) {
                fs::remove(out / f.file, ec);
            }
            const std::string why = render(renderer, figJson, rep, out);
            fo.rendered = why.empty();
            if (!fo.rendered) {
                fo.note = "**Figures were not rendered**: " + why;
            } else {
                fo.note = "Drawn by anneal-render with the app's plot code from `figures.json`.";
            }
        }
        writeFile(out / "README.md", report::toMarkdown(rep, fo));
        if (o->json) {
            std::cout << report::reportJson(rep, fo, out.string()) << std::endl;
        } else {
            std::cerr << "wrote " << (out / "README.md").string() << " (" << rep.runs.size()
                      << " runs, analysis " << rep.analysis << ", " << rep.figures.size()
                      << (fo.rendered ? " figures)" : " figures not rendered)") << "\n";
            for (const auto& w : rep.warnings) {
                std::cerr << "warning: " << w << "\n";
            }
            if (!fo.rendered) {
                std::cerr << fo.note << "\n";
            }
        }
    });
}

}  // namespace anneal::cli
