// SPDX-License-Identifier: GPL-3.0-or-later
// anneal: the desktop app. Parses the command line and opens the main window; everything else is in
// ui/ (anneal_ui).
//   anneal [--db FILE] [--run EXPERIMENT.toml] [--set K=V]... [--select IDS] [--view NAME] [FILE.toml]
// A positional FILE.toml opens in the New-experiment dialog (what a .desktop file's %f passes).
#include <dlfcn.h>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include "anneal/allocator.h"
#include "anneal/store.h"
#include "anneal/version.h"
#include "main_window.h"
#include "resources.h"

namespace {

/// OpenBLAS's own thread pool on top of torch's intra-op threads oversubscribes a small machine
/// (step times swing 10x, docs/BUILDING.md §2), so use one BLAS thread unless the user chose otherwise.
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

/// Describes the command line; process() prints --help and --version and exits.
struct CommandLine {
    QCommandLineParser parser;
    QCommandLineOption db{QStringLiteral("db"),
                          QStringLiteral("Database file (default: $ANNEAL_DB, else "
                                         "$XDG_DATA_HOME/anneal/anneal.db)."),
                          QStringLiteral("FILE")};
    QCommandLineOption run{QStringLiteral("run"), QStringLiteral("Start training this experiment file."),
                           QStringLiteral("EXPERIMENT.toml")};
    QCommandLineOption set{QStringLiteral("set"),
                           QStringLiteral("Override a key of the experiment started (repeatable), "
                                          "e.g. --set train.steps=200."),
                           QStringLiteral("K=V")};
    QCommandLineOption noRun{QStringLiteral("no-default-run"),
                             QStringLiteral("Do not start the default experiment on an empty database.")};
    QCommandLineOption select{QStringLiteral("select"),
                              QStringLiteral("Select these runs, e.g. --select 3,5."), QStringLiteral("IDS")};
    QCommandLineOption view{QStringLiteral("view"),
                            QStringLiteral("Show a view: %1.")
                                .arg(anneal::ui::MainWindow::viewNames().join(QStringLiteral(", "))),
                            QStringLiteral("NAME")};

    CommandLine() {
        parser.setApplicationDescription(
            QStringLiteral("Anneal: a desktop lab for training-dynamics experiments on language models.\n"
                           "On a database without runs the built-in default experiment starts at once.\n"
                           "Training uses train.threads torch threads (0 = all cores but one, leaving the "
                           "window a core)."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({db, run, set, noRun, select, view});
        parser.addPositionalArgument(
            QStringLiteral("FILE.toml"),
            QStringLiteral("An experiment file to open in the New-experiment dialog."),
            QStringLiteral("[FILE.toml]"));
    }
};

void describeApp() {
    QCoreApplication::setOrganizationName(QStringLiteral("Anneal"));
    QCoreApplication::setApplicationName(QStringLiteral("anneal"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(anneal::kVersion));
}

}  // namespace

int main(int argc, char** argv) {
    anneal::keepLargeAllocationsInHeap();  // before Qt starts a thread (anneal/allocator.h)
    // --help and --version work without a display.
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "-h" || a == "--help" || a == "-v" || a == "--version" || a == "--help-all") {
            QCoreApplication core(argc, argv);
            describeApp();
            CommandLine cl;
            cl.parser.process(core);  // prints and exits
            return 0;
        }
    }
    QApplication app(argc, argv);
    describeApp();
    QApplication::setApplicationDisplayName(QStringLiteral("Anneal"));
    QApplication::setDesktopFileName(QStringLiteral("anneal"));
    anneal::ui::initResources();
    QApplication::setWindowIcon(anneal::ui::appIcon());
    limitBlasThreads();

    CommandLine cl;
    cl.parser.process(app);
    const QStringList positional = cl.parser.positionalArguments();
    if (positional.size() > 1 ||
        (positional.size() == 1 && !positional.front().endsWith(QLatin1String(".toml")))) {
        qCritical("anneal: expected at most one experiment file (FILE.toml), got: %s",
                  qPrintable(positional.join(QLatin1Char(' '))));
        return 2;
    }
    anneal::ui::MainWindow::Options options;
    if (!positional.isEmpty()) {
        options.experimentFile = QFileInfo(positional.front()).absoluteFilePath();
    }
    options.dbPath = cl.parser.isSet(cl.db) ? cl.parser.value(cl.db)
                                            : QString::fromStdString(anneal::defaultDatabasePath());
    options.dbPath = QFileInfo(options.dbPath).absoluteFilePath();
    QDir().mkpath(QFileInfo(options.dbPath).absolutePath());
    options.runFile = cl.parser.value(cl.run);
    options.overrides = cl.parser.values(cl.set);
    // An experiment file to edit is what the user came for: do not start the default one as well.
    options.startDefaultIfEmpty = !cl.parser.isSet(cl.noRun) && options.experimentFile.isEmpty();
    for (const QString& id : cl.parser.value(cl.select).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        options.select << id.trimmed().toLongLong(&ok);
        if (!ok) {
            qCritical("anneal: --select takes run ids separated by commas, got '%s'", qPrintable(id));
            return 2;
        }
    }
    options.view = cl.parser.value(cl.view);
    if (!options.view.isEmpty() && !anneal::ui::MainWindow::viewNames().contains(options.view)) {
        qCritical("anneal: unknown view '%s' (allowed: %s)", qPrintable(options.view),
                  qPrintable(anneal::ui::MainWindow::viewNames().join(QStringLiteral(", "))));
        return 2;
    }

    anneal::ui::MainWindow window(options);
    window.show();
    return QApplication::exec();
}
