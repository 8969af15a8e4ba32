// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunPropertyPanel: the current run's properties: summary (status, seed, device, model size, entropy
// floor, progress), its domains with their entropy, its resolved config (RunRecord::configToml) and
// its checkpoints (Store::checkpoints, read on a pool thread) with "Branch from here…".

#include <QWidget>
#include <vector>

#include "anneal/store.h"
#include "async_read.h"

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace anneal::ui {

class RunPropertyPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunPropertyPanel(QWidget* parent = nullptr);
    ~RunPropertyPanel() override;

    void setDatabasePath(const QString& path);
    /// Shows a run (nullopt: none). Re-reads its checkpoints when the run or its progress changed.
    void setRun(const std::optional<RunRecord>& run);
    qint64 runId() const { return m_run ? m_run->id : 0; }
    const std::optional<RunRecord>& run() const { return m_run; }
    void refreshCheckpoints();

    QTabWidget* tabs() const { return m_tabs; }
    QPlainTextEdit* configView() const { return m_config; }
    QTableWidget* domainTable() const { return m_domains; }
    QTableWidget* checkpointTable() const { return m_checkpoints; }
    QPushButton* branchButton() const { return m_branch; }
    /// The value shown for a summary field ("Seed", "Device", "Entropy floor"...).
    QString summaryValue(const QString& field) const;
    const std::vector<CheckpointRecord>& checkpoints() const { return m_checkpointRows; }

signals:
    /// "Branch from here…" on a checkpoint.
    void branchRequested(qint64 runId, qint64 step);
    void checkpointsLoaded();

private:
    void fillSummary();
    void fillDomains();
    void fillCheckpoints();
    void addSummary(const QString& field, const QString& value);

    QString m_dbPath;
    std::optional<RunRecord> m_run;
    QTabWidget* m_tabs;
    QWidget* m_summaryPage;
    QFormLayout* m_summary;
    QTableWidget* m_domains;
    QPlainTextEdit* m_config;
    QTableWidget* m_checkpoints;
    QPushButton* m_branch;
    QLabel* m_checkpointNote;
    std::vector<CheckpointRecord> m_checkpointRows;
    QFuture<ReadResult<std::vector<CheckpointRecord>>> m_future;
    RequestSequence m_checkpointRequests;
};

}  // namespace anneal::ui
