// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunFilterProxy: the run browser's filter (text over name, id, status, group and tags; one tag) and
// sort order. Filtering is recursive: a parent stays visible when one of its branches matches, and a
// sweep group when one of its runs does.

#include <QSortFilterProxyModel>

namespace anneal::ui {

class RunFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit RunFilterProxy(QObject* parent = nullptr);

    void setText(const QString& text);
    /// Only runs with this tag ("" = any).
    void setTag(const QString& tag);
    QString text() const { return m_text; }
    QString tag() const { return m_tag; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    QString m_text;
    QString m_tag;
};

}  // namespace anneal::ui
