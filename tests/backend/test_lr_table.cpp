// SPDX-License-Identifier: GPL-3.0-or-later
// The `table` schedule kind (lr_table.h): the `step,lr` file's errors name the file, line and what is
// allowed; interpolation against values worked out by hand; the resolved config carries the knots, so a
// run (and a branch of it) does not change when the file changes later; a short run applies and logs
// exactly the table's LRs.
#include <QtTest>

#include <fstream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/lr_table.h"
#include "anneal/run_session.h"
#include "anneal/schedule.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

void writeFile(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

/// The error of parsing `text` as lr.csv (empty field when it parses).
Error csvError(const std::string& text) {
    try {
        parseLrTableCsv(text, "lr.csv");
    } catch (const Error& e) {
        return e;
    }
    return Error(ErrorCode::Internal, "no error");
}

const std::string kBase =
    "[[data.domain]]\nname = \"a\"\nsource = \"synthetic:noise\"\n[train]\nsteps = 30\n";

}  // namespace

class TestLrTable : public QObject {
    Q_OBJECT
private slots:
    void badFilesNameFileLineAndAllowed_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("allowed");
        QTest::newRow("empty") << ""
                               << "lr.csv"
                               << "the header line step,lr, then rows";
        QTest::newRow("header") << "t,lr\n0,1\n"
                                << "lr.csv:1"
                                << "the header line step,lr";
        QTest::newRow("no rows") << "step,lr\n"
                                 << "lr.csv"
                                 << "at least the row of step 0";
        QTest::newRow("one column") << "step,lr\n0\n"
                                    << "lr.csv:2"
                                    << "step,lr";
        QTest::newRow("three columns") << "step,lr\n0,1,2\n"
                                       << "lr.csv:2"
                                       << "step,lr";
        QTest::newRow("step not integer") << "step,lr\n0,1\n1.5,1\n"
                                          << "lr.csv:3"
                                          << "an integer step >= 0";
        QTest::newRow("negative LR") << "step,lr\n0,1e-3\n10,-1e-4\n"
                                     << "lr.csv:3"
                                     << "a finite LR >= 0";
        QTest::newRow("nan LR") << "step,lr\n0,nan\n"
                                << "lr.csv:2"
                                << "a finite LR >= 0";
        QTest::newRow("LR not a number") << "step,lr\n# comment\n0,fast\n"
                                         << "lr.csv:3"
                                         << "a finite LR >= 0";
        QTest::newRow("missing step 0") << "step,lr\n5,1e-3\n"
                                        << "lr.csv:2"
                                        << "a first row at step 0 (the LR of the first update)";
        QTest::newRow("repeated step") << "step,lr\n0,1\n4,1\n4,2\n"
                                       << "lr.csv:4"
                                       << "strictly increasing steps";
        QTest::newRow("decreasing step") << "step,lr\n0,1\n\n9,1\n4,2\n"
                                         << "lr.csv:5"
                                         << "strictly increasing steps";
    }
    void badFilesNameFileLineAndAllowed() {
        QFETCH(QString, text);
        QFETCH(QString, field);
        QFETCH(QString, allowed);
        const Error e = csvError(text.toStdString());
        QCOMPARE(e.code(), ErrorCode::InvalidConfig);
        QCOMPARE(QString::fromStdString(e.field()), field);
        QCOMPARE(QString::fromStdString(e.allowed()), allowed);
    }

    void interpolatesBetweenKnotsAndHoldsTheLast() {
        const LrTable t = parseLrTableCsv("step,lr\n0,0.001\n10,0.002\n20,0\n# end\n", "lr.csv");
        const std::vector<std::pair<std::int64_t, double>> hand = {{0, 0.001},  {5, 0.0015}, {1, 0.0011},
                                                                   {10, 0.002}, {15, 0.001}, {19, 0.0002},
                                                                   {20, 0.0},   {25, 0.0}};
        for (const auto& [step, want] : hand) {
            QVERIFY2(
                std::abs(tableLr(t.steps, t.lrs, step) - want) <= 1e-18,
                qPrintable(
                    QString("step %1: %2 != %3").arg(step).arg(tableLr(t.steps, t.lrs, step)).arg(want)));
        }
        // At a knot the value is the knot's, bit for bit, and a per-step table is returned as it is.
        QCOMPARE(tableLr(t.steps, t.lrs, 10), 0.002);
        const std::vector<double> perStep = {3e-4, 2.9e-4, 2.9e-4, 2.9e-4, 1e-5, 1e-5};
        const LrTable k = lrTableFromSequence(perStep);
        QCOMPARE(k.steps, (std::vector<std::int64_t>{0, 1, 3, 4, 5}));
        for (size_t u = 0; u < perStep.size(); ++u) {
            QCOMPARE(tableLr(k.steps, k.lrs, std::int64_t(u)), perStep[u]);
        }
        QCOMPARE(parseLrTableCsv(lrTableCsv(k), "x").lrs, k.lrs);  // the writer's numbers read back exactly
    }

    void experimentReadsTheFileRelativeToItself() {
        test::TempDir dir;
        writeFile(dir.path("lr.csv"), "step,lr\n0,0.001\n10,0.002\n20,0.0005\n29,0.0001\n");
        writeFile(dir.path("e.toml"), kBase + "[schedule]\nkind = \"table\"\nfile = \"lr.csv\"\n");
        const ExperimentSpec s = loadExperiment(dir.path("e.toml"));
        QCOMPARE(s.schedule.kind, std::string("table"));
        QCOMPARE(s.train.lr, 0.002);                         // train.lr is the table's largest applied LR
        QCOMPARE(s.schedule.warmupSteps, std::int64_t{10});  // where the laws take warmup to end
        QCOMPARE(learningRate(s, 5), 0.0015);
        QCOMPARE(learningRate(s, 29), 0.0001);
        QCOMPARE(learningRate(s, 20), 0.0005);
        QCOMPARE(lrMultiplier(s.schedule, 10, 30), 1.0);
    }

    void resolvedConfigCarriesTheKnotsAndIgnoresLaterFileChanges() {
        test::TempDir dir;
        const std::string csv = dir.path("lr.csv");
        writeFile(csv, "step,lr\n0,3e-4\n5,0.001\n12,0.001\n29,1.7e-5\n");
        const ExperimentSpec a =
            parseExperiment(kBase + "[schedule]\nkind = \"table\"\nfile = \"" + csv + "\"\n", "<t>");
        const std::string resolved = toToml(a);
        QVERIFY(resolved.find("steps = [") != std::string::npos);
        QVERIFY(resolved.find("lrs = [") != std::string::npos);
        QVERIFY(resolved.find("\nfile =") == std::string::npos);
        writeFile(csv, "step,lr\n0,1\n29,1\n");  // the file changes after the run started
        const ExperimentSpec b = parseExperiment(resolved, "<resolved>");
        QCOMPARE(learningRates(b), learningRates(a));
        QCOMPARE(toToml(b), resolved);
        QCOMPARE(b.schedule.tableSource, csv);
    }

    void inlineKnotsAndTheirErrors_data() {
        QTest::addColumn<QString>("schedule");
        QTest::addColumn<QString>("field");
        QTest::newRow("file and knots") << "file = \"x.csv\"\nsteps = [0]\nlrs = [1e-3]\n"
                                        << "schedule.file";
        QTest::newRow("steps only") << "steps = [0, 29]\n"
                                    << "schedule.lrs";
        QTest::newRow("nothing") << ""
                                 << "schedule.file";
        QTest::newRow("lengths differ") << "steps = [0, 29]\nlrs = [1e-3]\n"
                                        << "schedule.lrs";
        QTest::newRow("not from 0") << "steps = [1, 29]\nlrs = [1e-3, 1e-3]\n"
                                    << "schedule.steps[0]";
        QTest::newRow("not increasing") << "steps = [0, 29, 29]\nlrs = [1e-3, 1e-3, 0]\n"
                                        << "schedule.steps[2]";
        QTest::newRow("float step") << "steps = [0, 2.5]\nlrs = [1e-3, 1e-3]\n"
                                    << "schedule.steps[1]";
        QTest::newRow("negative LR") << "steps = [0, 29]\nlrs = [1e-3, -1e-3]\n"
                                     << "schedule.lrs[1]";
        QTest::newRow("too short") << "steps = [0, 20]\nlrs = [1e-3, 1e-4]\n"
                                   << "schedule.steps";
        QTest::newRow("warmup key") << "steps = [0, 29]\nlrs = [1e-3, 1e-4]\nwarmup_steps = 3\n"
                                    << "schedule.warmup_steps";
        QTest::newRow("missing file") << "file = \"/nonexistent/lr.csv\"\n"
                                      << "schedule.file";
    }
    void inlineKnotsAndTheirErrors() {
        QFETCH(QString, schedule);
        QFETCH(QString, field);
        try {
            parseExperiment(kBase + "[schedule]\nkind = \"table\"\n" + schedule.toStdString(), "<t>");
            QFAIL("accepted");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.field()), field);
        }
    }

    void aDifferentTrainLrIsAnError() {
        const std::string toml =
            "[[data.domain]]\nname = \"a\"\nsource = \"synthetic:noise\"\n[train]\nsteps = 30\n"
            "lr = 0.01\n[schedule]\nkind = \"table\"\nsteps = [0, 29]\nlrs = [1e-3, 1e-4]\n";
        try {
            parseExperiment(toml, "<t>");
            QFAIL("accepted");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("train.lr"));
            QCOMPARE(QString::fromStdString(e.allowed()), QStringLiteral("no train.lr, or train.lr = 0.001"));
        }
        QCOMPARE(parseExperiment(toml, "<t>", {"train.lr=0.001"}).train.lr, 1e-3);
    }

    void aRunAppliesAndLogsExactlyTheTablesLrs() {
        test::TempDir dir;
        const std::string csv = dir.path("lr.csv");
        // Per-step values with a gap (steps 6..9 interpolated) and an odd last value.
        writeFile(csv,
                  "step,lr\n0,0.001\n1,0.003\n2,0.01\n3,0.007\n4,0.00625\n5,0.005\n10,0.0025\n11,0.000123\n");
        const std::vector<Override> ov = {"!train.lr", "!schedule.warmup_steps", "schedule.kind=\"table\"",
                                          "schedule.file=\"" + csv + "\""};
        const ExperimentSpec spec = parseExperiment(test::tinyExperimentToml(12, 3), "<tiny>", ov);
        const std::string db = dir.path("t.db");
        const std::int64_t id = test::runToml(db, test::tinyExperimentToml(12, 3), ov);
        const std::vector<double> logged = test::storedMetric(db, id, "lr");
        const std::vector<double> want = {0.001,  0.003, 0.01,   0.007, 0.00625, 0.005,
                                          0.0045, 0.004, 0.0035, 0.003, 0.0025,  0.000123};
        QCOMPARE(logged.size(), want.size());
        for (size_t t = 0; t < want.size(); ++t) {
            QVERIFY2(std::abs(logged[t] - want[t]) <= 1e-18, qPrintable(QString("step %1").arg(t)));
            QCOMPARE(logged[t], learningRate(spec, std::int64_t(t)));  // exactly what the schedule gives
        }
    }

    // A branch of a table-schedule run, made after its file changed, repeats the parent bit for bit: the
    // run holds the knots, not the file.
    void branchAfterTheFileChangedRepeatsTheRun() {
        test::TempDir dir;
        const std::string csv = dir.path("lr.csv"), db = dir.path("b.db");
        writeFile(csv, "step,lr\n0,0.002\n5,0.01\n30,0.01\n39,0.0004\n");
        const std::vector<Override> ov = {"!train.lr",
                                          "!schedule.warmup_steps",
                                          "schedule.kind=\"table\"",
                                          "schedule.file=\"" + csv + "\"",
                                          "log.checkpoint_every=10",
                                          "log.keep_checkpoints=10"};
        const std::int64_t parent = test::runToml(db, test::tinyExperimentToml(40, 4), ov, "parent");
        const auto loss = test::storedMetric(db, parent, "train_loss");
        const auto lr = test::storedMetric(db, parent, "lr");
        writeFile(csv, "step,lr\n0,0.5\n39,0.5\n");
        auto branch = RunSession::branch(db, parent, 20, {});
        test::driveSession(*branch);
        QVERIFY(test::bitIdentical(test::storedMetric(db, branch->runId(), "train_loss"),
                                   std::vector<double>(loss.begin() + 20, loss.end())));
        QVERIFY(test::bitIdentical(test::storedMetric(db, branch->runId(), "lr"),
                                   std::vector<double>(lr.begin() + 20, lr.end())));
    }
};

QTEST_APPLESS_MAIN(TestLrTable)
#include "test_lr_table.moc"
