// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_list_model.h"

#include <QApplication>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QPalette>
#include <map>

namespace anneal::ui {

struct RunListModel::Node {
    Node* parent = nullptr;
    qint64 runId = 0;  ///< 0: a group node (or the root)
    QString group;
    std::vector<std::unique_ptr<Node>> children;

    int row() const {
        if (!parent) {
            return 0;
        }
        for (std::size_t i = 0; i < parent->children.size(); ++i) {
            if (parent->children[i].get() == this) {
                return static_cast<int>(i);
            }
        }
        return 0;
    }
};

RunListModel::RunListModel(QObject* parent) : QAbstractItemModel(parent), m_root(std::make_unique<Node>()) {}

RunListModel::~RunListModel() = default;

std::vector<std::pair<qint64, qint64>> RunListModel::structureOf(const std::vector<RunRecord>& runs) const {
    // (id, parent id or a hash of the group): equal vectors mean an identical tree.
    std::vector<std::pair<qint64, qint64>> s;
    for (const RunRecord& r : runs) {
        const qint64 p =
            r.parentId ? *r.parentId : -static_cast<qint64>(qHash(QString::fromStdString(r.group)) + 1);
        s.emplace_back(r.id, p);
    }
    return s;
}

void RunListModel::setRuns(std::vector<RunRecord> runs) {
    const bool sameShape = structureOf(runs) == structureOf(m_records);
    if (sameShape) {
        m_records = std::move(runs);
        if (!m_records.empty()) {
            // Per node, since a tree's rows are not one range (cheap: a few hundred rows at most).
            for (auto it = m_nodes.begin(); it != m_nodes.end(); ++it) {
                const QModelIndex first = indexOf(it.key(), 0);
                emit dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
            }
        }
        return;
    }
    beginResetModel();
    m_records = std::move(runs);
    rebuildTree();
    endResetModel();
}

void RunListModel::rebuildTree() {
    m_root = std::make_unique<Node>();
    m_nodes.clear();
    m_recordIndex.clear();
    for (int i = 0; i < static_cast<int>(m_records.size()); ++i) {
        m_recordIndex.insert(m_records[static_cast<std::size_t>(i)].id, i);
    }
    std::map<QString, Node*> groups;
    // Parents have smaller ids than their branches, so one pass in id order places every branch.
    std::vector<const RunRecord*> ordered;
    for (const RunRecord& r : m_records) {
        ordered.push_back(&r);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const RunRecord* a, const RunRecord* b) { return a->id < b->id; });
    for (const RunRecord* r : ordered) {
        Node* parent = m_root.get();
        if (r->parentId && m_nodes.contains(*r->parentId)) {
            parent = m_nodes.value(*r->parentId);
        } else if (!r->group.empty()) {
            const QString g = QString::fromStdString(r->group);
            auto it = groups.find(g);
            if (it == groups.end()) {
                auto node = std::make_unique<Node>();
                node->parent = m_root.get();
                node->group = g;
                it = groups.emplace(g, node.get()).first;
                m_root->children.push_back(std::move(node));
            }
            parent = it->second;
        }
        auto node = std::make_unique<Node>();
        node->parent = parent;
        node->runId = r->id;
        node->group = QString::fromStdString(r->group);
        m_nodes.insert(r->id, node.get());
        parent->children.push_back(std::move(node));
    }
}

void RunListModel::setLiveProgress(qint64 runId, const LiveProgress& progress) {
    m_live.insert(runId, progress);
    const QModelIndex i = indexOf(runId, StatusColumn);
    if (i.isValid()) {
        emit dataChanged(i, i.siblingAtColumn(EtaColumn));
    }
}

void RunListModel::clearLiveProgress(qint64 runId) {
    m_live.remove(runId);
    const QModelIndex i = indexOf(runId, StatusColumn);
    if (i.isValid()) {
        emit dataChanged(i, i.siblingAtColumn(EtaColumn));
    }
}

const RunRecord* RunListModel::record(qint64 runId) const {
    auto it = m_recordIndex.find(runId);
    return it == m_recordIndex.end() ? nullptr : &m_records[static_cast<std::size_t>(*it)];
}

QModelIndex RunListModel::indexOf(qint64 runId, int column) const {
    Node* n = m_nodes.value(runId, nullptr);
    return n ? createIndex(n->row(), column, n) : QModelIndex();
}

QStringList RunListModel::allTags() const {
    QStringList tags;
    for (const RunRecord& r : m_records) {
        for (const std::string& t : r.tags) {
            const QString q = QString::fromStdString(t);
            if (!tags.contains(q)) {
                tags << q;
            }
        }
    }
    tags.sort();
    return tags;
}

QModelIndex RunListModel::index(int row, int column, const QModelIndex& parent) const {
    const Node* p = parent.isValid() ? static_cast<Node*>(parent.internalPointer()) : m_root.get();
    if (row < 0 || column < 0 || column >= ColumnCount || row >= static_cast<int>(p->children.size())) {
        return {};
    }
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex RunListModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) {
        return {};
    }
    const Node* n = static_cast<Node*>(child.internalPointer());
    Node* p = n->parent;
    if (!p || p == m_root.get()) {
        return {};
    }
    return createIndex(p->row(), 0, p);
}

int RunListModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) {
        return 0;
    }
    const Node* p = parent.isValid() ? static_cast<Node*>(parent.internalPointer()) : m_root.get();
    return static_cast<int>(p->children.size());
}

int RunListModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QString RunListModel::formatDuration(double seconds) {
    if (!(seconds >= 0)) {
        return {};
    }
    const auto s = static_cast<qint64>(seconds + 0.5);
    if (s < 60) {
        return QStringLiteral("%1 s").arg(s);
    }
    if (s < 3600) {
        return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    }
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const Node* n = static_cast<Node*>(index.internalPointer());
    if (n->runId == 0) {
        if (role == Qt::DisplayRole && index.column() == NameColumn) {
            return n->group;
        }
        if (role == GroupRole || role == SearchTextRole) {
            return n->group;
        }
        if (role == Qt::ToolTipRole) {
            return tr("sweep group %1").arg(n->group);
        }
        if (role == Qt::FontRole && index.column() == NameColumn) {
            QFont f = QApplication::font();
            f.setBold(true);
            return f;
        }
        return role == RunIdRole ? QVariant(qint64(0)) : QVariant();
    }
    const RunRecord* r = record(n->runId);
    return r ? runData(*r, index.column(), role) : QVariant();
}

QVariant RunListModel::runData(const RunRecord& r, int column, int role) const {
    const auto live = m_live.constFind(r.id);
    const bool isLive = live != m_live.constEnd();
    const qint64 done = isLive ? std::max<qint64>(live->stepsDone, r.stepsDone) : r.stepsDone;
    const qint64 total = isLive && live->stepsTotal > 0 ? live->stepsTotal : r.stepsTotal;
    switch (role) {
        case RunIdRole:
            return qint64(r.id);
        case GroupRole:
            return QString::fromStdString(r.group);
        case ProgressRole:
            return total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
        case TagsRole: {
            QStringList tags;
            for (const auto& t : r.tags) {
                tags << QString::fromStdString(t);
            }
            return tags;
        }
        case SearchTextRole: {
            QStringList parts{QString::fromStdString(r.name), QString::number(r.id),
                              QString::fromLatin1(runStatusName(r.status)), QString::fromStdString(r.group)};
            if (r.paused) {
                parts << QStringLiteral("paused");
            }
            for (const auto& t : r.tags) {
                parts << QString::fromStdString(t);
            }
            return parts.join(QLatin1Char(' '));
        }
        default:
            break;
    }
    if (role == Qt::ToolTipRole) {
        QString tip = QStringLiteral("#%1 %2\n%3")
                          .arg(r.id)
                          .arg(QString::fromStdString(r.name), QString::fromLatin1(runStatusName(r.status)));
        if (r.paused && r.status == RunStatus::Running) {
            tip += tr(" (paused: no steps until it is continued; the pause does not count as training time)");
        }
        if (!r.message.empty()) {
            tip += QStringLiteral(": ") + QString::fromStdString(r.message);
        }
        if (r.parentId) {
            tip += tr("\nbranch of run %1 at step %2").arg(*r.parentId).arg(r.branchStep.value_or(0));
        }
        return tip;
    }
    if (role == Qt::ForegroundRole && column == StatusColumn) {
        if (r.status == RunStatus::Failed) {
            return QColor(0xc0, 0x39, 0x2b);
        }
        if (r.status == RunStatus::Running && isLive) {
            return QApplication::palette().color(QPalette::Highlight);
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole &&
        (column == ProgressColumn || column == IdColumn || column == EtaColumn)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (column) {
        case NameColumn:
            return QString::fromStdString(r.name);
        case StatusColumn:
            // Paused by this window, or (RunRecord::paused) by another process training it.
            if ((isLive && live->paused) || (r.paused && r.status == RunStatus::Running)) {
                return tr("paused");
            }
            return QString::fromLatin1(runStatusName(r.status));
        case ProgressColumn:
            return QStringLiteral("%1/%2").arg(done).arg(total);
        case EtaColumn:
            if (isLive && !live->paused && live->etaSeconds >= 0) {
                return formatDuration(live->etaSeconds);
            }
            return r.wallSeconds > 0 ? formatDuration(r.wallSeconds) : QString();
        case TagsColumn: {
            QStringList tags;
            for (const auto& t : r.tags) {
                tags << QString::fromStdString(t);
            }
            return tags.join(QStringLiteral(", "));
        }
        case IdColumn:
            return qint64(r.id);
        default:
            return {};
    }
}

std::vector<std::int64_t> RunListModel::runIds() const {
    std::vector<std::int64_t> ids;
    ids.reserve(m_records.size());
    for (const RunRecord& r : m_records) {
        ids.push_back(r.id);
    }
    return ids;
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case NameColumn:
            return tr("Run");
        case StatusColumn:
            return tr("Status");
        case ProgressColumn:
            return tr("Steps");
        case EtaColumn:
            return tr("ETA / time");
        case TagsColumn:
            return tr("Tags");
        case IdColumn:
            return tr("Id");
        default:
            return {};
    }
}

}  // namespace anneal::ui
