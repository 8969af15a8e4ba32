// SPDX-License-Identifier: GPL-3.0-or-later
#include "table_export.h"

#include <QFile>
#include <QTextStream>
#include <cmath>

namespace anneal::ui {

QString csvEscape(const QString& field) {
    if (field.contains(QLatin1Char(',')) || field.contains(QLatin1Char('"')) ||
        field.contains(QLatin1Char('\n'))) {
        QString q = field;
        q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + q + QLatin1Char('"');
    }
    return field;
}

bool exportModelCsv(const QAbstractItemModel& model, const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error) {
            *error = QStringLiteral("could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    QTextStream out(&file);
    QStringList header;
    for (int c = 0; c < model.columnCount(); ++c) {
        header << csvEscape(model.headerData(c, Qt::Horizontal).toString());
    }
    out << header.join(QLatin1Char(',')) << '\n';
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList row;
        for (int c = 0; c < model.columnCount(); ++c) {
            const QModelIndex i = model.index(r, c);
            const QVariant raw = model.data(i, kRawValueRole);
            if (raw.isValid() && raw.typeId() == QMetaType::Double) {
                const double v = raw.toDouble();
                row << (std::isfinite(v) ? QString::number(v, 'g', 17) : QString());
            } else if (raw.isValid()) {
                row << csvEscape(raw.toString());
            } else {
                row << csvEscape(model.data(i).toString());
            }
        }
        out << row.join(QLatin1Char(',')) << '\n';
    }
    out.flush();
    if (file.error() != QFileDevice::NoError) {
        if (error) {
            *error = QStringLiteral("could not write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

}  // namespace anneal::ui
