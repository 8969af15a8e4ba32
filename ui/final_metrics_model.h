// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Table of the compared runs' final metrics: one row per run; columns run, status, steps, tokens,
// time, final train loss, final and best validation loss, then final and best per domain (the union
// of the runs' domains). Sorts by the exact values (kRawValueRole).

#include <QAbstractTableModel>
#include <QVector>

#include "final_metrics.h"

namespace anneal::ui {

class FinalMetricsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        RunColumn,
        StatusColumn,
        StepsColumn,
        TokensColumn,
        TimeColumn,
        FinalTrainColumn,
        FinalValColumn,
        BestValColumn,
        FirstDomainColumn
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setMetrics(const QVector<FinalMetrics>& rows);
    const QVector<FinalMetrics>& metrics() const { return m_rows; }
    QStringList domains() const { return m_domains; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant value(const FinalMetrics& m, int column) const;

    QVector<FinalMetrics> m_rows;
    QStringList m_domains;
};

}  // namespace anneal::ui
