// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "anneal/store.h"
#include "compare_plot_view.h"
#include "config_diff_model.h"
#include "final_metrics_model.h"
#include "run_data_cache.h"
#include "table_export.h"

namespace anneal::ui {

namespace {

const QStringList kComparable = {QStringLiteral("val_loss"),     QStringLiteral("val_loss.*"),
                                 QStringLiteral("val_bpb.*"),    QStringLiteral("train_loss"),
                                 QStringLiteral("train_loss.*"), QStringLiteral("lr"),
                                 QStringLiteral("grad_norm"),    QStringLiteral("tokens_per_s")};

QTableView* makeTable(QWidget* parent) {
    auto* t = new QTableView(parent);
    t->setAlternatingRowColors(true);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

}  // namespace

CompareView::CompareView(RunDataCache* cache, QWidget* parent)
    : QWidget(parent),
      m_cache(cache),
      m_metric(new QComboBox(this)),
      m_align(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_cancel(new QToolButton(this)),
      m_export(new QPushButton(tr("Export table…"), this)),
      m_plot(new ComparePlotView(cache, this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_diffTable(makeTable(this)),
      m_finalTable(makeTable(this)),
      m_diffModel(new ConfigDiffModel(this)),
      m_finalModel(new FinalMetricsModel(this)),
      m_finalProxy(new QSortFilterProxyModel(this)) {
    setObjectName(QStringLiteral("compareView"));
    for (XAxisKind k : {XAxisKind::Step, XAxisKind::Tokens, XAxisKind::Flops, XAxisKind::RelativeStep,
                        XAxisKind::WallTime}) {
        m_align->addItem(xAxisName(k), xAxisKey(k));
    }
    m_metric->setMinimumContentsLength(18);
    m_metric->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_progress->setMaximumWidth(140);
    m_progress->hide();
    m_cancel->setText(tr("Cancel"));
    m_cancel->hide();
    m_status->setForegroundRole(QPalette::PlaceholderText);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(6, 4, 6, 4);
    auto* metricLabel = new QLabel(tr("&Metric:"), this);
    metricLabel->setBuddy(m_metric);
    auto* alignLabel = new QLabel(tr("&Align by:"), this);
    alignLabel->setBuddy(m_align);
    bar->addWidget(metricLabel);
    bar->addWidget(m_metric);
    bar->addSpacing(12);
    bar->addWidget(alignLabel);
    bar->addWidget(m_align);
    bar->addStretch(1);
    bar->addWidget(m_status);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancel);
    bar->addWidget(m_export);

    m_diffTable->setModel(m_diffModel);
    m_finalProxy->setSourceModel(m_finalModel);
    m_finalProxy->setSortRole(kRawValueRole);
    m_finalTable->setModel(m_finalProxy);
    m_finalTable->setSortingEnabled(true);
    auto* tables = new QSplitter(Qt::Horizontal, m_splitter);
    auto wrap = [this](const QString& title, QTableView* table) {
        auto* box = new QWidget(this);
        auto* l = new QVBoxLayout(box);
        l->setContentsMargins(4, 2, 4, 2);
        auto* label = new QLabel(title, box);
        QFont f = label->font();
        f.setBold(true);
        label->setFont(f);
        l->addWidget(label);
        l->addWidget(table, 1);
        return box;
    };
    tables->addWidget(wrap(tr("Config differences"), m_diffTable));
    tables->addWidget(wrap(tr("Final metrics"), m_finalTable));
    tables->setStretchFactor(1, 2);
    m_splitter->addWidget(m_plot);
    m_splitter->addWidget(tables);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({600, 300});
    tables->setSizes({400, 600});
    // Keys can be long: an interactive first column, the runs' values sized to their contents.
    m_diffTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_diffTable->horizontalHeader()->setMaximumSectionSize(260);
    m_diffTable->setWordWrap(false);
    m_diffTable->setTextElideMode(Qt::ElideMiddle);
    m_splitter->setObjectName(QStringLiteral("compareSplitter"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_splitter, 1);

    connect(m_metric, &QComboBox::currentIndexChanged, this,
            [this] { m_plot->setMetric(m_metric->currentData().toString()); });
    connect(m_align, &QComboBox::currentIndexChanged, this,
            [this] { setAlignment(xAxisFromKey(m_align->currentData().toString())); });
    connect(m_cancel, &QToolButton::clicked, this, &CompareView::cancel);
    connect(m_export, &QPushButton::clicked, this, &CompareView::exportRequested);
    connect(m_cache, &RunDataCache::runChanged, this, [this](qint64 id) {
        if (m_runs.contains(id)) {
            updateMetricChoices();
        }
    });
}

CompareView::~CompareView() {
    m_future.cancel();
    m_future.waitForFinished();
}

void CompareView::setRuns(const QList<qint64>& runIds) {
    if (runIds == m_runs) {
        return;
    }
    m_runs = runIds;
    m_cache->request(m_runs, kComparable);
    m_plot->setRuns(runIds);
    updateMetricChoices();
    refreshTables();
}

void CompareView::setOptions(const PlotOptions& options) {
    m_options = options;
    PlotOptions o = options;
    o.xAxis = m_alignment;
    m_plot->setOptions(o);
}

void CompareView::setAlignment(XAxisKind kind) {
    m_alignment = kind;
    const int i = m_align->findData(xAxisKey(kind));
    if (i >= 0 && i != m_align->currentIndex()) {
        m_align->setCurrentIndex(i);  // comes back here through the signal
        return;
    }
    setOptions(m_options);
}

void CompareView::setMetric(const QString& metric) {
    const int i = m_metric->findData(metric);
    if (i >= 0) {
        m_metric->setCurrentIndex(i);
    }
    m_plot->setMetric(metric);
}

void CompareView::updateMetricChoices() {
    QStringList names;
    for (qint64 id : m_runs) {
        for (const QString& n : m_cache->matchingMetrics(id, kComparable)) {
            if (!names.contains(n)) {
                names << n;
            }
        }
    }
    // The order of kComparable first, then alphabetical within a pattern.
    QStringList ordered;
    for (const QString& p : kComparable) {
        QStringList group;
        for (const QString& n : names) {
            if (RunDataCache::matches(n, {p}) && !ordered.contains(n)) {
                group << n;
            }
        }
        group.sort();
        ordered << group;
    }
    QStringList current;
    for (int i = 0; i < m_metric->count(); ++i) {
        current << m_metric->itemData(i).toString();
    }
    if (ordered == current || ordered.isEmpty()) {
        return;
    }
    const QString selected = m_plot->metric();
    m_metric->blockSignals(true);
    m_metric->clear();
    for (const QString& n : ordered) {
        m_metric->addItem(n, n);
    }
    m_metric->setCurrentIndex(std::max(0, static_cast<int>(ordered.indexOf(selected))));
    m_metric->blockSignals(false);
    m_plot->setMetric(m_metric->currentData().toString());
}

void CompareView::cancel() {
    if (m_loading) {
        m_future.cancel();
        m_tableRequests.invalidate();  // drop what the cancelled job returns
        m_loading = false;
        m_progress->hide();
        m_cancel->hide();
        m_status->setText(tr("cancelled"));
    }
}

void CompareView::refreshTables() {
    cancel();
    m_status->clear();
    if (m_runs.isEmpty() || m_dbPath.isEmpty()) {
        m_diffModel->setDiff({}, {});
        m_finalModel->setMetrics({});
        return;
    }
    m_loading = true;
    const quint64 ticket = m_tableRequests.next();
    m_progress->setRange(0, static_cast<int>(m_runs.size()));
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    const std::string db = m_dbPath.toStdString();
    const QList<qint64> ids = m_runs;
    m_future = readAsync(
        this,
        [db, ids](ReadProgress& progress) {
            Loaded out;
            auto store = Store::open(db, Store::Mode::ReadOnly);  // this thread's connection
            progress.setRange(0, static_cast<int>(ids.size()));
            for (int i = 0; i < ids.size() && !progress.cancelled(); ++i) {
                const RunRecord r = store->run(ids[i]);
                out.configs.push_back(r.configToml);
                out.labels << QStringLiteral("#%1 %2").arg(ids[i]).arg(QString::fromStdString(r.name));
                out.metrics << computeFinalMetrics(*store, ids[i]);
                progress.setValue(i + 1);
            }
            return out;
        },
        [this, ticket](const ReadResult<Loaded>& r) {
            if (m_tableRequests.isLatest(ticket)) {
                applyLoaded(r);
            }
        },
        [this](QFutureWatcher<ReadResult<Loaded>>* watcher) {
            connect(watcher, &QFutureWatcher<ReadResult<Loaded>>::progressValueChanged, m_progress,
                    &QProgressBar::setValue);
        });
}

void CompareView::applyLoaded(const ReadResult<Loaded>& result) {
    m_loading = false;
    m_progress->hide();
    m_cancel->hide();
    if (!result.ok()) {
        emit failed(tr("reading the compared runs"), result.error);
        return;
    }
    const Loaded& loaded = result.value;
    const ConfigDiff diff = diffConfigs(loaded.configs);
    m_diffModel->setDiff(diff, loaded.labels);
    m_finalModel->setMetrics(loaded.metrics);
    m_status->setText(loaded.metrics.size() < 2
                          ? tr("select two or more runs to compare")
                          : tr("%n differing key(s)", nullptr, static_cast<int>(diff.keys.size())));
    emit tablesLoaded();
}

bool CompareView::exportFinalMetricsCsv(const QString& path, QString* error) const {
    return exportModelCsv(*m_finalProxy, path, error);
}

}  // namespace anneal::ui
