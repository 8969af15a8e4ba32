// SPDX-License-Identifier: GPL-3.0-or-later
// anneal: the desktop app. Parses the command line and opens the main window; everything else is in
// ui/ (anneal_ui).
//   anneal [--db FILE] [--run EXPERIMENT.toml] [--set K=V]...
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <dlfcn.h>

#include "anneal/store.h"
#include "anneal/version.h"
#include "main_window.h"
#include "resources.h"

namespace {

/// OpenBLAS's own thread pool on top of torch's intra-op threads oversubscribes a small machine
/// (step times swing 10x, BUILD-NOTES §3.4), so use one BLAS thread unless the user chose otherwise.
/// Looked up at run time: the BLAS behind LibTorch may not be OpenBLAS.
void limitBlasThreads() {
    if (qEnvironmentVariableIsSet("OPENBLAS_NUM_THREADS")) {
        return;
    }
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
        set(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Anneal"));
    QApplication::setApplicationName(QStringLiteral("anneal"));
    QApplication::setApplicationDisplayName(QStringLiteral("Anneal"));
    QApplication::setApplicationVersion(QString::fromLatin1(anneal::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("anneal"));
    anneal::ui::initResources();
    QApplication::setWindowIcon(anneal::ui::appIcon());
    limitBlasThreads();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Anneal: a desktop lab for training-dynamics experiments on language models.\n"
                       "On a database without runs the built-in default experiment starts at once.\n"
                       "Training uses train.threads torch threads (0 = all cores but one, leaving the "
                       "window a core)."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Database file (default: $ANNEAL_DB, else "
                                               "$XDG_DATA_HOME/anneal/anneal.db)."),
                                QStringLiteral("FILE"));
    const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Start training this experiment file."),
                                 QStringLiteral("EXPERIMENT.toml"));
    const QCommandLineOption set(QStringLiteral("set"),
                                 QStringLiteral("Override a key of the experiment started (repeatable), "
                                                "e.g. --set train.steps=200."),
                                 QStringLiteral("K=V"));
    const QCommandLineOption noRun(QStringLiteral("no-default-run"),
                                   QStringLiteral("Do not start the default experiment on an empty database."));
    parser.addOptions({db, run, set, noRun});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        parser.showHelp(2);
    }

    anneal::ui::MainWindow::Options options;
    options.dbPath = parser.isSet(db) ? parser.value(db) : QString::fromStdString(anneal::defaultDatabasePath());
    options.dbPath = QFileInfo(options.dbPath).absoluteFilePath();
    QDir().mkpath(QFileInfo(options.dbPath).absolutePath());
    options.runFile = parser.value(run);
    options.overrides = parser.values(set);
    options.startDefaultIfEmpty = !parser.isSet(noRun);

    anneal::ui::MainWindow window(options);
    window.show();
    return QApplication::exec();
}
