// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunListModel: the database's runs as a tree for the run browser. Runs of a sweep group sit under
// a group node; a branch sits under its parent run. Columns: name, status, progress
// (steps_done/steps_total), ETA (live runs of this process), tags, id. The records come from
// Store::listRuns() read off the GUI thread (RunBrowser does that); live progress is pushed in.

#include <QAbstractItemModel>
#include <QHash>
#include <QStringList>
#include <memory>
#include <vector>

#include "anneal/store.h"
#include "run_events.h"

namespace anneal::ui {

class RunListModel : public QAbstractItemModel {
    Q_OBJECT

public:
    enum Column { NameColumn, StatusColumn, ProgressColumn, EtaColumn, TagsColumn, IdColumn, ColumnCount };
    enum Role {
        RunIdRole = Qt::UserRole + 1,  ///< qint64, 0 for a group node
        GroupRole,                     ///< QString
        TagsRole,                      ///< QStringList
        ProgressRole,                  ///< double in [0, 1]
        SearchTextRole,                ///< what the text filter matches
    };

    explicit RunListModel(QObject* parent = nullptr);
    ~RunListModel() override;

    /// Replaces the runs. Keeps the rows (and so selection and expansion) when only the values
    /// changed; resets the model when runs were added, removed or moved.
    void setRuns(std::vector<RunRecord> runs);
    /// Progress of a run this process trains (overrides the stored steps_done; adds an ETA).
    void setLiveProgress(qint64 runId, const LiveProgress& progress);
    void clearLiveProgress(qint64 runId);

    const RunRecord* record(qint64 runId) const;
    QModelIndex indexOf(qint64 runId, int column = 0) const;
    QStringList allTags() const;
    int runCount() const { return static_cast<int>(m_records.size()); }
    /// Ids of the listed runs.
    std::vector<std::int64_t> runIds() const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString formatDuration(double seconds);

private:
    struct Node;
    void rebuildTree();
    QVariant runData(const RunRecord& r, int column, int role) const;
    std::vector<std::pair<qint64, qint64>> structureOf(const std::vector<RunRecord>& runs) const;

    std::vector<RunRecord> m_records;
    QHash<qint64, int> m_recordIndex;
    QHash<qint64, LiveProgress> m_live;
    std::unique_ptr<Node> m_root;
    QHash<qint64, Node*> m_nodes;
};

}  // namespace anneal::ui
