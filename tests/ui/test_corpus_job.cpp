// SPDX-License-Identifier: GPL-3.0-or-later
// File ▸ Prepare real-text corpus (CorpusPrepareJob): the backend's prepareCorpus on a pool thread,
// its progress in a non-modal dialog while the GUI thread keeps running, the summary at the end,
// Cancel, and an error naming the package; offline, from a .deb built here with dpkg-deb -b.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

#include "corpus_prepare_job.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

/// PACKAGE_1.0-1_all.deb in `debs` (fortunes-de or fortunes-ru), with `files` fortune files of two
/// fortunes each in usr/share/games/fortunes/LANG.
void makeFortunes(const QString& debs, const QString& package, const QString& lang, int files) {
    test::TempDir tree;
    const QString root = tree.qpath("root");
    QDir().mkpath(root + "/DEBIAN");
    const QString dir = root + "/usr/share/games/fortunes/" + lang;
    QDir().mkpath(dir);
    QFile control(root + "/DEBIAN/control");
    QVERIFY(control.open(QIODevice::WriteOnly));
    control.write("Package: " + package.toUtf8() +
                  "\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Test <t@example.org>\n"
                  "Description: test\n");
    control.close();
    for (int i = 0; i < files; ++i) {
        QFile f(dir + "/f" + QString::number(i));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("eins " + QByteArray::number(i) + "\n%\nzwei\n%\n");
    }
    const auto r = test::runProcess(
        "dpkg-deb", {"--root-owner-group", "-Zgzip", "-b", root, debs + "/" + package + "_1.0-1_all.deb"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
}

}  // namespace

class TestCorpusJob : public QObject {
    Q_OBJECT
private slots:
    void preparesWithProgressOffTheGuiThread() {
        test::TempDir debs, out;
        makeFortunes(debs.qpath(), "fortunes-ru", "ru", 3);
        QWidget window;
        CorpusPrepareOptions o;
        o.debsDir = debs.path();
        o.outDir = out.path("corpus");
        o.domains = {"russian"};
        CorpusPrepareJob* job = CorpusPrepareJob::start(&window, o, false);
        QVERIFY(job->dialog() && job->dialog()->isVisible());
        QVERIFY(!job->dialog()->isModal());
        QSignalSpy progress(job, &CorpusPrepareJob::progressed);
        QSignalSpy done(job, &CorpusPrepareJob::finished);
        QVERIFY(done.wait(60000));  // the GUI thread's event loop runs meanwhile
        QVERIFY2(done.first()[0].toBool(), qPrintable(done.first()[1].toString()));
        const QString summary = done.first()[1].toString();
        QVERIFY2(summary.contains(out.qpath("corpus")) && summary.contains("russian"), qPrintable(summary));
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.last()[0].toInt(), 1);
        QCOMPARE(progress.last()[1].toInt(), 1);
        QVERIFY(QFile::exists(out.qpath("corpus/russian/fortunes-ru/f2")));
        QVERIFY(QFile::exists(out.qpath("corpus/manifest.json")));
    }

    void errorNamesThePackage() {
        test::TempDir debs, out;
        makeFortunes(debs.qpath(), "fortunes-de", "de", 3);
        QWidget window;
        CorpusPrepareOptions o;
        o.debsDir = debs.path();
        o.outDir = out.path("corpus");
        o.domains = {"german"};  // manpages-de has no .deb here: an error naming it
        CorpusPrepareJob* job = CorpusPrepareJob::start(&window, o, false);
        QSignalSpy progress(job, &CorpusPrepareJob::progressed);
        QSignalSpy done(job, &CorpusPrepareJob::finished);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first()[0].toBool(), false);
        const QString error = done.first()[1].toString();
        QVERIFY2(error.contains("manpages-de") && error.contains("apt-get download manpages-de"),
                 qPrintable(error));
        QVERIFY(progress.count() >= 1);
        // fortunes-de, prepared before the error, is kept.
        QVERIFY(QFile::exists(out.qpath("corpus/german/fortunes-de/f0")));
    }

    void summaryOfAPreparedCorpus() {
        CorpusPrepareResult r;
        r.dir = "/data/corpus";
        r.prepared = 2;
        r.skipped = 1;
        r.domainBytes = {{"german", 2048}};
        r.snippet = "source = \"text:/data/corpus/german/*/*\"";
        const QString s = corpusSummary(r);
        QVERIFY2(s.contains("/data/corpus") && s.contains("german") && s.contains("real-text.toml") &&
                     s.contains("ANNEAL_CORPUS=/data/corpus"),
                 qPrintable(s));
    }

    void cancelStopsIt() {
        test::TempDir debs, out;
        makeFortunes(debs.qpath(), "fortunes-de", "de", 3000);
        QWidget window;
        CorpusPrepareOptions o;
        o.debsDir = debs.path();
        o.outDir = out.path("corpus");
        o.domains = {"german"};
        CorpusPrepareJob* job = CorpusPrepareJob::start(&window, o, false);
        QSignalSpy done(job, &CorpusPrepareJob::finished);
        job->cancel();
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first()[0].toBool(), false);
        QVERIFY2(done.first()[1].toString().startsWith("Cancelled"), qPrintable(done.first()[1].toString()));
    }
};

QTEST_MAIN(TestCorpusJob)
#include "test_corpus_job.moc"
