// SPDX-License-Identifier: GPL-3.0-or-later
// Numerical faults, provoked without any fault injection (CPU, deterministic):
//   - train.lr = 10 with train.weight_decay = 10 (both the largest the format allows) and
//     grad_clip = 0: AdamW's decoupled decay multiplies every matrix by (1 - lr·wd) = -99 per step,
//     so the weights overflow float32 within a few steps and the loss becomes NaN;
//   - the same with 8 layers of width 64: the gradient overflows first (loss still finite), so the
//     gradient-norm guard is the one that fires.
// Without train.skip_nonfinite the run ends `failed` with the cause and the step stored
// (runs.message, runs.message_step), anneal-cli exits 1 and says it. With skip_nonfinite = true the
// updates are skipped and counted: one `skipped_update` notice per step whose loss or gradient was
// not finite, and a closing warning with the count. A loss spike (the mixture switching to random
// bytes mid-run) is recorded as a `spike` notice that `anneal-cli notices` shows.
#include <QtTest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <filesystem>
#include <regex>
#include <set>

#include "reliability_support.h"
#include "temp_paths.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

const char* kExplode = "lr = 10\nweight_decay = 10\ngrad_clip = 0\n";

/// The tiny experiment with [train] keys replaced by `train` and extra tables appended.
std::string spec(int steps, const std::string& train, const std::string& extra = {}, bool deep = false) {
    std::string s = rel::tinySpec(steps, 1, extra);
    s = std::regex_replace(s, std::regex("lr = 0.01\n"), train);
    if (deep) {
        s = std::regex_replace(s, std::regex("n_layer = 1\nd_model = 32\nn_head = 2"),
                               "n_layer = 8\nd_model = 64\nn_head = 4");
    }
    return s;
}

QJsonArray notices(const std::string& db, const std::string& dir) {
    const auto r = rel::runCli({"notices", "1", "--db", db, "--json"}, dir);
    return QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).array();
}

}  // namespace

class TestNumerical : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;

    /// Runs `text` into a new database; returns {result, db path}.
    std::pair<rel::CliResult, std::string> run(const std::string& name, const std::string& text) {
        const std::string dir = m_dir.path(name);
        fs::create_directories(dir);
        rel::writeFile(dir + "/x.toml", text);
        return {rel::runCli({"run", "x.toml", "--db", dir + "/x.db", "--json"}, dir), dir + "/x.db"};
    }

private slots:
    void nonFiniteFailsTheRunWithStepAndCause_data() {
        QTest::addColumn<bool>("deep");
        QTest::addColumn<QString>("cause");
        QTest::newRow("loss") << false << "non-finite loss";
        QTest::newRow("gradient") << true << "non-finite gradient norm";
    }
    void nonFiniteFailsTheRunWithStepAndCause() {
        QFETCH(bool, deep);
        QFETCH(QString, cause);
        const auto [r, db] = run(deep ? "fail-grad" : "fail-loss", spec(40, kExplode, {}, deep));
        QCOMPARE(r.code, 1);
        const QJsonObject j = QJsonDocument::fromJson(QByteArray::fromStdString(r.out)).object();
        QCOMPARE(j["status"].toString(), QString("failed"));
        rel::RawDb raw(db, true);
        const std::string message = *raw.scalar("SELECT message FROM runs WHERE id = 1");
        const std::string step = *raw.scalar("SELECT message_step FROM runs WHERE id = 1");
        QCOMPARE(*raw.scalar("SELECT status FROM runs WHERE id = 1"), std::string("failed"));
        QVERIFY2(message.find(cause.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("at step " + step) != std::string::npos, message.c_str());
        QVERIFY2(message.find("skip_nonfinite") != std::string::npos, message.c_str());  // says what to do
        // The failing step is the first one not stored: every stored loss is finite and they are 0..step-1.
        const auto loss = rel::metricSeries(raw, 1, "train_loss");
        QCOMPARE(std::to_string(loss.first.size()), step);
        for (double v : loss.second) {
            QVERIFY(std::isfinite(v));
        }
        QVERIFY(std::stoi(step) >= 1 && std::stoi(step) < 40);
        qInfo("%s: failed at step %s: %s", qPrintable(cause), step.c_str(), message.c_str());
        // anneal-cli runs shows the cause.
        const auto list = rel::runCli({"runs", "--db", db, "--json"}, m_dir.path());
        QVERIFY(list.out.find(cause.toStdString()) != std::string::npos);
        // Deterministic on CPU: the same run fails at the same step.
        const auto [again, db2] = run(deep ? "fail-grad-2" : "fail-loss-2", spec(40, kExplode, {}, deep));
        QCOMPARE(again.code, 1);
        QCOMPARE(*rel::RawDb(db2, true).scalar("SELECT message_step FROM runs WHERE id = 1"), step);
    }

    void skipNonfiniteSkipsAndCounts_data() {
        QTest::addColumn<bool>("deep");
        QTest::newRow("loss") << false;
        QTest::newRow("gradient") << true;
    }
    void skipNonfiniteSkipsAndCounts() {
        QFETCH(bool, deep);
        const int steps = 30;
        const auto [r, db] = run(deep ? "skip-grad" : "skip-loss",
                                 spec(steps, std::string(kExplode) + "skip_nonfinite = true\n", {}, deep));
        QVERIFY2(r.code == 0, r.err.c_str());
        rel::RawDb raw(db, true);
        QCOMPARE(*raw.scalar("SELECT status FROM runs WHERE id = 1"), std::string("completed"));
        // Steps whose loss or gradient norm was not finite are stored as NULL (= NaN).
        const auto loss = rel::metricSeries(raw, 1, "train_loss");
        const auto grad = rel::metricSeries(raw, 1, "grad_norm");
        QCOMPARE(loss.first.size(), size_t(steps));
        std::set<std::int64_t> nonFinite;
        for (size_t i = 0; i < loss.first.size(); ++i) {
            if (!std::isfinite(loss.second[i]) || !std::isfinite(grad.second[i])) {
                nonFinite.insert(loss.first[i]);
            }
        }
        std::set<std::int64_t> skipped;
        int warnings = 0;
        for (const auto& v : notices(db, m_dir.path())) {
            const QJsonObject n = v.toObject();
            if (n["kind"].toString() == "skipped_update") {
                skipped.insert(n["step"].toInteger());
            } else if (n["kind"].toString() == "warning" &&
                       n["message"].toString().contains(QString::number(nonFinite.size()) +
                                                        " updates were skipped")) {
                ++warnings;
            }
        }
        qInfo("skip_nonfinite: %zu of %d updates skipped, one notice each", skipped.size(), steps);
        QVERIFY(!nonFinite.empty());
        QVERIFY(skipped == nonFinite);
        QCOMPARE(warnings, 1);
    }

    void lossSpikesAreRecordedAndShown() {
        // 200 steps of a learnable Markov source (the detector's 128-step window is settled by then),
        // then the mix switches to random bytes: the loss jumps from ~1.7 to ~5.5 nats, far above
        // spike_z = 6 standard deviations of the recent window.
        const std::string extra =
            "[mixture.upsample]\nstart_fraction = 0.8\nweights = { markov = 0.0, noise = 1.0 }\n";
        std::string text = spec(250, "lr = 0.01\nspike_z = 6.0\n", extra);
        text = std::regex_replace(text, std::regex("weight = 0.3"), "weight = 0.0");
        const auto [r, db] = run("spike", text);
        QVERIFY2(r.code == 0, r.err.c_str());
        rel::RawDb raw(db, true);
        const auto loss = rel::metricSeries(raw, 1, "train_loss");
        const auto z = rel::metricSeries(raw, 1, "loss_z");
        std::vector<std::int64_t> spikes;
        for (const auto& v : notices(db, m_dir.path())) {
            const QJsonObject n = v.toObject();
            if (n["kind"].toString() == "spike") {
                spikes.push_back(n["step"].toInteger());
                // The notice's value is the stored loss of that step.
                QCOMPARE(n["value"].toDouble(), loss.second[static_cast<size_t>(n["step"].toInteger())]);
            }
        }
        QVERIFY2(!spikes.empty(), "no spike notice for a jump from a learnt source to random bytes");
        QCOMPARE(spikes.front(), std::int64_t{200});
        QVERIFY(
            z.second[static_cast<size_t>(std::find(z.first.begin(), z.first.end(), 200) - z.first.begin())] >
            6.0);
        for (std::int64_t s : spikes) {
            QVERIFY2(s >= 200, "a spike before the switch");
        }
        const auto text2 = rel::runCli({"notices", "1", "--db", db}, m_dir.path());
        QVERIFY2(
            text2.out.find("spike") != std::string::npos && text2.out.find("step 200") != std::string::npos,
            text2.out.c_str());
        qInfo("spike notices at steps %lld..%lld (%zu), loss %.3f -> %.3f",
              static_cast<long long>(spikes.front()), static_cast<long long>(spikes.back()), spikes.size(),
              loss.second[199], loss.second[200]);
    }
};

QTEST_APPLESS_MAIN(TestNumerical)
#include "test_numerical.moc"
