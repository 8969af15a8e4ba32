// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli import: a loss curve from another tool as an imported run (CSV or JSONL).
#include <cmath>
#include <filesystem>
#include <iostream>

#include "anneal/error.h"
#include "anneal/fit/sha256.h"
#include "anneal/fit/table.h"
#include "anneal/store.h"
#include "cli_context.h"

namespace anneal::cli {

void addImportCommands(CLI::App& app, Context& ctx) {
    struct Opts {
        std::string file;
        std::string name;
        std::string group;
        std::string stepCol = "step";
        std::string lossCol = "loss";
        bool json = false;
        double params = 0;  // accepts 6.5e9
    };
    auto o = std::make_shared<Opts>();
    CLI::App* im = app.add_subcommand("import", "Import a loss curve (CSV or JSONL) as a run you can plot, compare and fit");
    im->add_option("FILE", o->file, "A .csv with a header line, or a .jsonl with one object per line")
        ->required()
        ->check(CLI::ExistingFile);
    im->add_option("--name", o->name, "Run name (default: the file name)");
    im->add_option("--group", o->group, "Group of the imported run");
    im->add_option("--step-col", o->stepCol, "Column of the step (default: step)");
    im->add_option("--loss-col", o->lossCol, "Column of the loss (default: loss), stored as train_loss");
    im->add_option("--params", o->params, "Non-embedding parameter count of the model, for fits in N (e.g. 6.5e9)")
        ->check(CLI::Range(0.0, 1e18));
    im->add_flag("--json", o->json, "Print the new run's id and columns as JSON");
    im->footer(
        "Columns: step and loss are required; lr and tokens are optional; any other numeric column\n"
        "becomes a metric of that name. Steps must increase. A bad file is an error naming its line and\n"
        "column, and nothing is stored.\n"
        "Example:\n  anneal-cli import cluster-run.csv --db lab.db --name 7b-cosine --params 6.5e9");
    im->callback([o, &ctx] {
        // First pass: which columns the file has (the spec asks for step and loss only).
        fit::TableSpec probe;
        probe.numeric = {o->stepCol, o->lossCol};
        probe.increasing = o->stepCol;
        const fit::Table head = fit::readTable(o->file, probe);
        fit::TableSpec spec = probe;
        for (const auto& c : head.columnsFound) {
            if (c != o->stepCol && c != o->lossCol) {
                spec.optionalNumeric.push_back(c);
            }
        }
        const fit::Table t = fit::readTable(o->file, spec);  // every column numeric, checked, or an error
        const auto& steps = t.column(o->stepCol);
        // Steps and tokens become int64 columns: a value past 2^53 (steps) or 2^63 (tokens) would not
        // convert (undefined behaviour; on x86 it was stored as -2^63), so it is an error naming the line.
        constexpr double kMaxStep = 9007199254740992.0;     // 2^53: every integer below is exact
        constexpr double kMaxTokens = 9223372036854775808.0;  // 2^63
        for (size_t i = 0; i < steps.size(); ++i) {
            const double s = steps[i];
            if (s < 0 || s != std::floor(s) || s > kMaxStep) {
                throw Error(ErrorCode::InvalidInput,
                            "column '" + o->stepCol + "': steps must be non-negative integers up to 2^53, found " +
                                csvNumber(s),
                            o->file + ":" + std::to_string(t.lines[i]), "0, 1, 2, ...");
            }
            if (t.has("tokens") && !(t.column("tokens")[i] >= 0 && t.column("tokens")[i] < kMaxTokens)) {
                throw Error(ErrorCode::InvalidInput,
                            "column 'tokens': must be between 0 and 2^63, found " + csvNumber(t.column("tokens")[i]),
                            o->file + ":" + std::to_string(t.lines[i]), "a token count >= 0");
            }
        }
        StepAxis axis;
        for (size_t i = 0; i < t.rows(); ++i) {
            axis.steps.push_back(static_cast<std::int64_t>(steps[i]));
            axis.tokens.push_back(t.has("tokens") ? static_cast<std::int64_t>(t.column("tokens")[i]) : 0);
            axis.wall.push_back(0.0);
        }
        std::vector<std::pair<std::string, MetricSeries>> metrics;
        std::vector<std::string> stored;
        for (const auto& [name, values] : t.numeric) {
            if (name == o->stepCol || name == "tokens") {
                continue;
            }
            MetricSeries m;
            m.steps = axis.steps;
            m.values = values;
            const std::string metric = name == o->lossCol ? "train_loss" : name;
            metrics.emplace_back(metric, m);
            stored.push_back(metric);
        }
        NewRun run;
        run.name = o->name.empty() ? std::filesystem::path(o->file).filename().string() : o->name;
        run.group = o->group;
        run.specToml = "# imported from " + o->file + " (sha256 " + fit::sha256File(o->file) + ")\n";
        run.paramsNonEmbedding = static_cast<std::int64_t>(std::llround(o->params));
        run.params = run.paramsNonEmbedding;
        const std::int64_t id = Store::open(ctx.dbPath())->importRun(run, metrics, axis);
        if (o->json) {
            std::cout << nlohmann::json{{"run_id", id}, {"rows", t.rows()}, {"metrics", stored}}.dump() << std::endl;
        } else {
            std::cerr << "imported " << t.rows() << " rows of " << o->file << " as run " << id << " (metrics:";
            for (const auto& m : stored) {
                std::cerr << " " << m;
            }
            std::cerr << ")\n";
        }
    });
}

}  // namespace anneal::cli
