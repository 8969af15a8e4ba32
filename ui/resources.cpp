// SPDX-License-Identifier: GPL-3.0-or-later
#include "resources.h"

#include <QDir>
#include <QFile>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initAnnealResources() { Q_INIT_RESOURCE(anneal); }

namespace anneal::ui {

void initResources() {
    static bool done = false;
    if (!done) {
        initAnnealResources();
        done = true;
    }
}

QString presetText(const QString& name) {
    initResources();
    QFile f(QStringLiteral(":/anneal/experiments/") + name);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(f.readAll());
}

QString defaultExperimentText() { return presetText(QStringLiteral("default.toml")); }

QStringList presetNames() {
    initResources();
    return QDir(QStringLiteral(":/anneal/experiments"))
        .entryList({QStringLiteral("*.toml")}, QDir::Files, QDir::Name);
}

QIcon appIcon() {
    initResources();
    return QIcon(QStringLiteral(":/anneal/icons/anneal.svg"));
}

}  // namespace anneal::ui
