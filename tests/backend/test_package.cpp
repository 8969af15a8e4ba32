// SPDX-License-Identifier: GPL-3.0-or-later
// The Debian package, as a user gets it: cpack builds it from the build directory (no rebuild; the
// test runs after the build), dpkg-deb extracts it into a temporary root (no root install), and
// the test checks its file list, desktop entry, AppStream metadata, man page, copyright, Depends
// (every package exists in apt and covers what dpkg-shlibdeps finds), control fields, and that the
// extracted anneal-cli runs the installed default example.
#include <QtTest>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

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

/// Package names of a Depends-style field: "a (>= 1), b | c" -> {a, b, c}.
QStringList packageNames(const QString& field) {
    QStringList out;
    for (const QString& alt : field.split(QRegularExpression(QStringLiteral("[,|]")), Qt::SkipEmptyParts)) {
        const QString name = alt.trimmed().section(' ', 0, 0).section(':', 0, 0);
        if (!name.isEmpty()) {
            out << name;
        }
    }
    return out;
}

QString requireTool(const char* tool, const char* package) {
    const QString p = QStandardPaths::findExecutable(QString::fromLatin1(tool));
    if (p.isEmpty()) {
        qWarning("%s is missing: install the Debian package %s (packaging/debian-deps.txt)", tool, package);
    }
    return p;
}

}  // namespace

class TestPackage : public QObject {
    Q_OBJECT
private:
    TempDir m_dir;
    QString m_deb;
    QString m_root;  ///< the package extracted with dpkg-deb -x
    QString m_arch;
    bool m_gui = false;
    const QString m_version = QString::fromLatin1(anneal::kVersion);

    QString root(const QString& rel) const { return m_root + "/" + rel; }
    QString field(const QString& name) const {
        return runProcess("dpkg-deb", {"-f", m_deb, name}).out.trimmed();
    }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        for (auto [tool, pkg] : {std::pair{"cpack", "cmake"}, std::pair{"dpkg-deb", "dpkg"},
                                 std::pair{"dpkg-shlibdeps", "dpkg-dev"}, std::pair{"apt-cache", "apt"}}) {
            QVERIFY2(!requireTool(tool, pkg).isEmpty(), tool);
        }
        const QString bin = QString::fromUtf8(kBinaryDir);
        const QString cache = readText(bin + "/CMakeCache.txt");
        m_gui = cache.contains(QRegularExpression(
            QStringLiteral("^ANNEAL_BUILD_GUI:BOOL=(ON|1|TRUE|YES)$"),
            QRegularExpression::MultilineOption | QRegularExpression::CaseInsensitiveOption));
        QVERIFY2(QFile::exists(bin + "/CPackConfig.cmake"),
                 "no CPackConfig.cmake in the build directory: is cmake/AnnealPackaging.cmake included?");
        m_arch = runProcess("dpkg", {"--print-architecture"}).out.trimmed();
        QVERIFY(!m_arch.isEmpty());

        // Only the DEB generator, into a temporary directory; cpack installs what the build made.
        // With a Makefile build, cpack first runs `make preinstall`, which builds everything again;
        // the test runs after the build, so name a generator without a preinstall step (cpack runs
        // the same cmake_install.cmake scripts and needs no ninja for it).
        const QString out = m_dir.qpath("cpack");
        QElapsedTimer t;
        t.start();
        const auto r = runProcess("cpack",
                                  {"-G", "DEB", "-B", out, "--config", bin + "/CPackConfig.cmake", "-D",
                                   "CPACK_CMAKE_GENERATOR=Ninja"},
                                  540000);
        QVERIFY2(!r.timedOut, "cpack timed out");
        QVERIFY2(r.exitCode == 0, qPrintable("cpack failed:\n" + r.out + r.err));
        const QStringList debs = QDir(out).entryList({"*.deb"}, QDir::Files);
        QVERIFY2(debs.size() == 1, qPrintable("expected one .deb in " + out + ", got: " + debs.join(' ')));
        QCOMPARE(debs.first(), "anneal_" + m_version + "_" + m_arch + ".deb");
        m_deb = out + "/" + debs.first();
        qInfo("cpack: %s, %.1f MB, in %.1f s", qPrintable(debs.first()),
              static_cast<double>(QFileInfo(m_deb).size()) / 1e6, static_cast<double>(t.elapsed()) / 1e3);

        m_root = m_dir.qpath("root");
        const auto x = runProcess("dpkg-deb", {"-x", m_deb, m_root});
        QVERIFY2(x.exitCode == 0, qPrintable(x.err));
    }

    void fileList() {
        QStringList expected = {"usr/bin/anneal-cli",
                                "usr/share/man/man1/anneal-cli.1.gz",
                                "usr/share/bash-completion/completions/anneal-cli",
                                "usr/share/doc/anneal/copyright",
                                "usr/share/anneal/experiments/README.md",
                                "usr/share/anneal/experiments/default.toml"};
        for (const QString& toml :
             QDir(QString::fromUtf8(kSourceDir) + "/resources/experiments").entryList({"*.toml"})) {
            expected << "usr/share/anneal/experiments/" + toml;
        }
        const QStringList gui = {"usr/bin/anneal", "usr/share/applications/anneal.desktop",
                                 "usr/share/icons/hicolor/scalable/apps/anneal.svg",
                                 "usr/share/metainfo/io.anneal.Anneal.metainfo.xml"};
        if (m_gui) {
            expected << gui;
        }
        for (const QString& f : expected) {
            QVERIFY2(QFileInfo(root(f)).isFile(), qPrintable("the package lacks /" + f));
        }
        if (!m_gui) {  // a CLI-only build must not ship a desktop entry for an app it lacks
            for (const QString& f : gui) {
                QVERIFY2(!QFileInfo::exists(root(f)), qPrintable("CLI-only package ships /" + f));
            }
        }
        if (QFileInfo(QString::fromUtf8(kSourceDir) + "/resources/studies").isDir()) {
            QVERIFY2(QFileInfo(root("usr/share/anneal/studies")).isDir(),
                     "the package lacks /usr/share/anneal/studies");
        }
        QVERIFY(QFileInfo(root("usr/bin/anneal-cli")).isExecutable());
        // Nothing outside the documented layout (no headers, static libraries, test binaries...).
        static const QRegularExpression allowed(
            QStringLiteral("^usr/(bin/anneal(-cli)?|share/(applications|metainfo|anneal|doc/anneal|man/"
                           "man1|bash-completion/completions|"
                           "icons/hicolor/scalable/apps)/.+)$"));
        QDirIterator it(m_root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        int n = 0;
        while (it.hasNext()) {
            const QString rel = QDir(m_root).relativeFilePath(it.next());
            QVERIFY2(allowed.match(rel).hasMatch(), qPrintable("unexpected file in the package: /" + rel));
            ++n;
        }
        qInfo("%d files", n);
    }

    void binariesAreStrippedWithoutRunpath() {
        QStringList bins = {"usr/bin/anneal-cli"};
        if (m_gui) {
            bins << "usr/bin/anneal";
        }
        for (const QString& b : bins) {
            const auto r = runProcess("readelf", {"--section-headers", "--wide", root(b)});
            QVERIFY2(r.exitCode == 0, qPrintable(b + ": " + r.err));
            QVERIFY2(!r.out.contains(".debug_info") && !r.out.contains(".symtab"),
                     qPrintable(b + " is not stripped"));
            const auto d = runProcess("readelf", {"--dynamic", root(b)});
            QVERIFY2(!d.out.contains("RPATH") && !d.out.contains("RUNPATH"),
                     qPrintable(b + " has an RPATH/RUNPATH (Debian forbids them to system paths)"));
        }
    }

    void manPage() {
        const QString gz = root("usr/share/man/man1/anneal-cli.1.gz");
        QVERIFY2(runProcess("gzip", {"-t", gz}).exitCode == 0, "the man page is not gzip");
        const auto text = runProcess("sh", {"-c", "gzip -dc \"$0\"", gz}).out;
        QVERIFY2(text.contains(".TH ANNEAL-CLI 1") && text.contains("\"Anneal " + m_version + "\""),
                 qPrintable("man page header: " + text.left(300)));
        QVERIFY2(!text.contains("@PROJECT_VERSION@"), "the man page's version was not filled in");
        auto man = runProcess("man", {"-l", gz}, 60000, {"MANWIDTH=100"});
        QVERIFY2(man.exitCode == 0, qPrintable(man.err));
        man.out.remove(QRegularExpression(QStringLiteral(".\\x08")));  // overstrike bold and underline
        QVERIFY2(man.out.contains("EXIT STATUS") && man.out.contains("anneal-cli"),
                 qPrintable(man.out.left(500)));
    }

    void desktopEntry() {
        const QString desktop = root("usr/share/applications/anneal.desktop");
        if (!m_gui) {
            QVERIFY(!QFileInfo::exists(desktop));
            return;
        }
        const QString validate = requireTool("desktop-file-validate", "desktop-file-utils");
        QVERIFY2(!validate.isEmpty(), "desktop-file-validate is missing (desktop-file-utils)");
        const auto v = runProcess(validate, {desktop});
        QVERIFY2(v.exitCode == 0, qPrintable(v.out + v.err));
        QVERIFY2(!v.out.contains("error:") && !v.out.contains("warning:"), qPrintable(v.out));
        const QString text = readText(desktop);
        QVERIFY(text.contains(
            QRegularExpression("^Categories=Science;Education;", QRegularExpression::MultilineOption)));
        const QString exec =
            QRegularExpression("^Exec=(\\S+)", QRegularExpression::MultilineOption).match(text).captured(1);
        QVERIFY2(QFileInfo(root("usr/bin/" + exec)).isExecutable(),
                 qPrintable("Exec=" + exec + " is not in /usr/bin"));
        const QString icon =
            QRegularExpression("^Icon=(\\S+)", QRegularExpression::MultilineOption).match(text).captured(1);
        QVERIFY2(QFileInfo::exists(root("usr/share/icons/hicolor/scalable/apps/" + icon + ".svg")),
                 qPrintable("Icon=" + icon + " has no icon file"));
    }

    void appStreamMetadata() {
        const QString xml = root("usr/share/metainfo/io.anneal.Anneal.metainfo.xml");
        if (!m_gui) {
            QVERIFY(!QFileInfo::exists(xml));
            return;
        }
        const QString tool = requireTool("appstreamcli", "appstream");
        QVERIFY2(!tool.isEmpty(), "appstreamcli is missing (appstream)");
        const auto v = runProcess(tool, {"validate", "--no-net", xml});
        QVERIFY2(v.exitCode == 0, qPrintable(v.out + v.err));
        const QString text = readText(xml);
        // The newest release is this version (update the metainfo when CMake's version changes).
        const QString first = QRegularExpression("<release version=\"([^\"]+)\"").match(text).captured(1);
        QCOMPARE(first, m_version);
        QVERIFY(text.contains("<project_license>GPL-3.0-or-later</project_license>"));
        const QString launch =
            QRegularExpression("<launchable type=\"desktop-id\">([^<]+)<").match(text).captured(1);
        QVERIFY2(QFileInfo::exists(root("usr/share/applications/" + launch)),
                 qPrintable("launchable " + launch));
    }

    void copyright() {
        const QString text = readText(root("usr/share/doc/anneal/copyright"));
        QVERIFY(
            text.startsWith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"));
        QVERIFY(text.contains("Upstream-Name: Anneal"));
        QVERIFY(text.contains(QRegularExpression("^Files: \\*\\n(.+\\n)*License: GPL-3\\.0-or-later\\n",
                                                 QRegularExpression::MultilineOption)));
        for (const char* s : {"QCustomPlot", "GPL-3", "Qt 6", "LGPL-3", "LibTorch", "BSD-3-Clause"}) {
            QVERIFY2(text.contains(QLatin1String(s)), s);
        }
        // Every licence a Files paragraph names has its own stand-alone License paragraph.
        const QRegularExpression filesLicense("^Files: .*\\n(?:(?!\\n\\n)[\\s\\S])*?^License: (.+)$",
                                              QRegularExpression::MultilineOption);
        auto it = filesLicense.globalMatch(text);
        while (it.hasNext()) {
            for (QString lic : it.next().captured(1).split(QRegularExpression(" and | or "))) {
                lic = lic.trimmed();
                QVERIFY2(text.contains(QRegularExpression(
                             "\\n\\nLicense: " + QRegularExpression::escape(lic) + "\\n ")),
                         qPrintable("no stand-alone License paragraph for " + lic));
            }
        }
    }

    void controlFields() {
        const auto info = runProcess("dpkg-deb", {"--info", m_deb});
        QVERIFY2(info.exitCode == 0, qPrintable(info.err));
        QCOMPARE(field("Package"), QString("anneal"));
        QCOMPARE(field("Version"), m_version);
        QCOMPARE(field("Architecture"), m_arch);
        QCOMPARE(field("Section"), QString("science"));
        QCOMPARE(field("Priority"), QString("optional"));
        QVERIFY2(field("Maintainer").contains(QRegularExpression("^.+ <[^@ ]+@[^> ]+>$")),
                 qPrintable(field("Maintainer")));
        const QString desc = field("Description");
        QVERIFY2(desc.startsWith("desktop lab for training-dynamics experiments on language models\n"),
                 qPrintable(desc));
        const QStringList lines = desc.split('\n');
        QVERIFY2(lines.size() >= 4, "the long description is missing");
        QVERIFY2(lines[1].trimmed() != lines[0].trimmed(), "the long description repeats the summary");
        QVERIFY(field("Installed-Size").toLongLong() > 0);
        qInfo("package %.1f MB, installed %.1f MB", static_cast<double>(QFileInfo(m_deb).size()) / 1e6,
              field("Installed-Size").toDouble() / 1024.0);
    }

    void dependsNameRealPackages() {
        const QString depends = field("Depends");
        qInfo("Depends: %s", qPrintable(depends));
        qInfo("Recommends: %s", qPrintable(field("Recommends")));
        QStringList must = {"libc6", "libstdc++6", "libtorch1.13", "libsqlite3-0"};
        if (m_gui) {
            must << QStringList{"libqt6core6",         "libqt6gui6", "libqt6widgets6",
                                "libqt6printsupport6", "libqt6svg6", "libqcustomplot2.1-qt6"};
        }
        const QStringList names = packageNames(depends);
        for (const QString& p : must) {
            QVERIFY2(names.contains(p), qPrintable("Depends lacks " + p + ": " + depends));
        }
        QVERIFY2(packageNames(field("Recommends")).contains("libopenblas0-pthread"),
                 "Recommends lacks libopenblas0-pthread");
        // Each name has an installation candidate (virtual packages such as libblas.so.3 are
        // alternatives of a real one and are checked through it).
        QStringList real;
        for (const QString& alt : depends.split(',')) {
            real << packageNames(alt).first();
        }
        real << "libopenblas0-pthread";
        const auto policy = runProcess("apt-cache", QStringList{"policy"} + real, 60000);
        QCOMPARE(policy.exitCode, 0);
        for (const QString& p : real) {
            const QRegularExpression candidate(
                "^" + QRegularExpression::escape(p) + ":\\n(?:  .*\\n)*?  Candidate: (\\S+)",
                QRegularExpression::MultilineOption);
            const QString c = candidate.match(policy.out).captured(1);
            QVERIFY2(!c.isEmpty() && c != "(none)", qPrintable(p + " has no installation candidate in apt"));
        }
    }

    void dependsCoverShlibdeps() {
        // dpkg-shlibdeps wants to run in a source tree with debian/control.
        TempDir src;
        QVERIFY(QDir().mkpath(src.qpath("debian")));
        QFile control(src.qpath("debian/control"));
        QVERIFY(control.open(QIODevice::WriteOnly));
        control.write("Source: anneal\n\nPackage: anneal\nArchitecture: any\n");
        control.close();
        QStringList args = {"-O", "-e" + root("usr/bin/anneal-cli")};
        if (m_gui) {
            args << "-e" + root("usr/bin/anneal");
        }
        QProcess p;
        p.setWorkingDirectory(src.qpath());
        p.start("dpkg-shlibdeps", args);
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        const QString shlibs = QRegularExpression("shlibs:Depends=(.*)").match(out).captured(1);
        QVERIFY2(!shlibs.isEmpty(), qPrintable(out));
        const QStringList have = packageNames(field("Depends"));
        for (const QString& alt : shlibs.split(',')) {
            const QString need = packageNames(alt).first();
            QVERIFY2(have.contains(need),
                     qPrintable("dpkg-shlibdeps says the binaries need " + alt.trimmed() +
                                "; add it to Depends in cmake/AnnealPackaging.cmake"));
        }
    }

    void installedCliRunsTheDefaultExample() {
        const QString cli = root("usr/bin/anneal-cli");
        const auto v = runProcess(cli, {"--version"});
        QVERIFY2(v.exitCode == 0, qPrintable(v.err));
        QCOMPARE(v.out.trimmed(), "anneal-cli " + m_version);
        const QString db = m_dir.qpath("installed.db");
        // The default example warms up for 50 steps; 20 steps need a shorter warmup.
        const auto r =
            runProcess(cli,
                       {"run", root("usr/share/anneal/experiments/default.toml"), "--set", "train.steps=20",
                        "--set", "schedule.warmup_steps=2", "--db", db, "--json", "--quiet"},
                       300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["status"].toString(), QString("completed"));
        QCOMPARE(j["steps"].toInt(), 20);
        QVERIFY(j["final_train_loss"].toDouble() > 0);
        // Every installed example is valid for the installed binary (real-text.toml with a stand-in
        // for the prepared corpus).
        TempDir corpus;
        writeStandInCorpus(corpus.path());
        for (const QString& toml : QDir(root("usr/share/anneal/experiments")).entryList({"*.toml"})) {
            const auto c = runProcess(cli, {"check", root("usr/share/anneal/experiments/" + toml)}, 120000,
                                      {"ANNEAL_CORPUS=" + corpus.qpath(),
                                       "ANNEAL_CACHE_DIR=" + corpus.qpath(QStringLiteral("cache"))});
            QVERIFY2(c.exitCode == 0, qPrintable(toml + ": " + c.err));
        }
    }

    void installedAppPrintsVersion() {
        if (!m_gui) {
            QVERIFY(!QFileInfo::exists(root("usr/bin/anneal")));
            return;
        }
        const auto v =
            runProcess(root("usr/bin/anneal"), {"--version"}, 60000, {"QT_QPA_PLATFORM=offscreen"});
        QVERIFY2(v.exitCode == 0, qPrintable(v.err));
        QCOMPARE(v.out.trimmed(), "anneal " + m_version);
    }

    void bashCompletionInstalled() {
        const QString file = root("usr/share/bash-completion/completions/anneal-cli");
        const auto r = runProcess(
            "bash", {"--norc", "--noprofile", "-c", "source \"$0\" && complete -p anneal-cli", file});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), QString("complete -F _anneal_cli anneal-cli"));
    }
};

QTEST_APPLESS_MAIN(TestPackage)
#include "test_package.moc"
