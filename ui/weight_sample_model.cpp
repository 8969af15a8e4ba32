// SPDX-License-Identifier: GPL-3.0-or-later
#include "weight_sample_model.h"

#include <QColor>
#include <QFontDatabase>

namespace anneal::ui {

WeightSampleModel::WeightSampleModel(QObject* parent) : QAbstractTableModel(parent) {}

void WeightSampleModel::setRows(std::vector<Row> rows) {
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int WeightSampleModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int WeightSampleModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WeightSampleModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Row& r = m_rows[static_cast<std::size_t>(index.row())];
    const SampleWeight& s = r.sample;
    if (role == SampleIdRole) {
        return QVariant::fromValue<qulonglong>(s.sampleId);
    }
    if (role == WeightRole) {
        return static_cast<double>(s.weight);
    }
    if (role == Qt::FontRole && index.column() == PreviewColumn) {
        return QFontDatabase::systemFont(QFontDatabase::FixedFont);
    }
    if (role == Qt::TextAlignmentRole && index.column() != PreviewColumn && index.column() != DomainColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && index.column() == NoiseColumn && s.noisy) {
        return QColor(0xc0, 0x39, 0x2b);
    }
    if (role == Qt::ToolTipRole && index.column() == PreviewColumn) {
        return tr("The sample's %1 bytes as the run drew them (regenerated from its id); '·' is a "
                  "non-printable byte")
            .arg(r.preview.size());
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (index.column()) {
        case RankColumn:
            return r.rank;
        case IdColumn:
            return QString::number(s.sampleId);
        case DomainColumn:
            return s.domain >= 0 && s.domain < m_domains.size() ? m_domains[s.domain]
                                                                : QString::number(s.domain);
        case WeightColumn:
            return QString::number(static_cast<double>(s.weight), 'f', 4);
        case LossColumn:
            return QString::number(static_cast<double>(s.loss), 'f', 3);
        case NoiseColumn:
            return s.noisy ? tr("planted noise") : QString();
        case PreviewColumn:
            return r.preview;
        default:
            return {};
    }
}

QVariant WeightSampleModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::ToolTipRole && section == WeightColumn) {
        return tr("Relative to plain averaging: 1.0 is the weight every sample gets without reweighting");
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case RankColumn:
            return tr("Rank");
        case IdColumn:
            return tr("Sample");
        case DomainColumn:
            return tr("Domain");
        case WeightColumn:
            return tr("Weight (1 = plain)");
        case LossColumn:
            return tr("Loss");
        case NoiseColumn:
            return tr("Noise");
        case PreviewColumn:
            return tr("Text");
        default:
            return {};
    }
}

}  // namespace anneal::ui
