// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one suite, one concern (the CLI's conventions) on every subcommand.
// anneal-cli's conventions, checked on every subcommand its --help lists (new ones included):
// --help with examples, --json on every listing, the documented exit codes (0, 1, 2, 130), errors on
// stderr, progress bars only on a terminal, one version (CMake's) everywhere, and the man page,
// docs/CLI.md and the bash completion kept in sync with the options.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <cmath>
#include <csignal>
#include <sys/types.h>

#include "anneal/version.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal::test;

namespace {

QString readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(f.readAll());
}

/// The lines of a CLI11 help section ("Subcommands:", "Options:") up to the next blank line.
QStringList helpSection(const QString& help, const QString& title) {
    QStringList out;
    bool in = false;
    for (const QString& line : help.split('\n')) {
        if (line.trimmed() == title) {
            in = true;
            continue;
        }
        if (in && line.trimmed().isEmpty()) {
            break;
        }
        if (in) {
            out << line;
        }
    }
    return out;
}

/// Long options of a subcommand's --help ("--json", "--at-step"...), --help itself left out.
QStringList longOptions(const QString& help) {
    static const QRegularExpression re(QStringLiteral("^\\s+(?:-\\w,)?(--[A-Za-z0-9][-A-Za-z0-9]*)"));
    QStringList out;
    for (const QString& line : helpSection(help, QStringLiteral("Options:"))) {
        const auto m = re.match(line);
        if (m.hasMatch() && m.captured(1) != QLatin1String("--help")) {
            out << m.captured(1);
        }
    }
    return out;
}

/// The version in the top-level CMakeLists.txt: project(Anneal VERSION x.y.z ...).
QString cmakeProjectVersion() {
    static const QRegularExpression re(QStringLiteral("project\\(\\s*Anneal\\s+VERSION\\s+([0-9.]+)"));
    return re.match(readText(QString::fromUtf8(kSourceDir) + "/CMakeLists.txt")).captured(1);
}

/// Runs a bash snippet (no rc files) and returns its output.
ProcessResult bash(const QString& script) {
    return runProcess(QStringLiteral("bash"),
                      {QStringLiteral("--norc"), QStringLiteral("--noprofile"), QStringLiteral("-c"), script},
                      60000);
}

QString shellQuote(const QString& s) { return "'" + QString(s).replace("'", "'\\''") + "'"; }

}  // namespace

class TestCliConventions : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_spec;
    QString m_db;
    QStringList m_commands;
    QString m_completion = QString::fromUtf8(kSourceDir) + "/packaging/anneal-cli.bash-completion";

    QMap<QString, QString> m_help;  ///< `anneal-cli CMD --help`, fetched once per command

    QString help(const QString& cmd) {
        if (!m_help.contains(cmd)) {
            const auto h = runCli({cmd, "--help"});
            m_help[cmd] = h.exitCode == 0 ? h.out : QString();
        }
        return m_help[cmd];
    }

    /// COMPREPLY of the completion for the words given (the last one is completed).
    QStringList complete(const QStringList& words) {
        QString w;
        for (const QString& x : words) {
            w += " " + shellQuote(x);
        }
        const auto r = bash("source " + shellQuote(m_completion) + " && COMP_WORDS=(" + w +
                            ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _anneal_cli && printf '%s\\n' "
                            "\"${COMPREPLY[@]}\"");
        if (r.exitCode != 0) {
            qWarning() << "completion failed:" << r.err;
        }
        return r.out.split('\n', Qt::SkipEmptyParts);
    }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        m_spec = m_dir.qpath("tiny.toml");
        QFile f(m_spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(tinyExperimentToml(20) + "checkpoint_every = 10\n"));
        f.close();
        m_db = m_dir.qpath("conv.db");
        const auto r = runCli({"run", m_spec, "--db", m_db, "--json", "--quiet"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const auto top = runCli({"--help"});
        QCOMPARE(top.exitCode, 0);
        for (const QString& line : helpSection(top.out, QStringLiteral("Subcommands:"))) {
            const QString name = line.trimmed().section(' ', 0, 0);
            if (!name.isEmpty()) {
                m_commands << name;
            }
        }
        for (const char* c : {"run", "resume", "branch", "runs", "metrics", "checkpoints", "notices", "check",
                              "schedule", "weights", "version"}) {
            QVERIFY2(m_commands.contains(QLatin1String(c)), c);
        }
    }

    // --- --help --------------------------------------------------------------------------------

    void everySubcommandHasHelpWithExamples() {
        for (const QString& cmd : m_commands) {
            const auto h = runCli({cmd, "--help"});
            QVERIFY2(h.exitCode == 0, qPrintable(cmd + ": " + h.err));
            QVERIFY2(h.out.contains("Usage: anneal-cli " + cmd), qPrintable(cmd + ":\n" + h.out));
            QVERIFY2(h.out.contains(QRegularExpression(QStringLiteral("\\bExamples?\\b"))),
                     qPrintable(cmd + " --help has no example:\n" + h.out));
            QVERIFY2(h.out.contains(
                         QRegularExpression("\\n\\s+anneal-cli " + QRegularExpression::escape(cmd) + "\\b")),
                     qPrintable(cmd + " --help: no example line starting with 'anneal-cli " + cmd + "':\n" +
                                h.out));
            QVERIFY2(h.err.isEmpty(), qPrintable(cmd + ": help wrote to stderr: " + h.err));
        }
    }

    void topLevelHelpNamesExitCodes() {
        const auto h = runCli({"--help"});
        for (const char* s : {"0 ok", "1 error", "2 usage error", "130"}) {
            QVERIFY2(h.out.contains(QLatin1String(s)), s);
        }
    }

    // --- --json ----------------------------------------------------------------------------------

    void everyListingHasJson() {
        struct Listing {
            QString cmd;
            QStringList args;
        };
        QList<Listing> listings = {{"runs", {}},           {"metrics", {"1", "--name", "train_loss"}},
                                   {"checkpoints", {"1"}}, {"notices", {"1"}},
                                   {"weights", {"1"}},     {"schedule", {m_spec}},
                                   {"check", {m_spec}},    {"version", {}}};
        if (m_commands.contains("fits")) {
            listings.append(Listing{"fits", {}});
        }
        for (const Listing& l : listings) {
            QVERIFY2(longOptions(help(l.cmd)).contains("--json"), qPrintable(l.cmd + " has no --json"));
            const auto r = runCli(QStringList{l.cmd} + l.args + QStringList{"--db", m_db, "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(l.cmd + ": " + r.err));
            QJsonParseError e{};
            const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &e);
            QVERIFY2(e.error == QJsonParseError::NoError && !doc.isNull(),
                     qPrintable(l.cmd + " --json is not JSON: " + e.errorString() + "\n" + r.out.left(300)));
        }
    }

    void jsonIsFormatJson() {
        for (const QStringList& args : {QStringList{"metrics", "1", "--name", "train_loss"},
                                        QStringList{"schedule", m_spec}, QStringList{"weights", "1"}}) {
            const auto a = runCli(args + QStringList{"--db", m_db, "--json"});
            const auto b = runCli(args + QStringList{"--db", m_db, "--format", "json"});
            QCOMPARE(a.exitCode, 0);
            QCOMPARE(a.out, b.out);
            const auto both = runCli(args + QStringList{"--db", m_db, "--json", "--format", "csv"});
            QVERIFY2(both.exitCode == 2,
                     qPrintable(args.first() + ": --json with --format csv should be a usage error"));
        }
        const QJsonArray m =
            QJsonDocument::fromJson(
                runCli({"metrics", "1", "--db", m_db, "--name", "train_loss", "--json"}).out.toUtf8())
                .array();
        QCOMPARE(m.size(), 20);
        QVERIFY(m[0].toObject().contains("value"));
    }

    // --- exit codes, stderr ----------------------------------------------------------------------

    void exitCodeZeroOnSuccess() {
        const auto r = runCli({"check", m_spec});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.err.isEmpty());
    }

    void exitCodeOneOnRuntimeErrors() {
        const QList<QStringList> cases = {
            {"check", m_spec, "--set", "train.lr=-1"},                 // an invalid value
            {"metrics", "999", "--db", m_db, "--name", "train_loss"},  // no such run
            {"runs", "--db", m_dir.qpath("missing.db")},               // no such database
            {"branch", "1", "--db", m_db, "--at-step", "7"},           // no checkpoint at that step
        };
        for (const QStringList& args : cases) {
            const auto r = runCli(args);
            QVERIFY2(r.exitCode == 1,
                     qPrintable(args.join(' ') + " -> " + QString::number(r.exitCode) + ": " + r.err));
            QVERIFY2(r.err.startsWith("anneal-cli: error: "),
                     qPrintable(args.join(' ') + ": stderr: " + r.err));
            QVERIFY2(r.out.isEmpty(), qPrintable(args.join(' ') + ": error output on stdout: " + r.out));
        }
    }

    void exitCodeTwoOnUsageErrors() {
        const QList<QStringList> cases = {
            {},                                 // no subcommand
            {"frobnicate"},                     // unknown subcommand
            {"runs", "--bogus"},                // unknown option
            {"metrics", "--db", m_db},          // missing RUN_ID and --name
            {"metrics", "one", "--name", "x"},  // RUN_ID not a number
            {"schedule", m_spec, "--format", "xml"},
        };
        for (const QStringList& args : cases) {
            const auto r = runCli(args);
            QVERIFY2(r.exitCode == 2, qPrintable(args.join(' ') + " -> " + QString::number(r.exitCode)));
            QVERIFY2(!r.err.isEmpty(), qPrintable(args.join(' ') + ": no message on stderr"));
        }
    }

    void exitCode130WhenInterrupted() {
        const QString db = m_dir.qpath("interrupt.db");
        QProcess p;
        p.start(cliPath(), {"run", m_spec, "--db", db, "--set", "train.steps=1000000", "--set",
                            "data.val_every=100000", "--set", "log.checkpoint_every=500000", "--quiet"});
        QVERIFY(p.waitForStarted(10000));
        // Wait until the run is stepping (the SIGINT handler is installed before the first step).
        bool stepping = false;
        for (int i = 0; i < 300 && !stepping; ++i) {
            QTest::qWait(200);
            const QJsonArray runs =
                QJsonDocument::fromJson(runCli({"runs", "--db", db, "--json"}).out.toUtf8()).array();
            stepping = !runs.isEmpty() && runs[0].toObject()["steps_done"].toInt() > 0;
        }
        QVERIFY2(stepping, "the run never stored a step");
        QCOMPARE(::kill(static_cast<pid_t>(p.processId()), SIGINT), 0);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        const QJsonArray runs =
            QJsonDocument::fromJson(runCli({"runs", "--db", db, "--json"}).out.toUtf8()).array();
        QCOMPARE(runs[0].toObject()["status"].toString(), QString("stopped"));
    }

    // --- progress --------------------------------------------------------------------------------

    void progressOnlyOnATerminal() {
        const QString db = m_dir.qpath("progress.db");
        const auto piped = runCli({"run", m_spec, "--db", db});
        QCOMPARE(piped.exitCode, 0);
        QVERIFY2(!piped.err.contains("ETA") && !piped.err.contains('\r'), qPrintable(piped.err));
        QVERIFY2(piped.err.contains("completed"), qPrintable(piped.err));  // the summary line stays
        // script(1) gives the command a pseudo-terminal.
        const QString cmd = shellQuote(cliPath()) + " run " + shellQuote(m_spec) + " --db " + shellQuote(db);
        const auto tty = runProcess("script", {"-qec", cmd, "/dev/null"}, 120000);
        QVERIFY2(tty.exitCode == 0, qPrintable(tty.out + tty.err));
        QVERIFY2(tty.out.contains("ETA") && tty.out.contains("20/20"), qPrintable(tty.out));
    }

    // --- version ---------------------------------------------------------------------------------

    void oneVersionEverywhere() {
        const QString v = cmakeProjectVersion();
        QVERIFY2(!v.isEmpty(), "no project(Anneal VERSION ...) in CMakeLists.txt");
        QCOMPARE(QString::fromLatin1(anneal::kVersion), v);
        const auto flag = runCli({"--version"});
        QCOMPARE(flag.exitCode, 0);
        QCOMPARE(flag.out.trimmed(), "anneal-cli " + v);
        const auto text = runCli({"version"});
        QCOMPARE(text.out, flag.out);
        const auto js = runCli({"version", "--json"});
        QCOMPARE(js.exitCode, 0);
        const QJsonObject j = QJsonDocument::fromJson(js.out.toUtf8()).object();
        QCOMPARE(j["program"].toString(), QString("anneal-cli"));
        QCOMPARE(j["version"].toString(), v);
        QCOMPARE(QString("%1.%2.%3").arg(j["major"].toInt()).arg(j["minor"].toInt()).arg(j["patch"].toInt()),
                 v);
        QVERIFY(j["cuda"].isBool());
        QVERIFY(j["db_schema"].toInt() >= 1);
        QVERIFY(!j["sqlite"].toString().isEmpty());
        // Stored with every run.
        const QJsonArray runs =
            QJsonDocument::fromJson(runCli({"runs", "--db", m_db, "--json"}).out.toUtf8()).array();
        QVERIFY(!runs.isEmpty());
        QCOMPARE(runs[0].toObject()["version"].toString(), v);
    }

    void fitExportsCarryTheVersion() {
        if (!m_commands.contains("fit")) {
            QSKIP("this anneal-cli has no fit command");
        }
        // L(x) = 2 + 5 x^-0.5, exactly.
        const QString csv = m_dir.qpath("power.csv");
        QFile f(csv);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x,loss\n");
        for (int x = 1; x <= 128; x *= 2) {
            f.write(QString("%1,%2\n").arg(x).arg(2.0 + 5.0 / std::sqrt(double(x)), 0, 'g', 17).toUtf8());
        }
        f.close();
        const auto r = runCli({"fit", "--law", "power", "--csv", csv, "--x-col", "x", "--no-store",
                               "--export", "json", "--db", m_db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["provenance"].toObject()["anneal_version"].toString(),
                 QString::fromLatin1(anneal::kVersion));
    }

    // --- documentation in sync ---------------------------------------------------------------------

    void manPageCoversEveryOption() {
        const QString path = QString::fromUtf8(kSourceDir) + "/packaging/anneal-cli.1";
        QString man = readText(path);
        QVERIFY2(!man.isEmpty(), qPrintable("missing " + path));
        man.replace("\\-", "-");
        for (const QString& cmd : m_commands) {
            QVERIFY2(man.contains(QRegularExpression("^\\.SS \"" + QRegularExpression::escape(cmd) + "\\b",
                                                     QRegularExpression::MultilineOption)),
                     qPrintable("the man page has no .SS section for " + cmd));
            for (const QString& opt : longOptions(help(cmd))) {
                QVERIFY2(
                    man.contains(QRegularExpression(QRegularExpression::escape(opt) + "(?![-A-Za-z0-9])")),
                    qPrintable("the man page does not mention " + cmd + " " + opt));
            }
        }
        for (const char* s : {"EXIT STATUS", "130", "ANNEAL_DB", "XDG_DATA_HOME", "OPENBLAS_NUM_THREADS"}) {
            QVERIFY2(man.contains(QLatin1String(s)), s);
        }
        // groff renders it without warnings.
        const auto g = runProcess("groff", {"-man", "-Tutf8", "-ww", "-z", path});
        QVERIFY2(g.exitCode == 0 && g.err.isEmpty(), qPrintable("groff: " + g.err));
    }

    void cliDocCoversEveryCommand() {
        const QString path = QString::fromUtf8(kSourceDir) + "/docs/CLI.md";
        const QString doc = readText(path);
        QVERIFY2(!doc.isEmpty(), qPrintable("missing " + path));
        for (const QString& cmd : m_commands) {
            QVERIFY2(doc.contains(QRegularExpression("^### `?" + QRegularExpression::escape(cmd) + "\\b",
                                                     QRegularExpression::MultilineOption)),
                     qPrintable("docs/CLI.md has no ### section for " + cmd));
            for (const QString& opt : longOptions(help(cmd))) {
                QVERIFY2(
                    doc.contains(QRegularExpression(QRegularExpression::escape(opt) + "(?![-A-Za-z0-9])")),
                    qPrintable("docs/CLI.md does not mention " + cmd + " " + opt));
            }
        }
        for (const char* s :
             {"| 0 |", "| 1 |", "| 2 |", "| 130 |", "ANNEAL_DB", "XDG_DATA_HOME", "OPENBLAS_NUM_THREADS"}) {
            QVERIFY2(doc.contains(QLatin1String(s)), s);
        }
    }

    // --- bash completion ---------------------------------------------------------------------------

    void completionIsRegistered() {
        const auto r = bash("source " + shellQuote(m_completion) + " && complete -p anneal-cli");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QString("complete -F _anneal_cli anneal-cli"));
    }

    void completionOffersEverySubcommandAndOption() {
        const QStringList top = complete({cliPath(), ""});
        for (const QString& cmd : m_commands) {
            QVERIFY2(top.contains(cmd), qPrintable("completion lacks the subcommand " + cmd));
        }
        QCOMPARE(complete({cliPath(), "ch"}), (QStringList{"checkpoints", "check"}));
        for (const QString& cmd : m_commands) {
            const QStringList offered = complete({cliPath(), cmd, "--"});
            for (const QString& opt : longOptions(help(cmd))) {
                QVERIFY2(offered.contains(opt), qPrintable("completion of '" + cmd + " --' lacks " + opt));
            }
        }
        QCOMPARE(complete({cliPath(), "metrics", "1", "--format", ""}), (QStringList{"csv", "json"}));
    }

    void completionOffersExperimentFilesAndRunIds() {
        TempDir d;
        for (const char* name : {"wsd.toml", "notes.txt"}) {
            QFile f(d.qpath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QVERIFY(QDir(d.qpath()).mkdir("sub"));
        QStringList files = complete({cliPath(), "run", d.qpath() + "/"});
        files.sort();
        QCOMPARE(files, (QStringList{d.qpath("sub"), d.qpath("wsd.toml")}));
        // SPEC is only the first positional: after it, nothing but options.
        QVERIFY(complete({cliPath(), "check", d.qpath("wsd.toml"), d.qpath() + "/"}).isEmpty());
        // Run ids come from the database named by --db.
        QCOMPARE(complete({cliPath(), "--db", m_db, "metrics", ""}), QStringList{"1"});
    }
};

QTEST_APPLESS_MAIN(TestCliConventions)
#include "test_cli_conventions.moc"
