// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop on real text: the Loss tab in bits per byte draws each domain's stored val_bpb.<domain>
// (values equal to the database's), a floor only where it converts exactly (the byte tokenizer's
// synthetic domain: floor / ln 2) and none for real text, and says so when a run stored no val_bpb;
// the experiment dialog's "Inspect data…" builds the data on a worker thread and shows per domain
// the files, documents and bytes that this test counts itself from the licence files, the floor
// "unknown" for real text, decoded windows, and the engine's message for a glob that matches nothing.
#include <qcustomplot.h>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <cmath>

#include "anneal/config.h"
#include "anneal/store.h"
#include "data_inspect_dialog.h"
#include "domain_table.h"
#include "experiment_dialog.h"
#include "loss_plot_view.h"
#include "run_data_cache.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

const std::string kGpl = test::dataFile("text/gpl-3.txt");
const std::string kLgpl = test::dataFile("text/lgpl-3.txt");

/// A short run on the licence texts (one document per paragraph) beside a synthetic Markov domain,
/// byte tokenizer.
std::string textToml(const std::string& glob, int steps) {
    return "name = \"real\"\nseed = 1\ndevice = \"cpu\"\n"
           "[model]\nn_layer = 1\nd_model = 32\nn_head = 2\ncontext = 32\n"
           "[data]\nbatch_size = 8\nval_every = 10\nval_batches = 2\n"
           "[[data.domain]]\nname = \"licenses\"\nsource = \"text:" +
           glob +
           "\"\n[data.domain.params]\nseparator = \"\"\n"
           "[[data.domain]]\nname = \"markov\"\nsource = \"synthetic:markov\"\nweight = 0.5\n"
           "[data.domain.params]\norder = 1\nalphabet = 8\nentropy = 1.0\n"
           "[train]\nsteps = " +
           std::to_string(steps) +
           "\nlr = 0.01\nthreads = 1\n[schedule]\nkind = \"cosine\"\nwarmup_steps = 2\n[log]\nevery = 1\n";
}

/// Paragraphs of a file as the text: source with separator "" reads them, counted here line by
/// line: a line that is empty (after a trailing CR) ends a document; the other lines, with their
/// newlines, make it up. Returns {documents, bytes of the documents}.
std::pair<qint64, qint64> paragraphs(const std::string& path) {
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly)) {
        return {-1, -1};
    }
    qint64 docs = 0, bytes = 0, cur = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        QByteArray body = line.endsWith('\n') ? line.chopped(1) : line;
        if (body.endsWith('\r')) {
            body.chop(1);
        }
        if (body.isEmpty()) {
            docs += cur > 0 ? 1 : 0;
            bytes += cur;
            cur = 0;
        } else {
            cur += line.size();
        }
    }
    docs += cur > 0 ? 1 : 0;
    bytes += cur;
    return {docs, bytes};
}

}  // namespace

class TestRealTextViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void lossViewInBitsPerByte();
    void lossViewSaysWhenNoBpbStored();
    void inspectDataCountsFilesAndDocuments();
    void inspectDataShowsEngineError();
    void inspectDataCancels();
    void dialogKeepsTheTokenizer();

private:
    std::unique_ptr<LossPlotView> lossView(const QList<qint64>& runs);

    test::TempDir m_dir;
    std::string m_db;
    std::int64_t m_real = 0;
    std::int64_t m_old = 0;
    std::unique_ptr<RunDataCache> m_cache;
};

void TestRealTextViews::initTestCase() {
    qputenv("OPENBLAS_NUM_THREADS", "1");
    m_db = m_dir.path("runs.db");
    m_real = test::runToml(m_db, textToml(test::dataFile("text/*.txt"), 20));
    // A run as an older version stored it: val_loss.<domain> but no val_bpb.<domain>.
    auto store = Store::open(m_db, Store::Mode::ReadWrite);
    m_old = store->createRun(test::plainRun("old"));
    MetricSeries s;
    s.steps = {9, 19};
    s.values = {3.5, 3.1};
    store->insertMetrics(m_old, "val_loss.markov", s);
    m_cache = std::make_unique<RunDataCache>();
    m_cache->setDatabasePath(QString::fromStdString(m_db));
}

std::unique_ptr<LossPlotView> TestRealTextViews::lossView(const QList<qint64>& runs) {
    auto view = std::make_unique<LossPlotView>(m_cache.get());
    view->resize(900, 600);
    view->show();
    view->setRuns(runs);
    QTest::qWait(1);
    if (!QTest::qWaitFor([&] { return !m_cache->busy() && !view->plot()->curveKeys().isEmpty(); }, 10000)) {
        qWarning("no curves");
    }
    if (!QTest::qWaitFor([&] { return !m_cache->busy(); }, 10000)) {
        qWarning("history still loading");
    }
    return view;
}

void TestRealTextViews::lossViewInBitsPerByte() {
    auto view = lossView({m_real});
    auto store = Store::open(m_db, Store::Mode::ReadOnly);
    const RunRecord rec = store->run(m_real);
    QCOMPARE(rec.domains.size(), std::size_t(2));
    QVERIFY(std::isnan(rec.domains[0].entropyFloor));  // real text: unknown
    QVERIFY(rec.domains[1].entropyFloor > 0);
    const QString train = MetricPlotView::curveKey(m_real, QStringLiteral("train_loss"));
    QVERIFY(view->plot()->curveKeys().contains(train));

    PlotOptions o = view->options();
    o.lossUnits = LossUnits::BitsPerByte;
    view->setOptions(o);
    view->plot()->refreshNow();
    // Only the domains' val_bpb: train loss (nats per token) and the mix (no val_bpb) are not drawn.
    QStringList keys = view->plot()->curveKeys();
    keys.sort();
    QCOMPARE(keys, (QStringList{MetricPlotView::curveKey(m_real, QStringLiteral("val_bpb.licenses")),
                                MetricPlotView::curveKey(m_real, QStringLiteral("val_bpb.markov"))}));
    for (const char* d : {"licenses", "markov"}) {
        const MetricSeries bpb = store->metric(m_real, std::string("val_bpb.") + d);
        const QString key = MetricPlotView::curveKey(m_real, QStringLiteral("val_bpb.") + QLatin1String(d));
        QVERIFY(bpb.values.size() >= 2);
        QCOMPARE(view->plot()->curvePointCount(key), bpb.values.size());
        for (std::size_t i = 0; i < bpb.values.size(); ++i) {
            QCOMPARE((*view->plot()->curveY(key))[i], bpb.values[i]);
            QCOMPARE((*view->plot()->curveX(key))[i], double(bpb.steps[i]));
        }
    }
    // The byte tokenizer: a token is a byte, so bits per byte is nats per token / ln 2, and so is
    // the floor. The only floor drawn is markov's; the licences' is unknown.
    const MetricSeries nats = store->metric(m_real, "val_loss.markov");
    const MetricSeries bpb = store->metric(m_real, "val_bpb.markov");
    for (std::size_t i = 0; i < bpb.values.size(); ++i) {
        QVERIFY(std::abs(bpb.values[i] - nats.values[i] / std::log(2.0)) < 1e-6 * bpb.values[i]);
    }
    QVector<double> floors;
    for (const ReferenceLine& l : view->plot()->referenceLines()) {
        if (!l.vertical) {
            floors << l.y;
            QVERIFY2(l.label.contains(QLatin1String("markov")), qPrintable(l.label));
        }
    }
    QCOMPARE(floors.size(), 1);
    QCOMPARE(floors[0], rec.domains[1].entropyFloor / std::log(2.0));
    QVERIFY(view->plot()->plot()->yAxis->label().contains(QLatin1String("bits/byte")));

    // Back in nats per token: train loss again, no val_bpb curve.
    o.lossUnits = LossUnits::NatsPerToken;
    view->setOptions(o);
    QVERIFY(view->plot()->curveKeys().contains(train));
    QVERIFY(view->plot()->curveKeys().filter(QStringLiteral("val_bpb")).isEmpty());
    QVERIFY(view->plot()->plot()->yAxis->label().contains(QLatin1String("nats/token")));
}

void TestRealTextViews::lossViewSaysWhenNoBpbStored() {
    auto view = lossView({m_old});
    QCOMPARE(view->plot()->curveKeys().size(), 1);  // val_loss.markov
    PlotOptions o = view->options();
    o.lossUnits = LossUnits::BitsPerByte;
    view->setOptions(o);
    QVERIFY(view->plot()->curveKeys().isEmpty());
    const QString text = view->plot()->placeholder();
    QVERIFY2(text.contains(QLatin1String("val_bpb")) && text.contains(QStringLiteral("#%1").arg(m_old)),
             qPrintable(text));
}

void TestRealTextViews::inspectDataCountsFilesAndDocuments() {
    ExperimentDialog dialog;
    dialog.setExperiment(parseExperiment(textToml(test::dataFile("text/*.txt"), 20), "test"),
                         QStringLiteral("test"));
    DataInspectDialog* inspect = dialog.inspectData();
    QVERIFY(inspect);
    QSignalSpy done(inspect, &DataInspectDialog::finished);
    QVERIFY(inspect->running());
    QVERIFY(done.wait(60000));
    QVERIFY2(done.front().front().toBool(), qPrintable(inspect->errorText()));
    const DataInspection& r = inspect->result();
    QCOMPARE(r.domains.size(), std::size_t(2));
    const DomainInspection& t = r.domains[0];
    const auto [gplDocs, gplBytes] = paragraphs(kGpl);
    const auto [lgplDocs, lgplBytes] = paragraphs(kLgpl);
    QVERIFY(gplDocs > 100 && lgplDocs > 20);
    QCOMPARE(t.files.size(), qsizetype(2));
    QCOMPARE(t.documents, gplDocs + lgplDocs);
    QCOMPARE(t.bytes, QFileInfo(QString::fromStdString(kGpl)).size() +
                          QFileInfo(QString::fromStdString(kLgpl)).size());
    // Byte tokenizer: every document's bytes plus one end-of-document token each.
    QCOMPARE(t.tokens, gplBytes + lgplBytes + t.documents);
    QCOMPARE(t.trainDocuments + t.valDocuments, t.documents);
    QVERIFY(t.valDocuments > 0);
    QCOMPARE(t.samples.size(), qsizetype(3));
    for (const QString& s : t.samples) {
        QVERIFY(!s.contains(QLatin1Char('\n')));
        QVERIFY(!s.contains(QChar(0xfffd)));
    }
    // The table shows the same, and the floor of real text as unknown.
    QTableWidget* table = inspect->table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, DataInspectDialog::DomainColumn)->text(), QStringLiteral("licenses"));
    QCOMPARE(table->item(0, DataInspectDialog::DocumentsColumn)->text(), QString::number(gplDocs + lgplDocs));
    QCOMPARE(table->item(0, DataInspectDialog::FilesColumn)->text(), QStringLiteral("2"));
    QVERIFY(table->item(0, DataInspectDialog::FloorColumn)->text().startsWith(QLatin1String("unknown")));
    QVERIFY(table->item(1, DataInspectDialog::FloorColumn)->text().contains(QLatin1String("nats/token")));
    QVERIFY(inspect->samplesView()->toPlainText().contains(t.samples[0]));
}

void TestRealTextViews::inspectDataShowsEngineError() {
    ExperimentDialog dialog;
    dialog.setExperiment(parseExperiment(textToml(test::dataFile("text/*.txt"), 20), "test"),
                         QStringLiteral("test"));
    dialog.domainTable()->table()->setCurrentCell(0, DomainTable::NameColumn);
    dialog.domainTable()->applyPickedPath(m_dir.qpath(QStringLiteral("nowhere")), true);
    DataInspectDialog* inspect = dialog.inspectData();
    QVERIFY(inspect);
    QSignalSpy done(inspect, &DataInspectDialog::finished);
    QVERIFY(done.wait(60000));
    QCOMPARE(done.front().front().toBool(), false);
    const QString e = inspect->errorText();
    QVERIFY2(e.contains(QLatin1String("data.domain[0]")) && e.contains(QLatin1String("nowhere")),
             qPrintable(e));
    QVERIFY(inspect->statusLabel()->text().contains(e));
    QCOMPARE(inspect->table()->rowCount(), 0);
}

void TestRealTextViews::inspectDataCancels() {
    ExperimentDialog dialog;
    dialog.setExperiment(parseExperiment(textToml(test::dataFile("text/*.txt"), 20), "test"),
                         QStringLiteral("test"));
    DataInspectDialog* inspect = dialog.inspectData();
    QSignalSpy done(inspect, &DataInspectDialog::finished);
    inspect->cancel();  // before any result can arrive (it is delivered by this thread's loop)
    QVERIFY(done.wait(60000));
    QCOMPARE(done.front().front().toBool(), false);
    QCOMPARE(inspect->statusLabel()->text(), QStringLiteral("Cancelled."));
    QVERIFY(inspect->errorText().isEmpty());
    QVERIFY(!inspect->running());
}

void TestRealTextViews::dialogKeepsTheTokenizer() {
    // The pages have no [tokenizer] fields: the loaded experiment's tokenizer must survive the edit.
    ExperimentSpec spec = parseExperiment(textToml(test::dataFile("text/*.txt"), 20), "test");
    spec.data.domains.pop_back();  // a subword tokenizer reads real text only
    spec.tokenizer.kind = "sentencepiece";
    spec.tokenizer.vocabSize = 1000;
    ExperimentDialog dialog;
    dialog.setExperiment(spec, QStringLiteral("test"));
    const QString toml = dialog.tomlText();
    QVERIFY2(toml.contains(QStringLiteral("[tokenizer]\nkind = \"sentencepiece\"")), qPrintable(toml));
    QVERIFY2(toml.contains(QStringLiteral("vocab_size = 1000")), qPrintable(toml));
}

QTEST_MAIN(TestRealTextViews)
#include "test_real_text_views.moc"
