// SPDX-License-Identifier: GPL-3.0-or-later
// Study reports (anneal-cli report, backend/src/report): a tiny plan is swept, then reported; the
// Markdown's numbers are read back and compared with the database, the analyses' numbers with values
// recomputed here, the figure descriptions with the runs, and the figures themselves (when this build
// has anneal-render next to anneal-cli) checked to be PNGs of the requested size. The pixel content of
// the figures is checked by tests/ui/test_render.cpp.
#include <QtTest>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>
#include <fstream>
#include <map>

#include "anneal/error.h"
#include "anneal/report.h"
#include "anneal/store.h"
#include "anneal/sweep.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

QString readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

/// The cells of the Markdown table row whose first cell is `first`, under the header starting with `header`.
QStringList tableRow(const QString& md, const QString& header, const QString& first) {
    const QStringList lines = md.split('\n');
    bool in = false;
    for (const QString& l : lines) {
        if (l.startsWith("| " + header + " |")) {
            in = true;
            continue;
        }
        if (in && !l.startsWith("|")) {
            in = false;
        }
        if (in && l.startsWith("| " + first + " |")) {
            QStringList cells = l.split(" | ");
            cells.first().remove(0, 2);
            cells.last().chop(2);
            return cells;
        }
    }
    return {};
}

/// Width and height from a PNG's IHDR chunk; {0, 0} when it is not a PNG.
std::pair<quint32, quint32> pngSize(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {0, 0};
    }
    const QByteArray h = f.read(24);
    if (h.size() < 24 || !h.startsWith("\x89PNG\r\n\x1a\n") || h.mid(12, 4) != "IHDR") {
        return {0, 0};
    }
    auto be = [&](int o) {
        return (quint32(quint8(h[o])) << 24) | (quint32(quint8(h[o + 1])) << 16) |
               (quint32(quint8(h[o + 2])) << 8) | quint32(quint8(h[o + 3]));
    };
    return {be(16), be(20)};
}

double lastVal(const Store& s, std::int64_t run, const std::string& metric) {
    const auto m = s.metric(run, metric);
    return m.values.empty() ? NAN : m.values.back();
}

}  // namespace

class TestReport : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;
    QString m_plan, m_db;
    std::map<std::string, RunRecord> m_runs;  // by name

    test::ProcessResult report(const QStringList& extra, const QString& out, const QStringList& env = {}) {
        return test::runCli(QStringList{"report", m_plan, "--db", m_db, "--out", out} + extra, 300000, env);
    }

private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        writeFile(m_dir.path("base.toml"),
                  test::tinyExperimentToml(40) + "checkpoint_every = 10\nkeep_checkpoints = 10\n");
        m_plan = m_dir.qpath("plan.toml");
        writeFile(m_plan.toStdString(), R"(name = "tiny-study"
base = "base.toml"
description = "test_report: a constant and a cosine run, and a WSD cooldown branched from the constant one"
[[variant]]
name = "constant"
set = { "schedule.kind" = "constant" }
[[variant]]
name = "cosine"
set = { "schedule.kind" = "cosine", "schedule.final_lr_fraction" = 0.1 }
[[branch]]
name = "cool25"
at_step = 30
variants = ["constant"]
set = { "schedule.kind" = "wsd", "schedule.decay_fraction" = 0.25, "schedule.decay_shape" = "1-sqrt", "schedule.final_lr_fraction" = 0.0 }
[resources]
jobs = 2
)");
        m_db = m_dir.qpath("study.db");
        const auto r = test::runCli({"sweep", m_plan, "--db", m_db}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        auto store = Store::open(m_db.toStdString(), Store::Mode::ReadOnly);
        for (const auto& run : store->listRuns()) {
            m_runs[run.name] = run;
        }
        QCOMPARE(m_runs.size(), size_t{3});
        QVERIFY(m_runs.count("constant/cool25"));
    }

    void aucCountsPairs() {
        auto w = [](float weight, bool noisy) {
            SampleWeight s;
            s.weight = weight;
            s.noisy = noisy;
            return s;
        };
        // Clean {2, 3} against noisy {1, 2}: (2>1) + (2=2)/2 + (3>1) + (3>2) = 3.5 of 4 pairs.
        QCOMPARE(report::cleanOverNoisyAuc({w(2, false), w(3, false), w(1, true), w(2, true)}), 0.875);
        QCOMPARE(report::cleanOverNoisyAuc({w(1, false), w(1, true)}), 0.5);
        QCOMPARE(report::cleanOverNoisyAuc({w(0.5f, false), w(2, true), w(3, true)}), 0.0);
        QVERIFY(std::isnan(report::cleanOverNoisyAuc({w(1, false)})));
        QCOMPARE(QString::fromStdString(report::formatNumber(-0.00001)), QString("0.0000"));
        QCOMPARE(QString::fromStdString(report::formatNumber(1.23456)), QString("1.2346"));
    }

    void analysisByPlanNameOrFlag() {
        QCOMPARE(report::resolveAnalysis("auto", "wsd-vs-cosine"), std::string("wsd-vs-cosine"));
        QCOMPARE(report::resolveAnalysis("auto", "my-sweep"), std::string("generic"));
        QCOMPARE(report::resolveAnalysis("scaling-entropy", "my-sweep"), std::string("scaling-entropy"));
        try {
            report::resolveAnalysis("nope", "x");
            QFAIL("accepted an unknown analysis");
        } catch (const Error& e) {
            QVERIFY2(
                QString(e.what()).contains("--analysis") && QString(e.what()).contains("lr-annealing-law"),
                e.what());
        }
        const auto bad = report({"--analysis", "nope"}, m_dir.qpath("bad"));
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("unknown analysis"), qPrintable(bad.err));
    }

    void markdownNumbersMatchTheDatabase() {
        const QString out = m_dir.qpath("wsd");
        const auto r = report({"--analysis", "wsd-vs-cosine", "--json"}, out,
                              {"ANNEAL_RENDER=" + m_dir.qpath("no/anneal-render")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString md = readText(out + "/README.md");
        QVERIFY(!md.isEmpty());
        QVERIFY(md.startsWith("# Study report: tiny-study"));
        auto store = Store::open(m_db.toStdString(), Store::Mode::ReadOnly);
        // The runs table: every run with its final val_loss and per-domain losses, as stored.
        for (const auto& [name, run] : m_runs) {
            const QStringList row = tableRow(md, "id", QString::number(run.id));
            QVERIFY2(row.size() == 11,
                     qPrintable(QString("no runs-table row for run %1: %2").arg(run.id).arg(row.join("|"))));
            QCOMPARE(row[1], QString::fromStdString(name));
            QCOMPARE(row[3], QString("completed"));
            QCOMPARE(row[4], QString("40"));
            QCOMPARE(row[7],
                     QString::fromStdString(report::formatNumber(lastVal(*store, run.id, "val_loss"))));
            QCOMPARE(row[8], QString::fromStdString(
                                 report::formatNumber(lastVal(*store, run.id, "val_loss.markov"))));
            QCOMPARE(row[9],
                     QString::fromStdString(report::formatNumber(lastVal(*store, run.id, "val_loss.noise"))));
            if (run.parentId) {
                QCOMPARE(row[2], QString("#%1 @ 30").arg(*run.parentId));
            }
        }
        // The analysis: the cooldown against the cosine baseline.
        const double cosine = lastVal(*store, m_runs["cosine"].id, "val_loss");
        const double cool = lastVal(*store, m_runs["constant/cool25"].id, "val_loss");
        const QStringList row = tableRow(md, "run", "constant/cool25");
        QVERIFY2(row.size() == 7, qPrintable(row.join("|")));
        QCOMPARE(row[2], QString("25% 1-sqrt (from step 30)"));
        QCOMPARE(row[4], QString::fromStdString(report::formatNumber(cool)));
        const std::string delta = report::formatNumber(cool - cosine);
        QCOMPARE(row[5], QString::fromStdString(delta[0] == '-' ? delta : "+" + delta));
        QCOMPARE(tableRow(md, "run", "cosine").value(5), QString("baseline"));
        // The same numbers in --json.
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(j["analysis"].toString(), QString("wsd-vs-cosine"));
        QCOMPARE(j["numbers"].toObject()["cosine.val_loss"].toDouble(), cosine);
        QCOMPARE(j["numbers"].toObject()["cooldown.25.1-sqrt.delta"].toDouble(), cool - cosine);
        QCOMPARE(j["runs"].toArray().size(), 3);
        QVERIFY(j["warnings"].toArray().isEmpty());
        // No renderer: the report says so and keeps the descriptions.
        QCOMPARE(j["figures_rendered"].toBool(), false);
        QVERIFY(md.contains("Figures were not rendered: anneal-render was not found"));
        QVERIFY(!QFileInfo::exists(out + "/wsd-val-loss.png"));
        const QJsonObject figs = QJsonDocument::fromJson(readText(out + "/figures.json").toUtf8()).object();
        QCOMPARE(figs["db"].toString(), QFileInfo(m_db).absoluteFilePath());
        const QJsonArray list = figs["figures"].toArray();
        QCOMPARE(list.size(), 3);
        // Relative to figures.json: the directory can be moved and re-rendered.
        QCOMPARE(list[0].toObject()["out"].toString(), QStringLiteral("wsd-val-loss.png"));
        QCOMPARE(list[0].toObject()["series"].toArray().size(), 3);
        for (const auto& s : list[0].toObject()["series"].toArray()) {
            QVERIFY(store->findRun(s.toObject()["run"].toInteger()).has_value());
        }
    }

    void lrLawPredictionsAreReported() {
        const QString out = m_dir.qpath("law");
        const auto r = report({"--analysis", "lr-annealing-law", "--no-figures", "--json"}, out);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject n = QJsonDocument::fromJson(r.out.toUtf8()).object()["numbers"].toObject();
        auto store = Store::open(m_db.toStdString(), Store::Mode::ReadOnly);
        for (const auto& [name, run] : m_runs) {
            const QString k = QString::fromStdString(name);
            QCOMPARE(n[k + ".measured"].toDouble(), lastVal(*store, run.id, "val_loss"));
            QVERIFY2(std::isfinite(n[k + ".predicted"].toDouble()), qPrintable(k));
            QCOMPARE(n[k + ".error"].toDouble(),
                     (n[k + ".predicted"].toDouble() - n[k + ".measured"].toDouble()) /
                         n[k + ".measured"].toDouble());
        }
        QVERIFY(n["fit.L0"].toDouble() > 0);
        const QString md = readText(out + "/README.md");
        QCOMPARE(tableRow(md, "run", "constant/cool25").value(2), QString("predicted"));
        QCOMPARE(tableRow(md, "run", "cosine").value(2), QString("fit"));
        QVERIFY(md.contains("Figures were not rendered (--no-figures)"));
    }

    void aGroupWithoutRunsIsAnError() {
        const QString other = m_dir.qpath("other.toml");
        writeFile(other.toStdString(), "name = \"never-run\"\nbase = \"base.toml\"\n");
        const auto r = test::runCli({"report", other, "--db", m_db, "--out", m_dir.qpath("none")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("has no run of the group \"never-run\""), qPrintable(r.err));
    }

    void renderedFiguresArePngs() {
        const QString renderer = QFileInfo(test::cliPath()).absoluteDir().filePath("anneal-render");
        if (!QFileInfo(renderer).isExecutable()) {
            QSKIP("no anneal-render next to anneal-cli (a build without ANNEAL_BUILD_GUI)");
        }
        const QString out = m_dir.qpath("rendered");
        const auto r = report({"--analysis", "generic"}, out, {"QT_QPA_PLATFORM=offscreen"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString md = readText(out + "/README.md");
        QVERIFY2(md.contains("![" + QString("tiny-study: validation loss") + "](val-loss.png)"),
                 qPrintable(md.right(600)));
        const auto size = pngSize(out + "/val-loss.png");
        QCOMPARE(size.first, quint32{1920});  // 960 x 540 at twice the screen resolution
        QCOMPARE(size.second, quint32{1080});
        QVERIFY(QFileInfo(out + "/val-loss.png").size() > 10000);
        QVERIFY(!QFileInfo::exists(out + "/render.log"));
    }
};

QTEST_GUILESS_MAIN(TestReport)
#include "test_report.moc"
