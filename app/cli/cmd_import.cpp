// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli import: a loss curve from another tool as an imported run (CSV or JSONL), through
// anneal::importCurveFile (the app's drag-and-drop uses the same function).
#include <iostream>

#include "anneal/import_curve.h"
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
        std::string scheduleFile, lrFile;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* im = app.add_subcommand(
        "import", "Import a loss curve (CSV or JSONL) as a run you can plot, compare and fit");
    im->add_option("FILE", o->file, "A .csv with a header line, or a .jsonl with one object per line")
        ->required()
        ->check(CLI::ExistingFile);
    im->add_option("--name", o->name, "Run name (default: the file name)");
    im->add_option("--group", o->group, "Group of the imported run");
    im->add_option("--step-col", o->stepCol, "Column of the step (default: step)");
    im->add_option("--loss-col", o->lossCol, "Column of the loss (default: loss), stored as train_loss");
    im->add_option("--params", o->params,
                   "Non-embedding parameter count of the model, for fits in N (e.g. 6.5e9)")
        ->check(CLI::Range(0.0, 1e18));
    im->add_option("--schedule", o->scheduleFile,
                   "The LR of every update from an experiment or schedule file: the run keeps it whole, "
                   "so losses may be logged at any steps")
        ->check(CLI::ExistingFile);
    im->add_option("--lr-file", o->lrFile,
                   "The LR of every update from a `step,lr` file with a row for every step 0..T-1")
        ->check(CLI::ExistingFile);
    im->add_flag("--json", o->json, "Print the new run's id and columns as JSON");
    im->footer(
        "Columns: step and loss are required; lr and tokens are optional; any other numeric column\n"
        "becomes a metric of that name. Steps must increase. A bad file is an error naming its line and\n"
        "column, and nothing is stored. Losses logged every few hundred steps: give the LR of every\n"
        "update with --schedule or --lr-file (an lr column alone loses the warmup before the first\n"
        "logged step).\n"
        "Examples:\n  anneal-cli import cluster-run.csv --db lab.db --name 7b-cosine --params 6.5e9\n"
        "  anneal-cli import sparse.csv --db lab.db --schedule wsd.toml");
    im->callback([o, &ctx] {
        CurveImport request;
        request.file = o->file;
        request.name = o->name;
        request.group = o->group;
        request.stepColumn = o->stepCol;
        request.lossColumn = o->lossCol;
        request.params = o->params;
        request.scheduleFile = o->scheduleFile;
        request.lrFile = o->lrFile;
        const CurveImportResult r = importCurveFile(ctx.dbPath(), request);
        if (o->json) {
            std::cout << nlohmann::json{{"run_id", r.runId},
                                        {"rows", r.rows},
                                        {"metrics", r.metrics},
                                        {"lr_steps", r.lrSteps},
                                        {"warnings", r.warnings}}
                             .dump()
                      << std::endl;
        } else {
            std::cerr << "imported " << r.rows << " rows of " << o->file << " as run " << r.runId
                      << " (metrics:";
            for (const auto& m : r.metrics) {
                std::cerr << " " << m;
            }
            std::cerr << ")";
            if (r.lrSteps > 0) {
                std::cerr << " with the LR of all " << r.lrSteps << " updates";
            }
            std::cerr << "\n";
        }
        for (const auto& w : r.warnings) {
            std::cerr << "warning: " << w << "\n";
        }
    });
}

}  // namespace anneal::cli
