// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Table of the keys whose values differ between the compared runs (one column per run).

#include <QAbstractTableModel>

#include "config_diff.h"

namespace anneal::ui {

class ConfigDiffModel : public QAbstractTableModel {
    Q_OBJECT

public:
    using QAbstractTableModel::QAbstractTableModel;

    /// runLabels: one header per config, in the same order.
    void setDiff(const ConfigDiff& diff, const QStringList& runLabels);
    const ConfigDiff& diff() const { return m_diff; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    ConfigDiff m_diff;
    QStringList m_labels;
};

}  // namespace anneal::ui
