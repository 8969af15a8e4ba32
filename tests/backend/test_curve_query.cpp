// SPDX-License-Identifier: GPL-3.0-or-later
// metricDecimated (anneal/curve_query.h): the min/max per column that reaches the screen, from the rows
// and from the store writer's min/max tiles; spikes survive, branches include their parent's history,
// and tiles follow what is written (live appends, rewrites, imports, deleted runs).
#include <QtTest>
#include <cmath>
#include <random>

#include "anneal/curve_query.h"
#include "anneal/store.h"
#include "anneal/store_writer.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

MetricSeries noisyCurve(std::int64_t n, std::int64_t spikeAt) {
    MetricSeries s;
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::int64_t i = 0; i < n; ++i) {
        s.steps.push_back(i);
        s.values.push_back(i == spikeAt ? 50.0
                                        : 2.0 + std::exp(-static_cast<double>(i) / 2e4) + 0.1 * u(rng));
    }
    return s;
}

/// Per column: lowest and highest value of a result (columns of the query's range).
std::map<int, std::pair<double, double>> extremes(const DecimatedCurve& c, int buckets) {
    std::map<int, std::pair<double, double>> m;
    const double scale =
        c.lastStep > c.firstStep ? buckets / static_cast<double>(c.lastStep - c.firstStep) : 0;
    for (size_t i = 0; i < c.steps.size(); ++i) {
        if (c.steps[i] < c.firstStep || c.steps[i] > c.lastStep || std::isnan(c.values[i])) {
            continue;
        }
        const int col =
            std::min(buckets - 1, static_cast<int>(std::floor((c.steps[i] - c.firstStep) * scale)));
        auto [it, fresh] = m.emplace(col, std::make_pair(c.values[i], c.values[i]));
        if (!fresh) {
            it->second.first = std::min(it->second.first, c.values[i]);
            it->second.second = std::max(it->second.second, c.values[i]);
        }
    }
    return m;
}

}  // namespace

class TestCurveQuery : public QObject {
    Q_OBJECT
private slots:
    void rowsPathIsExactMinMaxPerColumn() {
        test::TempDir dir;
        auto store = Store::open(dir.path("c.db"));
        const std::int64_t id = store->createRun(test::plainRun("a"));
        const MetricSeries s = noisyCurve(5000, 1234);
        store->insertMetrics(id, "train_loss", s);
        CurveQuery q;
        q.buckets = 100;
        q.useTiles = false;
        const DecimatedCurve c = metricDecimated(*store, id, "train_loss", q);
        QVERIFY(c.decimated);
        QCOMPARE(c.rowsScanned, std::int64_t{5000});
        QVERIFY(c.steps.size() <= 200);
        // Every column's true extremes are in the result.
        const auto got = extremes(c, 100);
        std::map<int, std::pair<double, double>> want;
        for (size_t i = 0; i < s.steps.size(); ++i) {
            const int col = std::min(99, static_cast<int>(std::floor(s.steps[i] * 100.0 / 4999.0)));
            auto [it, fresh] = want.emplace(col, std::make_pair(s.values[i], s.values[i]));
            if (!fresh) {
                it->second.first = std::min(it->second.first, s.values[i]);
                it->second.second = std::max(it->second.second, s.values[i]);
            }
        }
        QCOMPARE(got.size(), want.size());
        for (const auto& [col, mm] : want) {
            QCOMPARE(got.at(col).first, mm.first);
            QCOMPARE(got.at(col).second, mm.second);
        }
        // A small range comes back as stored, NaN included.
        MetricSeries few;
        few.steps = {0, 1, 2};
        few.values = {1.0, std::nan(""), 3.0};
        store->insertMetrics(id, "val_loss", few);
        const DecimatedCurve f = metricDecimated(*store, id, "val_loss", q);
        QVERIFY(!f.decimated);
        QCOMPARE(f.steps.size(), size_t{3});
        QVERIFY(std::isnan(f.values[1]));
        QVERIFY(metricDecimated(*store, id, "no_such_metric", q).steps.empty());
    }

    void tilesFromTheWriterMatchTheRows() {
        test::TempDir dir;
        const std::string db = dir.path("w.db");
        std::int64_t id = 0;
        {
            auto store = Store::open(db);
            id = store->createRun(test::plainRun("live"));
        }
        // Written by the store writer in many small batches, as a live run is.
        {
            auto q = std::make_shared<EventQueue>(1 << 20);
            StoreWriter::Options o;
            o.maxBatchMs = 1;
            StoreWriter w(db, q, o);
            const MetricSeries s = noisyCurve(200000, 123456);
            for (size_t i = 0; i < s.steps.size(); ++i) {
                StepEvent e;
                e.step = s.steps[i];
                e.trainLoss = s.values[i];
                e.lossZ = std::nan("");
                q->tryPush(Event{id, e});
                if (i % 20000 == 0) {
                    w.flush();
                }
            }
            w.flush();
        }
        auto store = Store::open(db, Store::Mode::ReadOnly);
        CurveQuery q;
        q.buckets = 300;
        const DecimatedCurve tiles = metricDecimated(*store, id, "train_loss", q);
        QVERIFY(tiles.usedTiles);
        QVERIFY(tiles.rowsScanned < 200000 / 10);  // tiles, not rows
        q.useTiles = false;
        const DecimatedCurve rows = metricDecimated(*store, id, "train_loss", q);
        QVERIFY(!rows.usedTiles);
        const auto a = extremes(tiles, 300), b = extremes(rows, 300);
        QCOMPARE(a.size(), b.size());
        int inexact = 0;
        for (const auto& [col, mm] : b) {
            // A column's extremes are exact except where the tile holding them straddles its edge.
            inexact += a.at(col) != mm;
            QVERIFY(a.at(col).first >= mm.first && a.at(col).second <= mm.second);
        }
        QVERIFY2(inexact <= 300 / 4, qPrintable(QString::number(inexact)));
        // The spike is there, in its column.
        bool spike = false;
        for (size_t i = 0; i < tiles.steps.size(); ++i) {
            spike = spike || (tiles.steps[i] == 123456 && tiles.values[i] == 50.0);
        }
        QVERIFY(spike);
        // A zoomed range: the edges are read as rows, the neighbours outside are added.
        q.useTiles = true;
        q.fromStep = 10000;
        q.toStep = 150000;
        q.buckets = 100;
        const DecimatedCurve z = metricDecimated(*store, id, "train_loss", q);
        QVERIFY(z.usedTiles);
        QCOMPARE(z.steps.front(), std::int64_t{9999});
        QCOMPARE(z.steps.back(), std::int64_t{150001});
        QVERIFY(z.steps[1] >= 10000 && z.steps[z.steps.size() - 2] <= 150000);
    }

    void rewritesImportsAndDeletesKeepTilesRight() {
        test::TempDir dir;
        auto store = Store::open(dir.path("r.db"));
        const std::int64_t id = store->createRun(test::plainRun("a"));
        store->insertMetrics(id, "m", noisyCurve(100000, 5));
        // Rewriting values (an import over existing rows) must not leave the old extremes in the tiles.
        MetricSeries flat;
        for (std::int64_t i = 0; i < 100000; ++i) {
            flat.steps.push_back(i);
            flat.values.push_back(1.0);
        }
        store->insertMetrics(id, "m", flat);
        CurveQuery q;
        q.buckets = 50;
        const DecimatedCurve c = metricDecimated(*store, id, "m", q);
        QVERIFY(c.usedTiles);
        for (double v : c.values) {
            QCOMPARE(v, 1.0);
        }
        // A deleted run's tiles go with it; a new run that gets the same id starts clean.
        store->deleteRun(id);
        const std::int64_t id2 = store->createRun(test::plainRun("b"));
        QCOMPARE(id2, id);
        MetricSeries two;
        two.steps = {0, 99999};
        two.values = {7.0, 8.0};
        store->insertMetrics(id2, "m", two);
        const DecimatedCurve d = metricDecimated(*store, id2, "m", q);
        QCOMPARE(d.steps.size(), size_t{2});
        QCOMPARE(d.values[0], 7.0);
        QCOMPARE(d.values[1], 8.0);
        // Imported runs get their tiles at once.
        StepAxis axis;
        const std::int64_t imp =
            store->importRun(test::plainRun("imported"), {{"loss", noisyCurve(50000, 40000)}}, axis);
        const DecimatedCurve i = metricDecimated(*store, imp, "loss", q);
        QVERIFY(i.usedTiles);
        QCOMPARE(*std::max_element(i.values.begin(), i.values.end()), 50.0);
    }

    void branchIncludesParentHistory() {
        test::TempDir dir;
        auto store = Store::open(dir.path("b.db"));
        const std::int64_t parent = store->createRun(test::plainRun("p"));
        store->insertMetrics(parent, "m", noisyCurve(1000, 100));
        NewRun br = test::plainRun("b");
        br.parentId = parent;
        br.branchStep = 500;
        const std::int64_t child = store->createRun(br);
        MetricSeries own;
        for (std::int64_t i = 500; i < 800; ++i) {
            own.steps.push_back(i);
            own.values.push_back(-1.0);
        }
        store->insertMetrics(child, "m", own);
        CurveQuery q;
        q.buckets = 2000;  // more columns than points: everything comes back
        const DecimatedCurve c = metricDecimated(*store, child, "m", q);
        const MetricSeries full = store->metric(child, "m", true);
        QCOMPARE(c.steps, full.steps);
        QCOMPARE(c.values, full.values);
        q.withHistory = false;
        QCOMPARE(metricDecimated(*store, child, "m", q).steps.size(), size_t{300});
    }
};

QTEST_APPLESS_MAIN(TestCurveQuery)
#include "test_curve_query.moc"
