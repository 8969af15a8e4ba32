// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// CSV export of a table model: the header row, then every row; numbers at full precision from
// kRawValueRole when the model provides it, else the displayed text.

#include <QAbstractItemModel>
#include <QString>

namespace anneal::ui {

/// Role through which a table gives the exact value behind a formatted cell (and sorts by it).
constexpr int kRawValueRole = Qt::UserRole + 10;

bool exportModelCsv(const QAbstractItemModel& model, const QString& path, QString* error = nullptr);
QString csvEscape(const QString& field);

}  // namespace anneal::ui
