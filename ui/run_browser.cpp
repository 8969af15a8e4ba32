// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_browser.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>
#include <functional>

#include "run_filter_proxy.h"
#include "run_list_model.h"

namespace anneal::ui {

RunBrowser::RunBrowser(QWidget* parent)
    : QWidget(parent),
      m_model(new RunListModel(this)),
      m_proxy(new RunFilterProxy(this)),
      m_view(new QTreeView(this)),
      m_filter(new QLineEdit(this)),
      m_tags(new QComboBox(this)),
      m_count(new QLabel(this)) {
    setObjectName(QStringLiteral("runBrowser"));
    m_proxy->setSourceModel(m_model);
    m_view->setModel(m_proxy);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunListModel::IdColumn, Qt::DescendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(RunListModel::NameColumn, QHeaderView::Stretch);
    for (int c = RunListModel::StatusColumn; c < RunListModel::ColumnCount; ++c) {
        m_view->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    }
    m_view->setColumnHidden(RunListModel::TagsColumn, true);

    m_filter->setPlaceholderText(tr("Filter: name, id, status, group, tag"));
    m_filter->setClearButtonEnabled(true);
    m_tags->addItem(tr("All tags"), QString());
    m_tags->setToolTip(tr("Show only runs with this tag"));
    m_count->setForegroundRole(QPalette::PlaceholderText);

    auto* filters = new QHBoxLayout;
    filters->setContentsMargins(0, 0, 0, 0);
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_tags);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_count);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &RunFilterProxy::setText);
    connect(m_tags, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setTag(m_tags->currentData().toString()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunBrowser::emitSelectionIfChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        if (!m_restoring) {
            emit currentRunChanged(currentRunId());
        }
    });
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, &RunBrowser::saveViewState);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RunBrowser::restoreViewState);
    connect(m_view, &QTreeView::collapsed, this, [this](const QModelIndex& i) {
        if (!m_restoring) {
            m_collapsed.insert(nodeKey(i));
        }
    });
    connect(m_view, &QTreeView::expanded, this,
            [this](const QModelIndex& i) { m_collapsed.remove(nodeKey(i)); });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (m_contextActions.isEmpty()) {
            return;
        }
        auto* menu = new QMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addActions(m_contextActions);
        menu->popup(m_view->viewport()->mapToGlobal(pos));
    });

    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &RunBrowser::poll);
}

RunBrowser::~RunBrowser() { m_future.waitForFinished(); }

void RunBrowser::setDatabasePath(const QString& path) {
    m_dbPath = path;
    m_loadedOnce = false;
    m_store.reset();  // a read in flight keeps its own reference to the old connection
    m_version = -1;
    m_model->setRuns({});
    reload();
    m_refreshTimer.start();
}

void RunBrowser::reload() { load(true); }

void RunBrowser::poll() { load(false); }

void RunBrowser::load(bool force) {
    if (m_dbPath.isEmpty()) {
        return;
    }
    if (m_loading) {
        m_reloadAgain = true;
        m_forceAgain = m_forceAgain || force;
        return;
    }
    m_loading = true;
    const std::string db = m_dbPath.toStdString();
    const QString dbPath = m_dbPath;
    std::shared_ptr<Store> store = m_store;
    const std::int64_t lastVersion = force ? -1 : m_version;
    const std::vector<std::int64_t> knownIds = m_model->runIds();  // their configs are in the model
    m_future = readAsync(
        this,
        [db, store, lastVersion, knownIds]() mutable {
            Loaded out;
            if (!store) {
                store = Store::open(db, Store::Mode::ReadOnly);
            }
            out.store = store;
            out.version = store->dataVersion();
            if (lastVersion >= 0 && out.version == lastVersion) {
                out.unchanged = true;
                return out;
            }
            out.runs = store->listRuns(false);
            // Configs do not change once a run exists: read them only for runs not listed before.
            for (RunRecord& r : out.runs) {
                if (std::find(knownIds.begin(), knownIds.end(), r.id) == knownIds.end()) {
                    if (auto full = store->findRun(r.id)) {
                        r.specToml = full->specToml;
                        r.configToml = full->configToml;
                    }
                }
            }
            return out;
        },
        [this, dbPath](const ReadResult<Loaded>& r) {
            m_loading = false;
            applyLoaded(dbPath, r);
            if (m_reloadAgain) {
                m_reloadAgain = false;
                const bool forceNext = m_forceAgain;
                m_forceAgain = false;
                load(forceNext);
            }
        });
}

void RunBrowser::applyLoaded(const QString& dbPath, ReadResult<Loaded> result) {
    if (dbPath != m_dbPath) {
        return;  // another database was opened meanwhile
    }
    if (!result.ok()) {
        m_refreshTimer.stop();  // one message, not one every few seconds
        emit failed(tr("reading the runs of %1").arg(dbPath), result.error);
        return;
    }
    Loaded& loaded = result.value;
    m_store = loaded.store;
    m_version = loaded.version;
    if (loaded.unchanged) {
        ++m_skippedReads;
        return;
    }
    // Keep the configs of runs listed before (listRuns(false) leaves them empty).
    for (RunRecord& r : loaded.runs) {
        if (r.configToml.empty()) {
            if (const RunRecord* old = m_model->record(r.id)) {
                r.specToml = old->specToml;
                r.configToml = old->configToml;
            }
        }
    }
    const int count = static_cast<int>(loaded.runs.size());
    m_model->setRuns(std::move(loaded.runs));
    const QString currentTag = m_tags->currentData().toString();
    const QStringList tags = m_model->allTags();
    if (tags.size() != m_tags->count() - 1) {
        m_tags->blockSignals(true);
        m_tags->clear();
        m_tags->addItem(tr("All tags"), QString());
        for (const QString& t : tags) {
            m_tags->addItem(t, t);
        }
        m_tags->setCurrentIndex(std::max(0, m_tags->findData(currentTag)));
        m_tags->blockSignals(false);
    }
    m_count->setText(tr("%n run(s)", nullptr, count));
    m_loadedOnce = true;
    emit runsLoaded(count);
}

QString RunBrowser::nodeKey(const QModelIndex& index) {
    const qint64 id = index.data(RunListModel::RunIdRole).toLongLong();
    return id ? QStringLiteral("run:%1").arg(id)
              : QStringLiteral("group:") + index.data(RunListModel::GroupRole).toString();
}

void RunBrowser::saveViewState() {
    m_savedSelection = selectedRunIds();
    m_savedCurrent = currentRunId();
}

void RunBrowser::restoreViewState() {
    m_restoring = true;
    m_view->expandAll();
    // Collapse what the user collapsed (walk the proxy tree).
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_proxy->rowCount(parent); ++r) {
            const QModelIndex i = m_proxy->index(r, 0, parent);
            if (m_collapsed.contains(nodeKey(i))) {
                m_view->collapse(i);
            }
            walk(i);
        }
    };
    walk({});
    selectRuns(m_savedSelection);
    if (m_savedCurrent) {
        const QModelIndex cur = m_proxy->mapFromSource(m_model->indexOf(m_savedCurrent));
        m_view->selectionModel()->setCurrentIndex(cur, QItemSelectionModel::NoUpdate);
    }
    m_restoring = false;
    emitSelectionIfChanged();
}

QList<qint64> RunBrowser::selectedRunIds() const {
    QList<qint64> ids;
    // In display order, so colours follow what the user sees.
    std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
        for (int r = 0; r < m_proxy->rowCount(parent); ++r) {
            const QModelIndex i = m_proxy->index(r, 0, parent);
            const qint64 id = i.data(RunListModel::RunIdRole).toLongLong();
            if (id && m_view->selectionModel()->isSelected(i)) {
                ids << id;
            }
            walk(i);
        }
    };
    walk({});
    return ids;
}

qint64 RunBrowser::currentRunId() const {
    return m_view->selectionModel()->currentIndex().data(RunListModel::RunIdRole).toLongLong();
}

void RunBrowser::selectRuns(const QList<qint64>& runIds) {
    QItemSelection selection;
    for (qint64 id : runIds) {
        const QModelIndex i = m_proxy->mapFromSource(m_model->indexOf(id));
        if (i.isValid()) {
            selection.select(i, i.siblingAtColumn(RunListModel::ColumnCount - 1));
        }
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!runIds.isEmpty()) {
        const QModelIndex first = m_proxy->mapFromSource(m_model->indexOf(runIds.front()));
        if (first.isValid()) {
            m_view->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
            m_view->scrollTo(first);
        }
    }
}

void RunBrowser::emitSelectionIfChanged() {
    if (m_restoring) {
        return;
    }
    const QList<qint64> ids = selectedRunIds();
    if (ids != m_lastEmitted) {
        m_lastEmitted = ids;
        emit selectionChanged(ids);
    }
}

}  // namespace anneal::ui
