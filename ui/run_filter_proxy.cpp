// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_filter_proxy.h"

#include "run_list_model.h"

namespace anneal::ui {

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setRecursiveFilteringEnabled(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void RunFilterProxy::setText(const QString& text) {
    if (text == m_text) {
        return;
    }
    m_text = text;
    invalidateFilter();
}

void RunFilterProxy::setTag(const QString& tag) {
    if (tag == m_tag) {
        return;
    }
    m_tag = tag;
    invalidateFilter();
}

bool RunFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    const qint64 runId = i.data(RunListModel::RunIdRole).toLongLong();
    if (runId == 0) {
        // A group node: shown through its runs (recursive filtering), or by itself when no filter is set.
        return m_text.isEmpty() && m_tag.isEmpty();
    }
    if (!m_tag.isEmpty() && !i.data(RunListModel::TagsRole).toStringList().contains(m_tag)) {
        return false;
    }
    if (m_text.isEmpty()) {
        return true;
    }
    const QString hay = i.data(RunListModel::SearchTextRole).toString();
    // Every word must match somewhere ("wsd cooldown" finds runs with both).
    const QStringList words = m_text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString& w : words) {
        if (!hay.contains(w, Qt::CaseInsensitive)) {
            return false;
        }
    }
    return true;
}

bool RunFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    switch (left.column()) {
        case RunListModel::IdColumn:
            return left.data(RunListModel::RunIdRole).toLongLong() <
                   right.data(RunListModel::RunIdRole).toLongLong();
        case RunListModel::ProgressColumn:
            return left.data(RunListModel::ProgressRole).toDouble() <
                   right.data(RunListModel::ProgressRole).toDouble();
        case RunListModel::NameColumn: {
            // Groups first, then runs by id, so "newest first" works on the name column too.
            const qint64 a = left.data(RunListModel::RunIdRole).toLongLong();
            const qint64 b = right.data(RunListModel::RunIdRole).toLongLong();
            if (a == 0 || b == 0) {
                return QSortFilterProxyModel::lessThan(left, right);
            }
            return a < b;
        }
        default:
            return QSortFilterProxyModel::lessThan(left, right);
    }
}

}  // namespace anneal::ui
