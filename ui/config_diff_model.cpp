// SPDX-License-Identifier: GPL-3.0-or-later
#include "config_diff_model.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace anneal::ui {

void ConfigDiffModel::setDiff(const ConfigDiff& diff, const QStringList& runLabels) {
    beginResetModel();
    m_diff = diff;
    m_labels = runLabels;
    endResetModel();
}

int ConfigDiffModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_diff.keys.size());
}

int ConfigDiffModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1 + static_cast<int>(m_labels.size());
}

QVariant ConfigDiffModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const int r = index.row();
    const int c = index.column();
    if (c == 0) {
        if (role == Qt::DisplayRole) {
            return m_diff.keys[r];
        }
        if (role == Qt::FontRole) {
            QFont f;
            f.setFamily(QStringLiteral("monospace"));
            f.setStyleHint(QFont::Monospace);
            return f;
        }
        return {};
    }
    const QString& v = m_diff.values[r][c - 1];
    if (role == Qt::DisplayRole) {
        return v.isNull() ? tr("(not set)") : v;
    }
    if (role == Qt::ForegroundRole && v.isNull()) {
        return QGuiApplication::palette().color(QPalette::PlaceholderText);
    }
    if (role == Qt::ToolTipRole) {
        return QStringLiteral("%1 = %2").arg(m_diff.keys[r], v.isNull() ? tr("(not set)") : v);
    }
    return {};
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == 0 ? tr("Key") : m_labels.value(section - 1);
}

}  // namespace anneal::ui
