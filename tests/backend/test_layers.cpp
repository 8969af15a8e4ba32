// SPDX-License-Identifier: GPL-3.0-or-later
// scripts/check-layers.py (docs/ARCHITECTURE.md): the sources as they are pass it, and each kind of
// violation planted in a copy of the tree fails it with the file, the line and the two layers.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "process.h"
#include "temp_paths.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

QString script() { return QString::fromStdString(test::sourceFile("scripts/check-layers.py")); }

/// A copy of backend/ (sources and headers only) under dir/tree, with `text` appended to `file`.
std::string plantedTree(const test::TempDir& dir, const std::string& file, const std::string& text) {
    const fs::path src = fs::path(test::sourceFile("backend"));
    const fs::path root = fs::path(dir.path("tree"));
    fs::create_directories(root);
    fs::copy(src, root / "backend", fs::copy_options::recursive);
    std::ofstream(root / file, std::ios::app) << text;
    return root.string();
}

}  // namespace

class TestLayers : public QObject {
    Q_OBJECT
private slots:
    void sourcesPass() {
        const auto r = test::runProcess(kPython, {script(), QString::fromStdString(test::sourceFile("."))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains("every backend include goes down the layers"));
    }

    void violationsFail_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("store includes fit") << "backend/src/store/store.cpp"
                                            << "#include \"anneal/fit/fit.h\"\n"
                                            << "store (layer 5) includes anneal/fit/fit.h (fit, layer 7)";
        QTest::newRow("data includes config")
            << "backend/src/data/dataset.cpp"
            << "#include \"config/kind_keys.h\"\n"
            << "data (layer 2) includes config/kind_keys.h (config, layer 3)";
        QTest::newRow("same layer") << "backend/src/model/gpt.cpp"
                                    << "#include \"anneal/schedule.h\"\n"
                                    << "model (layer 1) includes anneal/schedule.h (schedule, layer 1)";
        QTest::newRow("core includes store") << "backend/include/anneal/events.h"
                                             << "#include \"anneal/store.h\"\n"
                                             << "core (layer 0) includes anneal/store.h";
        QTest::newRow("Qt in the backend") << "backend/src/fit/law.cpp"
                                           << "#include <QString>\n"
                                           << "the backend includes a Qt header <QString>";
        QTest::newRow("unclaimed header") << "backend/include/anneal/newthing.h"
                                          << "#pragma once\n"
                                          << "a public header no layer claims";
    }

    void violationsFail() {
        QFETCH(QString, file);
        QFETCH(QString, line);
        QFETCH(QString, expected);
        test::TempDir dir;
        const std::string root = plantedTree(dir, file.toStdString(), line.toStdString());
        const auto r = test::runProcess(kPython, {script(), QString::fromStdString(root)});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(file) && r.out.contains(expected), qPrintable(r.out));
    }
};

QTEST_APPLESS_MAIN(TestLayers)
#include "test_layers.moc"
