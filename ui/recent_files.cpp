// SPDX-License-Identifier: GPL-3.0-or-later
#include "recent_files.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <algorithm>

namespace anneal::ui {

RecentFiles::RecentFiles(bool persist, QObject* parent) : QObject(parent), m_persist(persist) {
    if (m_persist) {
        QSettings s;
        m_databases = s.value(key(Kind::Database)).toStringList();
        m_experiments = s.value(key(Kind::Experiment)).toStringList();
    }
}

QString RecentFiles::key(Kind kind) {
    return kind == Kind::Database ? QStringLiteral("recent/databases") : QStringLiteral("recent/experiments");
}

void RecentFiles::add(Kind kind, const QString& path) {
    if (path.isEmpty()) {
        return;
    }
    const QString abs = QFileInfo(path).absoluteFilePath();
    QStringList& list = kind == Kind::Database ? m_databases : m_experiments;
    list.removeAll(abs);
    list.prepend(abs);
    while (list.size() > kMax) {
        list.removeLast();
    }
    save(kind);
}

QStringList RecentFiles::files(Kind kind) const {
    return kind == Kind::Database ? m_databases : m_experiments;
}

void RecentFiles::clear() {
    m_databases.clear();
    m_experiments.clear();
    save(Kind::Database);
    save(Kind::Experiment);
}

void RecentFiles::save(Kind kind) const {
    if (m_persist) {
        QSettings().setValue(key(kind), files(kind));
    }
}

void RecentFiles::populate(QMenu* menu) {
    menu->clear();
    for (QStringList* list : {&m_databases, &m_experiments}) {
        list->erase(std::remove_if(list->begin(), list->end(),
                                   [](const QString& p) { return !QFileInfo::exists(p); }),
                    list->end());
    }
    save(Kind::Database);
    save(Kind::Experiment);
    auto addSection = [&](const QString& title, Kind kind) {
        const QStringList list = files(kind);
        if (list.isEmpty()) {
            return;
        }
        menu->addSection(title);
        for (int i = 0; i < list.size(); ++i) {
            const QString path = list[i];
            QAction* a = menu->addAction(QStringLiteral("%1  %2").arg(QFileInfo(path).fileName(), path));
            a->setToolTip(path);
            connect(a, &QAction::triggered, this, [this, kind, path] { emit opened(kind, path); });
        }
    };
    addSection(tr("Databases"), Kind::Database);
    addSection(tr("Experiment files"), Kind::Experiment);
    if (menu->isEmpty()) {
        menu->addAction(tr("(no recent files)"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    menu->addAction(tr("Clear the list"), this, &RecentFiles::clear);
}

}  // namespace anneal::ui
