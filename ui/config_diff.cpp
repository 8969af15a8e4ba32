// SPDX-License-Identifier: GPL-3.0-or-later
#include "config_diff.h"

#include <QHash>
#include <exception>

#include "anneal/config.h"

namespace anneal::ui {

ConfigDiff diffConfigs(const std::vector<std::string>& configTomls) {
    ConfigDiff diff;
    const int n = static_cast<int>(configTomls.size());
    std::vector<QHash<QString, QString>> flat(static_cast<std::size_t>(n));
    QStringList order;
    for (int i = 0; i < n; ++i) {
        try {
            for (const auto& [k, v] : flattenToml(configTomls[static_cast<std::size_t>(i)])) {
                const QString key = QString::fromStdString(k);
                flat[static_cast<std::size_t>(i)].insert(key, QString::fromStdString(v));
                if (!order.contains(key)) {
                    order << key;
                }
            }
        } catch (const std::exception& e) {
            diff.errors << QStringLiteral("%1: %2").arg(i).arg(QString::fromStdString(e.what()));
        }
    }
    for (const QString& key : order) {
        QStringList row;
        bool differs = false;
        for (int i = 0; i < n; ++i) {
            const auto& map = flat[static_cast<std::size_t>(i)];
            row << (map.contains(key) ? map.value(key) : QString());
            if (i > 0 && (row[i] != row[0] || row[i].isNull() != row[0].isNull())) {
                differs = true;
            }
        }
        if (differs) {
            diff.keys << key;
            diff.values << row;
        }
    }
    return diff;
}

}  // namespace anneal::ui
