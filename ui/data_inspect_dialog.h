// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// DataInspectDialog: the experiment dialog's "Inspect data…". It runs inspectData on a pool thread
// (building the Dataset can train a tokenizer for a minute) and shows its stage and a Cancel button
// meanwhile; the GUI never waits. Then, per domain: files, documents, bytes, tokens, the
// train/validation split in documents and tokens, the loss floor ("unknown" for real text) and a few
// decoded training windows. An error (no file matches, a bad field) shows as the engine's message,
// which names the domain and the file.

#include <QDialog>
#include <atomic>
#include <memory>

#include "data_inspection.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace anneal::ui {

class DataInspectDialog : public QDialog {
    Q_OBJECT

public:
    enum Column {
        DomainColumn,
        FilesColumn,
        DocumentsColumn,
        BytesColumn,
        TokensColumn,
        TrainDocumentsColumn,
        ValDocumentsColumn,
        FloorColumn,
        ColumnCount
    };

    explicit DataInspectDialog(QWidget* parent = nullptr);
    ~DataInspectDialog() override;

    /// Starts inspecting an experiment file's text (the dialog's current experiment); a previous
    /// inspection still running is cancelled and its result dropped.
    void inspect(const QString& tomlText, const QString& origin, int samples = 3);
    void cancel();

    bool running() const { return m_running; }
    const DataInspection& result() const { return m_result; }
    /// The engine's message when the inspection failed ("" otherwise).
    QString errorText() const { return m_errorText; }
    QTableWidget* table() const { return m_table; }
    QPlainTextEdit* samplesView() const { return m_samples; }
    QLabel* statusLabel() const { return m_status; }

signals:
    /// The inspection ended: ok with result(), or failed with errorText(), or was cancelled.
    void finished(bool ok);

private:
    void showResult();

    QLabel* m_status;
    QProgressBar* m_progress;
    QPushButton* m_cancel;
    QTableWidget* m_table;
    QPlainTextEdit* m_samples;
    DataInspection m_result;
    QString m_errorText;
    bool m_running = false;
    quint64 m_ticket = 0;
    std::shared_ptr<std::atomic<bool>> m_cancelFlag;
};

/// A loss floor in nats/token for the table: "unknown" when NaN (real text), else 4 decimals.
QString floorText(double natsPerToken);

}  // namespace anneal::ui
