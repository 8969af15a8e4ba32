// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RecentFiles: the databases and experiment files opened lately (newest first, at most kMax of
// each), kept in QSettings ("recent/databases", "recent/experiments") and shown in File ▸ Open
// Recent. Files that no longer exist are dropped when the menu is shown.

#include <QObject>
#include <QStringList>

class QMenu;

namespace anneal::ui {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    enum class Kind { Database, Experiment };
    static constexpr int kMax = 8;

    /// persist: read and write QSettings (false: in memory only, for windows that keep no settings).
    explicit RecentFiles(bool persist, QObject* parent = nullptr);

    void add(Kind kind, const QString& path);
    QStringList files(Kind kind) const;
    void clear();
    /// Fills a menu with both lists; choosing an entry emits opened.
    void populate(QMenu* menu);

signals:
    void opened(anneal::ui::RecentFiles::Kind kind, const QString& path);

private:
    static QString key(Kind kind);
    void save(Kind kind) const;

    bool m_persist;
    QStringList m_databases;
    QStringList m_experiments;
};

}  // namespace anneal::ui
