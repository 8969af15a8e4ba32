// SPDX-License-Identifier: GPL-3.0-or-later
#include "final_metrics_model.h"

#include <QLocale>
#include <cmath>

#include "run_list_model.h"
#include "table_export.h"

namespace anneal::ui {

void FinalMetricsModel::setMetrics(const QVector<FinalMetrics>& rows) {
    beginResetModel();
    m_rows = rows;
    m_domains.clear();
    for (const FinalMetrics& m : rows) {
        for (const QString& d : m.domains) {
            if (!m_domains.contains(d)) {
                m_domains << d;
            }
        }
    }
    endResetModel();
}

int FinalMetricsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int FinalMetricsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FirstDomainColumn + 2 * static_cast<int>(m_domains.size());
}

QVariant FinalMetricsModel::value(const FinalMetrics& m, int column) const {
    switch (column) {
        case RunColumn:
            return QStringLiteral("#%1 %2").arg(m.runId).arg(m.name);
        case StatusColumn:
            return m.status;
        case StepsColumn:
            return double(m.steps);
        case TokensColumn:
            return double(m.tokens);
        case TimeColumn:
            return m.wallSeconds;
        case FinalTrainColumn:
            return m.finalTrain;
        case FinalValColumn:
            return m.finalVal;
        case BestValColumn:
            return m.bestVal;
        default:
            break;
    }
    const int k = column - FirstDomainColumn;
    const int d = static_cast<int>(m.domains.indexOf(m_domains.value(k / 2)));
    if (d < 0) {
        return std::nan("");
    }
    return k % 2 == 0 ? m.finalDomain.value(d) : m.bestDomain.value(d);
}

QVariant FinalMetricsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    const FinalMetrics& m = m_rows[index.row()];
    const QVariant v = value(m, index.column());
    if (role == kRawValueRole) {
        return v;
    }
    if (role == Qt::TextAlignmentRole && index.column() >= StepsColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (v.typeId() != QMetaType::Double) {
        return v;
    }
    const double x = v.toDouble();
    if (!std::isfinite(x)) {
        return QStringLiteral("–");
    }
    switch (index.column()) {
        case StepsColumn:
            return QString::number(m.steps);
        case TokensColumn:
            return QLocale().toString(m.tokens);
        case TimeColumn:
            return RunListModel::formatDuration(x);
        default:
            return QString::number(x, 'f', 4);
    }
}

QVariant FinalMetricsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case RunColumn:
            return tr("Run");
        case StatusColumn:
            return tr("Status");
        case StepsColumn:
            return tr("Steps");
        case TokensColumn:
            return tr("Tokens");
        case TimeColumn:
            return tr("Time");
        case FinalTrainColumn:
            return tr("Final train");
        case FinalValColumn:
            return tr("Final val");
        case BestValColumn:
            return tr("Best val");
        default:
            break;
    }
    const int k = section - FirstDomainColumn;
    return (k % 2 == 0 ? tr("Final %1") : tr("Best %1")).arg(m_domains.value(k / 2));
}

}  // namespace anneal::ui
