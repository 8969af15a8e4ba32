// SPDX-License-Identifier: GPL-3.0-or-later
#include "weights_explorer.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

#include "anneal/config.h"
#include "async_read.h"
#include "sample_decoder.h"
#include "series_plot.h"
#include "weight_heatmap.h"
#include "weight_sample_model.h"

namespace anneal::ui {

namespace {

constexpr int kRefreshMs = 5000;

ReferenceLine plainLine(const QPalette& pal) {
    ReferenceLine l;
    l.y = 1.0;
    QColor c = pal.color(QPalette::WindowText);
    c.setAlphaF(0.6);
    l.color = c;
    l.penStyle = Qt::DashLine;
    l.label = QObject::tr("1.0 = plain averaging");
    return l;
}

}  // namespace

WeightsExplorer::WeightsExplorer(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_domainCombo(new QComboBox(this)),
      m_stepBox(new QSpinBox(this)),
      m_heatmap(new WeightHeatmap(this)),
      m_sharePlot(new SeriesPlot(this)),
      m_noisePlot(new SeriesPlot(this)),
      m_historyPlot(new SeriesPlot(this)),
      m_table(new QTableView(this)),
      m_model(new WeightSampleModel(this)),
      m_preview(new QPlainTextEdit(this)) {
    setObjectName(QStringLiteral("weightsExplorer"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_domainCombo->setObjectName(QStringLiteral("weightsDomain"));
    m_domainCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_domainCombo->setToolTip(tr("The domain the heatmap, the noise plot and the sample table show"));
    m_stepBox->setObjectName(QStringLiteral("weightsStep"));
    m_stepBox->setKeyboardTracking(false);
    m_stepBox->setToolTip(tr("The step whose samples the table lists (or click the heatmap)"));
    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(new QLabel(tr("Domain"), this));
    top->addWidget(m_domainCombo);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Samples at step"), this));
    top->addWidget(m_stepBox);

    m_sharePlot->setAxisLabels(tr("step"), tr("share (gradient solid, samples dashed)"));
    m_noisePlot->setAxisLabels(tr("step"), tr("mean weight (1 = plain avg.)"));
    m_historyPlot->setAxisLabels(tr("step"), tr("weight (1 = plain avg.)"));
    for (SeriesPlot* p : {m_sharePlot, m_noisePlot, m_historyPlot}) {
        p->setSmoothing(0);
    }
    m_table->setModel(m_model);
    m_table->setObjectName(QStringLiteral("weightsTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_preview->setReadOnly(true);
    m_preview->setObjectName(QStringLiteral("weightsPreview"));
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_preview->setPlaceholderText(tr("Select a sample to see its bytes and its weight over training"));

    auto* left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_heatmap);
    left->addWidget(m_sharePlot);
    left->addWidget(m_noisePlot);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 2);
    left->setStretchFactor(2, 2);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_table);
    right->addWidget(m_preview);
    right->addWidget(m_historyPlot);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setStretchFactor(2, 2);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(0, 5);
    split->setStretchFactor(1, 4);
    // Initial proportions (a splitter scales them to its width): the stretch factors alone leave the
    // table's wide size hint in charge and squeeze the heatmap.
    split->setSizes({5000, 4000});
    left->setSizes({3000, 2000, 2000});
    right->setSizes({3000, 1000, 2000});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    m_refresh.setSingleShot(true);
    m_refresh.setInterval(kRefreshMs);
    connect(&m_refresh, &QTimer::timeout, this, &WeightsExplorer::reloadOverview);
    connect(m_domainCombo, &QComboBox::activated, this,
            [this] { setDomain(m_domainCombo->currentData().toInt()); });
    connect(m_stepBox, &QSpinBox::valueChanged, this, [this](int v) {
        if (v != m_step) {
            showStep(v);
        }
    });
    connect(m_heatmap, &WeightHeatmap::stepPicked, this, &WeightsExplorer::showStep);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &WeightsExplorer::onSelectionChanged);
    setRun(0);
}

WeightsExplorer::~WeightsExplorer() = default;

void WeightsExplorer::setDatabasePath(const QString& path) {
    m_dbPath = path;
    m_runId = -1;  // forces a re-read of whatever run is set next
    setRun(0);
}

void WeightsExplorer::setRun(qint64 runId) {
    const bool same = runId == m_runId;
    m_runId = runId;
    if (!same) {
        ++m_generation;
        m_overview = WeightsOverview{};
        m_samples = StepSamples{};
        m_history = SampleHistory{};
        m_step = -1;
        m_model->setRows({});
        m_preview->clear();
        m_historyPlot->clearCurves();
        m_heatmap->setRows({});
        m_sharePlot->clearCurves();
        m_noisePlot->clearCurves();
    }
    if (runId <= 0) {
        m_refresh.stop();
        m_title->setText(
            tr("Select a run that stored per-sample weights ([reweight] strategy and "
               "log.weights_every)"));
        m_heatmap->setPlaceholder(tr("Select a run in the run browser"));
        return;
    }
    m_heatmap->setPlaceholder(tr("Loading…"));
    reloadOverview();
}

void WeightsExplorer::reloadOverview() {
    if (m_runId <= 0 || m_dbPath.isEmpty()) {
        return;
    }
    const std::string db = m_dbPath.toStdString();
    const qint64 id = m_runId;
    const quint64 gen = m_generation;
    readAsync(
        this, [db, id] { return loadWeightsOverview(db, id); },
        [this, gen](const ReadResult<WeightsOverview>& r) {
            if (gen == m_generation) {
                applyOverview(valueOf(r));
            }
        });
}

void WeightsExplorer::applyOverview(const WeightsOverview& o) {
    if (!o.error.isEmpty()) {
        m_heatmap->setPlaceholder(tr("Could not read the weights of run %1").arg(o.runId));
        emit failed(tr("the weights of run %1 in %2").arg(o.runId).arg(m_dbPath), o.error);
        return;
    }
    const bool first = m_overview.runId != o.runId;
    const bool grew = o.stats.size() != m_overview.stats.size();
    m_overview = o;
    const RunRecord& r = o.record;
    QString title = tr("<b>#%1 %2</b>: %3, strategy %4")
                        .arg(r.id)
                        .arg(QString::fromStdString(r.name).toHtmlEscaped())
                        .arg(tr("%n weight snapshot(s)", nullptr, static_cast<int>(o.snapshotSteps.size())));
    QString strategy = QStringLiteral("none");
    try {
        for (const auto& [key, value] : flattenToml(r.configToml)) {
            if (key == "reweight.strategy") {
                strategy = QString::fromStdString(value).remove(QLatin1Char('"'));
            }
        }
    } catch (const std::exception&) {
        strategy = QStringLiteral("?");
    }
    title = title.arg(strategy.toHtmlEscaped());
    if (!o.decoderError.isEmpty()) {
        title += tr("<br>No text previews: %1").arg(o.decoderError.toHtmlEscaped());
    }
    m_title->setText(title);
    if (first) {
        m_domainCombo->clear();
        m_domainCombo->addItem(tr("all domains"), -1);
        for (int d = 0; d < o.domains.size(); ++d) {
            m_domainCombo->addItem(o.domains[d], d);
        }
        m_domainCombo->setCurrentIndex(std::max(0, m_domainCombo->findData(m_domain)));
        if (m_domainCombo->currentData().toInt() != m_domain) {
            m_domain = -1;
        }
        m_model->setDomains(o.domains);
    }
    if (o.stats.empty()) {
        m_heatmap->setRows({});
        m_heatmap->setPlaceholder(
            tr("Run %1 stored no per-sample weights: set log.weights_every (and a [reweight] strategy)")
                .arg(o.runId));
    } else {
        m_heatmap->setPlaceholder({});
        if (first || grew) {
            drawOverview();
        }
        const qint64 lo = 0;
        const qint64 hi = o.snapshotSteps.empty() ? 0 : o.snapshotSteps.back();
        m_stepBox->blockSignals(true);
        m_stepBox->setRange(static_cast<int>(lo), static_cast<int>(hi));
        m_stepBox->blockSignals(false);
        if (m_step < 0) {
            showStep(hi);
        }
    }
    if (r.status == RunStatus::Running) {
        m_refresh.start();
    }
    emit overviewLoaded();
}

void WeightsExplorer::setDomain(int domain) {
    m_domain = domain;
    const int i = m_domainCombo->findData(domain);
    if (i >= 0 && i != m_domainCombo->currentIndex()) {
        m_domainCombo->setCurrentIndex(i);
    }
    drawOverview();
    fillTable();
}

void WeightsExplorer::drawOverview() {
    m_heatmap->setRows(statsOf(m_overview.stats, m_domain));
    m_heatmap->setMarkedStep(m_step);
    drawShares();
    drawNoise();
}

void WeightsExplorer::drawShares() {
    m_sharePlot->clearCurves();
    const std::vector<WeightStatsRow> all = statsOf(m_overview.stats, -1);
    for (int d = 0; d < m_overview.domains.size(); ++d) {
        const std::vector<WeightStatsRow> rows = statsOf(m_overview.stats, d);
        std::vector<double> x, share, drawn;
        for (const WeightStatsRow& r : rows) {
            x.push_back(static_cast<double>(r.step));
            share.push_back(r.share);
            // The domain's share of the samples of the same snapshot.
            double total = 0;
            for (const WeightStatsRow& a : all) {
                if (a.step == r.step) {
                    total = static_cast<double>(a.count);
                }
            }
            drawn.push_back(total > 0 ? static_cast<double>(r.count) / total : std::nan(""));
        }
        const QString name = m_overview.domains[d];
        CurveStyle s{name + tr(": gradient share"), curveColor(1 + d)};
        s.markers = x.size() < 200;
        s.smoothable = false;
        m_sharePlot->setCurve(QStringLiteral("share/") + name, s);
        m_sharePlot->setCurveData(QStringLiteral("share/") + name, x, share);
        CurveStyle t{name + tr(": samples drawn"), curveColor(1 + d), Qt::DashLine, 1.2};
        t.smoothable = false;
        m_sharePlot->setCurve(QStringLiteral("drawn/") + name, t);
        m_sharePlot->setCurveData(QStringLiteral("drawn/") + name, x, drawn);
    }
    m_sharePlot->followData();
}

void WeightsExplorer::drawNoise() {
    m_noisePlot->clearCurves();
    m_noisePlot->setReferenceLines({plainLine(palette())});
    if (!m_overview.hasNoise) {
        m_noisePlot->setPlaceholder(
            m_overview.stats.empty()
                ? QString()
                : tr("No planted noise in this run (set noise_rate in a domain's params)"));
        return;
    }
    std::vector<double> x, noisy, clean;
    for (const WeightStatsRow& r : statsOf(m_overview.stats, m_domain)) {
        x.push_back(static_cast<double>(r.step));
        noisy.push_back(r.noisyCount > 0 ? r.noisyMean : std::nan(""));
        clean.push_back(cleanMean(r));
    }
    CurveStyle n{tr("planted-noise samples"), QColor(0xc0, 0x39, 0x2b)};
    n.markers = x.size() < 200;
    n.smoothable = false;
    CurveStyle c{tr("clean samples"), curveColor(0)};
    c.markers = x.size() < 200;
    c.smoothable = false;
    m_noisePlot->setCurve(QStringLiteral("noisy"), n);
    m_noisePlot->setCurveData(QStringLiteral("noisy"), x, noisy);
    m_noisePlot->setCurve(QStringLiteral("clean"), c);
    m_noisePlot->setCurveData(QStringLiteral("clean"), x, clean);
    m_noisePlot->setPlaceholder({});
    m_noisePlot->followData();
}

void WeightsExplorer::applyHistory(const SampleHistory& h) {
    if (!h.error.isEmpty()) {
        emit failed(tr("the weight history of sample %1").arg(h.sampleId), h.error);
        return;
    }
    m_history = h;
    std::vector<double> x, w;
    for (const SampleWeight& s : h.rows) {
        x.push_back(static_cast<double>(s.step));
        w.push_back(static_cast<double>(s.weight));
    }
    m_historyPlot->clearCurves();
    CurveStyle st{tr("sample %1: weight at each step it was trained on").arg(h.sampleId), curveColor(2)};
    st.markers = true;
    st.smoothable = false;
    m_historyPlot->setCurve(QStringLiteral("history"), st);
    m_historyPlot->setCurveData(QStringLiteral("history"), x, w);
    m_historyPlot->setReferenceLines({plainLine(palette())});
    m_historyPlot->followData();
    emit historyLoaded();
}

}  // namespace anneal::ui
