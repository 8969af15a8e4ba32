// SPDX-License-Identifier: GPL-3.0-or-later
// The weights explorer on a run trained here with loss_quadratic reweighting and planted noise:
// the heatmap's cells are the stored histograms, the share and noise plots are the stored
// statistics, the sample table is weightsAtStep sorted by weight, the previews are the bytes
// Dataset::fill regenerates, and a selected sample's history is sampleWeightHistory.
#include <QComboBox>
#include <qcustomplot.h>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "anneal/store.h"
#include "app_fixture.h"
#include "resources.h"
#include "sample_decoder.h"
#include "series_plot.h"
#include "temp_paths.h"
#include "weight_heatmap.h"
#include "weight_sample_model.h"
#include "weights_data.h"
#include "weights_explorer.h"

using namespace anneal;
using namespace anneal::ui;

class TestWeightsExplorer : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void printableBytesShowsEveryByte();
    void heatmapCellsAreTheStoredHistograms();
    void shareAndNoisePlotsAreTheStoredStatistics();
    void tableIsWeightsAtStepSortedWithRegeneratedBytes();
    void selectedSampleShowsItsHistory();
    void runWithoutWeightsSaysHowToGetThem();

private:
    void openExplorer(WeightsExplorer& w);

    test::TempDir m_dir;
    std::string m_db;
    std::int64_t m_run = 0;
    std::int64_t m_plain = 0;
};

void TestWeightsExplorer::initTestCase() {
    initResources();
    m_db = m_dir.path("weights.db");
    m_run = test::trainRun(m_db, test::reweightedNoisyToml(40), {}, "noisy-quadratic");
    m_plain = test::trainRun(m_db, test::tinyExperimentToml(10, 2), {"log.weights_every=0"},
                             "plain");  // no snapshots
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    QVERIFY2(store->weightSnapshotSteps(m_run).size() >= 3, "the run stores weight snapshots");
    bool noisy = false;
    for (const WeightStatsRow& r : store->weightStats(m_run)) {
        noisy = noisy || r.noisyCount > 0;
    }
    QVERIFY2(noisy, "the run has planted noise");
}

void TestWeightsExplorer::openExplorer(WeightsExplorer& w) {
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy overview(&w, &WeightsExplorer::overviewLoaded);
    QSignalSpy samples(&w, &WeightsExplorer::samplesLoaded);
    w.setDatabasePath(QString::fromStdString(m_db));
    w.setRun(m_run);
    QVERIFY(overview.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 1, 30000);
}

void TestWeightsExplorer::printableBytesShowsEveryByte() {
    const std::vector<std::uint8_t> bytes = {0x00, 'A', '\n', 0x7f, '~', ' ', 0xff, '\t'};
    const QString text = printableBytes(bytes);
    QCOMPARE(text.size(), qsizetype(bytes.size()));  // one character per byte
    QCOMPARE(text, QStringLiteral("·A··~ ··"));
}

void TestWeightsExplorer::heatmapCellsAreTheStoredHistograms() {
    WeightsExplorer w;
    openExplorer(w);
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    const std::vector<WeightStatsRow> stats = store->weightStats(m_run);
    const std::vector<std::int64_t> steps = store->weightSnapshotSteps(m_run);
    for (int domain : {-1, 0, 1}) {
        w.setDomain(domain);
        WeightHeatmap* map = w.heatmap();
        QCOMPARE(map->columns(), static_cast<int>(steps.size()));  // evenly spaced: one column each
        int nonEmpty = 0;
        for (int j = 0; j < map->columns(); ++j) {
            QCOMPARE(map->columnStep(j), steps[static_cast<std::size_t>(j)]);
            const auto row = std::find_if(stats.begin(), stats.end(), [&](const WeightStatsRow& r) {
                return r.step == steps[static_cast<std::size_t>(j)] && r.domain == domain;
            });
            QVERIFY(row != stats.end());
            QCOMPARE(row->hist.size(), std::size_t(WeightHeatmap::kBins));
            for (int b = 0; b < WeightHeatmap::kBins; ++b) {
                const double cell = map->cell(j, b);
                const auto count = row->hist[static_cast<std::size_t>(b)];
                if (count == 0) {
                    QVERIFY2(std::isnan(cell), qPrintable(QStringLiteral("column %1 bin %2").arg(j).arg(b)));
                } else {
                    QCOMPARE(cell, static_cast<double>(count));
                    ++nonEmpty;
                }
            }
        }
        QVERIFY(nonEmpty > map->columns());  // reweighting spreads the weights over several bins
    }
    QVERIFY(w.heatmap()->plot()->yAxis->label().contains(QStringLiteral("1.0 = plain averaging")));
}

void TestWeightsExplorer::shareAndNoisePlotsAreTheStoredStatistics() {
    WeightsExplorer w;
    openExplorer(w);
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    const std::vector<WeightStatsRow> stats = store->weightStats(m_run);
    // Gradient share of each domain at each snapshot.
    for (int d = 0; d < 2; ++d) {
        const QString name = d == 0 ? QStringLiteral("markov") : QStringLiteral("noise");
        const auto* y = w.sharePlot()->curveY(QStringLiteral("share/") + name);
        QVERIFY2(y, qPrintable(name));
        const std::vector<WeightStatsRow> rows = statsOf(stats, d);
        QCOMPARE(y->size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            QCOMPARE((*y)[i], rows[i].share);
        }
    }
    // Mean weight of the planted-noise samples and of the clean ones (all domains).
    const std::vector<WeightStatsRow> all = statsOf(stats, -1);
    const auto* noisy = w.noisePlot()->curveY(QStringLiteral("noisy"));
    const auto* clean = w.noisePlot()->curveY(QStringLiteral("clean"));
    QVERIFY(noisy && clean);
    QCOMPARE(noisy->size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].noisyCount > 0) {
            QCOMPARE((*noisy)[i], all[i].noisyMean);
            const double expected = (all[i].mean * all[i].count - all[i].noisyMean * all[i].noisyCount) /
                                    static_cast<double>(all[i].count - all[i].noisyCount);
            QVERIFY(std::abs((*clean)[i] - expected) < 1e-12);
        } else {
            QVERIFY(std::isnan((*noisy)[i]));
        }
    }
}

void TestWeightsExplorer::tableIsWeightsAtStepSortedWithRegeneratedBytes() {
    WeightsExplorer w;
    openExplorer(w);
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    const RunRecord run = store->run(m_run);
    const Dataset data(parseExperiment(run.configToml, "test"));
    for (qint64 step : {qint64(12), qint64(39)}) {
        QSignalSpy loaded(&w, &WeightsExplorer::samplesLoaded);
        w.showStep(step);
        QVERIFY(loaded.wait(30000));
        for (int domain : {-1, 0}) {
            w.setDomain(domain);
            std::vector<SampleWeight> expected;
            for (const SampleWeight& s : store->weightsAtStep(m_run, step)) {
                if (domain < 0 || s.domain == domain) {
                    expected.push_back(s);
                }
            }
            QVERIFY(!expected.empty());
            std::sort(expected.begin(), expected.end(), [](const SampleWeight& a, const SampleWeight& b) {
                return a.weight != b.weight ? a.weight > b.weight : a.sampleId < b.sampleId;
            });
            const int k = WeightsExplorer::kExtremes;
            std::vector<SampleWeight> shown = expected;
            if (expected.size() > 2 * std::size_t(k)) {
                shown.assign(expected.begin(), expected.begin() + k);
                shown.insert(shown.end(), expected.end() - k, expected.end());
            }
            const auto& rows = w.sampleModel()->rows();
            QCOMPARE(rows.size(), shown.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                QCOMPARE(rows[i].sample.sampleId, shown[i].sampleId);
                QCOMPARE(rows[i].sample.weight, shown[i].weight);
                QCOMPARE(rows[i].sample.noisy, shown[i].noisy);
                QCOMPARE(rows[i].sample.noisy, data.isNoisy(shown[i].sampleId));
                // The preview is the bytes Dataset::fill writes, one character each.
                std::vector<std::uint8_t> bytes(static_cast<std::size_t>(data.sampleLength()));
                data.fill(shown[i].sampleId, bytes.data());
                QCOMPARE(rows[i].preview.size(), qsizetype(bytes.size()));
                for (std::size_t c = 0; c < bytes.size(); ++c) {
                    const QChar expectedChar =
                        bytes[c] >= 0x20 && bytes[c] < 0x7f ? QChar(bytes[c]) : QChar(0x00b7);
                    QCOMPARE(rows[i].preview.at(static_cast<qsizetype>(c)), expectedChar);
                }
            }
            // The regenerated bytes themselves.
            for (std::size_t i = 0; i < w.stepSamples().samples.size(); ++i) {
                std::vector<std::uint8_t> bytes(static_cast<std::size_t>(data.sampleLength()));
                data.fill(w.stepSamples().samples[i].sampleId, bytes.data());
                QCOMPARE(w.stepSamples().bytes[i], bytes);
            }
        }
    }
    // Planted noise shows in the table.
    bool noiseListed = false;
    QSignalSpy loaded(&w, &WeightsExplorer::samplesLoaded);
    for (qint64 step = 4; step < 40 && !noiseListed; step += 3) {
        w.showStep(step);
        QVERIFY(loaded.wait(30000));
        for (int r = 0; r < w.sampleModel()->rowCount(); ++r) {
            noiseListed =
                noiseListed || w.sampleModel()->index(r, WeightSampleModel::NoiseColumn).data().toString() ==
                                   QStringLiteral("planted noise");
        }
    }
    QVERIFY2(noiseListed, "a planted-noise sample is marked in the table");
}

void TestWeightsExplorer::selectedSampleShowsItsHistory() {
    WeightsExplorer w;
    openExplorer(w);
    QVERIFY(w.sampleModel()->rowCount() > 0);
    const std::uint64_t id = w.sampleModel()->rows().front().sample.sampleId;
    QSignalSpy history(&w, &WeightsExplorer::historyLoaded);
    w.selectSample(id);
    QVERIFY(history.wait(30000));
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    const std::vector<SampleWeight> expected = store->sampleWeightHistory(m_run, id);
    QVERIFY(!expected.empty());
    const auto* x = w.historyPlot()->curveX(QStringLiteral("history"));
    const auto* y = w.historyPlot()->curveY(QStringLiteral("history"));
    QVERIFY(x && y);
    QCOMPARE(x->size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE((*x)[i], static_cast<double>(expected[i].step));
        QCOMPARE((*y)[i], static_cast<double>(expected[i].weight));
    }
    QVERIFY(w.previewView()->toPlainText().contains(QString::number(id)));
}

void TestWeightsExplorer::runWithoutWeightsSaysHowToGetThem() {
    WeightsExplorer w;
    QSignalSpy overview(&w, &WeightsExplorer::overviewLoaded);
    w.setDatabasePath(QString::fromStdString(m_db));
    w.setRun(m_plain);
    QVERIFY(overview.wait(30000));
    QVERIFY(w.overview().stats.empty());
    QCOMPARE(w.heatmap()->columns(), 0);
    QCOMPARE(w.sampleModel()->rowCount(), 0);
}

QTEST_MAIN(TestWeightsExplorer)
#include "test_weights_explorer.moc"
