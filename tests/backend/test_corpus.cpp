// SPDX-License-Identifier: GPL-3.0-or-later
// corpus prepare (anneal/corpus.h, anneal-cli corpus prepare) against tiny Debian packages built
// here with dpkg-deb -b, offline (--debs): the files each package contributes (fortune .dat
// indexes, .u8 links and other files left out; a manual page rendered to text), the manifest
// (sha256 computed here with QCryptographicHash, bytes, versions, licences from DEP-5 and
// free-form copyright files), idempotence, repair of a changed file, errors naming the package,
// cancellation, and ${ANNEAL_CORPUS} in an experiment's source.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>
#include <map>

#include "anneal/config.h"
#include "anneal/corpus.h"
#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/store.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

const char* kDep5 =
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\n"
    "Copyright: 2024 Someone\nLicense: GPL-2+\n\nFiles: extra/*\nCopyright: 2024 Other\nLicense: MIT\n";

void writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

/// Builds PACKAGE_1.0-1_all.deb in `debs` from files (path inside the package -> content); a
/// content starting with "->" makes a symbolic link to the rest.
void makeDeb(const QString& debs, const QString& package, std::map<QString, QByteArray> files,
             const QByteArray& copyright = kDep5) {
    test::TempDir tree;
    const QString root = tree.qpath("root");
    writeFile(root + "/DEBIAN/control", "Package: " + package.toUtf8() +
                                            "\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Test "
                                            "<test@example.org>\nInstalled-Size: 10\nDescription: test\n");
    if (!copyright.isEmpty()) {
        files["usr/share/doc/" + package + "/copyright"] = copyright;
    }
    for (const auto& [path, content] : files) {
        if (content.startsWith("->")) {
            QDir().mkpath(QFileInfo(root + "/" + path).path());
            QVERIFY(QFile::link(QString::fromUtf8(content.mid(2)), root + "/" + path));
        } else {
            writeFile(root + "/" + path, content);
        }
    }
    const auto r = test::runProcess(
        "dpkg-deb", {"--root-owner-group", "-Zgzip", "-b", root, debs + "/" + package + "_1.0-1_all.deb"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
}

QByteArray gzip(const QByteArray& text) {
    test::TempDir d;
    writeFile(d.qpath("page"), text);
    const auto r = test::runProcess("gzip", {"-n", d.qpath("page")});
    QFile f(d.qpath("page.gz"));
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

/// The packages of the prose, code and german domains, as small as they can be.
void makeDebs(const QString& debs) {
    const QString games = "usr/share/games/fortunes/";
    makeDeb(debs, "fortunes-min",
            {{games + "fortunes", "one\n%\ntwo\n%\n"},
             {games + "fortunes.dat", QByteArray("\x00\x01\x02", 3)},
             {games + "fortunes.u8", "->fortunes"}});
    makeDeb(debs, "fortunes", {{games + "art", "art one\n%\nart two\n%\n"}},
            "Free-form copyright: these fortunes are in the public domain.\n");
    makeDeb(debs, "python3.11-doc",
            {{"usr/share/doc/python3.11/html/_sources/library/os.rst.txt", ":mod:`os`\n=========\n"},
             {"usr/share/doc/python3.11/html/_sources/about.rst.txt", "About\n=====\n"},
             {"usr/share/doc/python3.11/html/index.html", "<html></html>"}});
    makeDeb(debs, "libpython3.11-stdlib",
            {{"usr/lib/python3.11/json/__init__.py", "import os\n"},
             {"usr/lib/python3.11/LICENSE.txt", "licence\n"},
             {"usr/share/doc/libpython3.11-stdlib", "->libpython3.11-minimal"}},
            {});
    makeDeb(debs, "linux-libc-dev", {{"usr/include/linux/types.h", "#define X 1\n"}});
    makeDeb(debs, "fortunes-de", {{games + "de/witze", "eins\n%\nzwei\n%\n"}});
    makeDeb(debs, "manpages-de",
            {{"usr/share/man/de/man1/hallo.1.gz",
              gzip(".TH HALLO 1\n.SH BEZEICHNUNG\nhallo \\- grüßt die Welt\n")}});
}

QByteArray sha256(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

QJsonArray manifestFiles(const QString& dir) {
    QFile f(dir + "/manifest.json");
    f.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(f.readAll()).object()["files"].toArray();
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

}  // namespace

class TestCorpus : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        m_debs = std::make_unique<test::TempDir>();
        makeDebs(m_debs->qpath());
    }

    void preparesFilesAndManifest() {
        test::TempDir out;
        CorpusPrepareOptions o;
        o.outDir = out.path();
        o.debsDir = m_debs->path();
        o.domains = {"prose", "code", "german"};
        std::vector<CorpusProgress> lines;
        const CorpusPrepareResult r = prepareCorpus(o, [&](const CorpusProgress& p) { lines.push_back(p); });
        QCOMPARE(r.prepared, 7);
        QCOMPARE(r.skipped, 0);
        QVERIFY(!lines.empty());
        QCOMPARE(lines.back().done, 7);
        QCOMPARE(lines.back().total, 7);
        const QStringList expected = {"code/libpython3.11-stdlib/json____init__.py",
                                      "code/linux-libc-dev/linux__types.h",
                                      "german/fortunes-de/witze",
                                      "german/manpages-de/man1__hallo.1.txt",
                                      "prose/fortunes-min/fortunes",
                                      "prose/fortunes/art",
                                      "prose/python3.11-doc/about.rst.txt",
                                      "prose/python3.11-doc/library__os.rst.txt"};
        const QJsonArray files = manifestFiles(out.qpath());
        QStringList paths;
        std::map<std::string, std::int64_t> bytes;
        for (const auto& v : files) {
            const QJsonObject f = v.toObject();
            const QString path = f["path"].toString();
            paths << path;
            QCOMPARE(f["sha256"].toString().toUtf8(), sha256(out.qpath(path)));
            QCOMPARE(f["bytes"].toInteger(), QFileInfo(out.qpath(path)).size());
            QCOMPARE(f["version"].toString(), QString("1.0-1"));
            QVERIFY(path.startsWith(f["domain"].toString() + "/" + f["package"].toString() + "/"));
            bytes[f["domain"].toString().toStdString()] += f["bytes"].toInteger();
            const QString license = f["license"].toString();
            if (f["package"] == "fortunes") {
                QCOMPARE(license, QString("see copyright/fortunes"));
            } else if (f["package"] == "libpython3.11-stdlib") {
                QVERIFY2(license.contains("libpython3.11-minimal"), qPrintable(license));
            } else {
                QCOMPARE(license, QString("GPL-2+, MIT"));
            }
        }
        QCOMPARE(paths, expected);
        QCOMPARE(r.files.size(), size_t{8});
        for (const auto& [d, b] : r.domainBytes) {
            QCOMPARE(b, bytes[d]);
        }
        QVERIFY(QFile::exists(out.qpath("copyright/fortunes")));
        QFile man(out.qpath("german/manpages-de/man1__hallo.1.txt"));
        QVERIFY(man.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(man.readAll());
        QVERIFY2(text.contains("grüßt die Welt") && text.contains("BEZEICHNUNG"), qPrintable(text));
        QVERIFY(!text.contains("\x1b"));
        QVERIFY(r.snippet.find("source = \"text:" + out.path() + "/prose/*/*\"") != std::string::npos);
        QVERIFY(r.snippet.find("separator = \"%\"") != std::string::npos);
    }

    void rerunSkipsAndRepairs() {
        test::TempDir out;
        CorpusPrepareOptions o;
        o.outDir = out.path();
        o.debsDir = m_debs->path();
        o.domains = {"prose"};
        prepareCorpus(o);
        QFile mf(out.qpath("manifest.json"));
        mf.open(QIODevice::ReadOnly);
        const QByteArray before = mf.readAll();
        mf.close();
        const CorpusPrepareResult again = prepareCorpus(o);
        QCOMPARE(again.prepared, 0);
        QCOMPARE(again.skipped, 3);
        mf.open(QIODevice::ReadOnly);
        QCOMPARE(mf.readAll(), before);
        mf.close();
        // A changed file no longer matches the manifest: its package is prepared again.
        writeFile(out.qpath("prose/fortunes/art"), "changed\n");
        const CorpusPrepareResult repaired = prepareCorpus(o);
        QCOMPARE(repaired.prepared, 1);
        QCOMPARE(repaired.skipped, 2);
        QFile art(out.qpath("prose/fortunes/art"));
        art.open(QIODevice::ReadOnly);
        QCOMPARE(art.readAll(), QByteArray("art one\n%\nart two\n%\n"));
        // Another domain is added beside the first; the manifest keeps both.
        o.domains = {"code"};
        prepareCorpus(o);
        QCOMPARE(manifestFiles(out.qpath()).size(), 6);
    }

    void errorsNameThePackage() {
        test::TempDir out;
        CorpusPrepareOptions o;
        o.outDir = out.path();
        o.debsDir = m_debs->path();
        o.domains = {"reference"};  // no dict-* .deb was built
        const std::string msg = errorOf([&] { prepareCorpus(o); });
        QVERIFY2(msg.find("dict-gcide") != std::string::npos &&
                     msg.find("apt-get download dict-gcide") != std::string::npos,
                 msg.c_str());
        o.domains = {"klingon"};
        const std::string unknown = errorOf([&] { prepareCorpus(o); });
        QVERIFY2(unknown.find("klingon") != std::string::npos && unknown.find("prose") != std::string::npos,
                 unknown.c_str());
        o.domains = {"prose"};
        std::atomic<bool> cancel{true};
        try {
            prepareCorpus(o, {}, &cancel);
            QFAIL("not cancelled");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::Cancelled);
        }
    }

    void cli() {
        test::TempDir out;
        const auto r = test::runCli({"corpus", "prepare", "--debs", m_debs->qpath(), "--out", out.qpath("c"),
                                     "--domains", "prose,code", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("[1/5] fortunes-min"), qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["prepared"].toInt(), 5);
        QCOMPARE(j["files"].toArray().size(), 6);
        qint64 prose = 0;
        for (const auto& f : j["files"].toArray()) {
            if (f.toObject()["domain"] == "prose") {
                prose += QFileInfo(out.qpath("c/" + f.toObject()["path"].toString())).size();
            }
        }
        QCOMPARE(j["domain_bytes"].toObject()["prose"].toInteger(), prose);
        const auto again = test::runCli({"corpus", "prepare", "--debs", m_debs->qpath(), "--out",
                                         out.qpath("c"), "--domains", "prose,code"});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY2(again.out.contains("0 prepared, 5 already there"), qPrintable(again.out));
        QVERIFY(again.out.contains("[[data.domain]]"));
        const auto missing = test::runCli({"corpus", "prepare", "--debs", m_debs->qpath(), "--out",
                                           out.qpath("c"), "--domains", "chinese"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("fortunes-zh"), qPrintable(missing.err));
    }

    void experimentsReadTheCorpusVariable() {
        test::TempDir dir;
        const std::string toml =
            "[model]\ncontext = 16\n[[data.domain]]\nname = \"prose\"\n"
            "source = \"text:${ANNEAL_CORPUS}/prose/*/*\"\n"
            "[data.domain.params]\nseparator = \"%\"\n";
        qputenv("ANNEAL_CORPUS", dir.qpath("none").toUtf8());
        const std::string msg = errorOf([&] { parseExperiment(toml, "<test>"); });
        QVERIFY2(msg.find("not prepared") != std::string::npos &&
                     msg.find("anneal-cli corpus prepare") != std::string::npos &&
                     msg.find("data.domain[0].source") != std::string::npos,
                 msg.c_str());
        CorpusPrepareOptions o;
        o.outDir = dir.path("corpus");
        o.debsDir = m_debs->path();
        o.domains = {"prose"};
        prepareCorpus(o);
        qputenv("ANNEAL_CORPUS", dir.qpath("corpus").toUtf8());
        QCOMPARE(defaultCorpusDirectory(), dir.path("corpus"));
        const Dataset ds(parseExperiment(toml, "<test>"));
        // fortunes: one, two; art: art one, art two; two .rst.txt files: one document each.
        QCOMPARE(ds.source(0).corpus()->documents, std::int64_t{6});
        QCOMPARE(ds.source(0).corpus()->files.size(), size_t{4});
        qunsetenv("ANNEAL_CORPUS");
    }

    void defaultDirectoriesFollowXdg() {
        // The XDG base directory specification, written out: $ANNEAL_* wins, then $XDG_DATA_HOME,
        // then $HOME/.local/share; an empty variable counts as unset.
        const QByteArray saved[] = {qgetenv("ANNEAL_CORPUS"), qgetenv("ANNEAL_DB"), qgetenv("XDG_DATA_HOME"),
                                    qgetenv("HOME")};
        qunsetenv("ANNEAL_CORPUS");
        qputenv("ANNEAL_DB", "");
        qputenv("XDG_DATA_HOME", "/xdg/data");
        qputenv("HOME", "/home/u");
        QCOMPARE(defaultCorpusDirectory(), std::string("/xdg/data/anneal/corpus"));
        QCOMPARE(defaultDatabasePath(), std::string("/xdg/data/anneal/anneal.db"));
        qputenv("XDG_DATA_HOME", "");
        QCOMPARE(defaultCorpusDirectory(), std::string("/home/u/.local/share/anneal/corpus"));
        QCOMPARE(defaultDatabasePath(), std::string("/home/u/.local/share/anneal/anneal.db"));
        qputenv("ANNEAL_CORPUS", "/mine/corpus");
        qputenv("ANNEAL_DB", "/mine/lab.db");
        QCOMPARE(defaultCorpusDirectory(), std::string("/mine/corpus"));
        QCOMPARE(defaultDatabasePath(), std::string("/mine/lab.db"));
        const char* names[] = {"ANNEAL_CORPUS", "ANNEAL_DB", "XDG_DATA_HOME", "HOME"};
        for (int i = 0; i < 4; ++i) {
            saved[i].isNull() ? qunsetenv(names[i]) : qputenv(names[i], saved[i]);
        }
    }

private:
    std::unique_ptr<test::TempDir> m_debs;
};

QTEST_APPLESS_MAIN(TestCorpus)
#include "test_corpus.moc"
