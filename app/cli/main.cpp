// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-cli: run, resume, branch and inspect training-dynamics experiments without the GUI.
#include <CLI/CLI.hpp>
#include <iostream>

#include "anneal/allocator.h"
#include "anneal/error.h"
#include "anneal/version.h"
#include "cli_context.h"

int main(int argc, char** argv) {
    anneal::keepLargeAllocationsInHeap();  // before any thread starts (anneal/allocator.h)
    using namespace anneal::cli;
    Context ctx;
    CLI::App app{
        "anneal-cli: training-dynamics experiments on language models, headless.\n"
        "Runs, resumes and branches experiments, and reads what they stored.",
        "anneal-cli"};
    app.set_version_flag("--version", std::string("anneal-cli ") + anneal::kVersion);
    app.add_option("--db", ctx.db,
                   "Database file (default: $ANNEAL_DB, else $XDG_DATA_HOME/anneal/anneal.db)")
        ->type_name("FILE");
    app.require_subcommand(1);
    app.fallthrough();
    app.footer(
        "Exit codes: 0 ok, 1 error, 2 usage error, 130 stopped by Ctrl-C.\n"
        "Run 'anneal-cli COMMAND --help' for a command's options and examples.");
    addRunCommands(app, ctx);
    addListCommands(app, ctx);
    addCheckCommands(app, ctx);
    addDataCommands(app, ctx);
    addCorpusCommands(app, ctx);
    addWeightsCommands(app, ctx);
    addFitCommands(app, ctx);
    addPredictCommands(app, ctx);
    addImportCommands(app, ctx);
    addSweepCommands(app, ctx);
    addReportCommands(app, ctx);
    addVersionCommands(app, ctx);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    } catch (const anneal::Error& e) {
        std::cerr << "anneal-cli: error: " << e.what() << "\n";
        return kExitError;
    } catch (const std::exception& e) {
        std::cerr << "anneal-cli: error: " << e.what() << "\n";
        return kExitError;
    }
    return ctx.exitCode;
}
