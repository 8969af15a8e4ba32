// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunBrowser: the dock that lists the database's runs (RunListModel through RunFilterProxy) with a
// text filter, a tag filter and multi-selection. The list is read on a pool thread through a read-only
// connection the browser keeps (used by one thread at a time): every few seconds it asks
// Store::dataVersion() and re-reads the list only when another connection committed, with
// listRuns(false) (no config texts); the configs of runs it has not seen yet are read once with
// findRun, the others are kept from the previous list. Selection and expanded branches survive reloads.

#include <QList>
#include <QSet>
#include <QTimer>
#include <QWidget>
#include <memory>
#include <vector>

#include "anneal/store.h"
#include "async_read.h"

class QComboBox;
class QLineEdit;
class QTreeView;
class QAction;
class QLabel;

namespace anneal::ui {

class RunListModel;
class RunFilterProxy;

class RunBrowser : public QWidget {
    Q_OBJECT

public:
    explicit RunBrowser(QWidget* parent = nullptr);
    ~RunBrowser() override;

    void setDatabasePath(const QString& path);
    QString databasePath() const { return m_dbPath; }
    /// Re-reads the run list in the background (coalesced with a read in flight).
    void reload();
    /// Re-reads it only when the database changed since the last read (the periodic refresh).
    void poll();
    /// Reads of the list so far that found the database unchanged and read nothing (tests).
    int skippedReads() const { return m_skippedReads; }
    bool loaded() const { return m_loadedOnce; }

    RunListModel* model() const { return m_model; }
    RunFilterProxy* proxy() const { return m_proxy; }
    QTreeView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }
    QComboBox* tagCombo() const { return m_tags; }

    QList<qint64> selectedRunIds() const;
    /// The run under the cursor (the last clicked), 0 when none.
    qint64 currentRunId() const;
    void selectRuns(const QList<qint64>& runIds);
    /// Actions of the context menu (they act on the selection).
    void setContextActions(const QList<QAction*>& actions) { m_contextActions = actions; }

    /// Period of the background refresh.
    static constexpr int kRefreshIntervalMs = 3000;

signals:
    /// The selected runs changed (in display order).
    void selectionChanged(const QList<qint64>& runIds);
    void currentRunChanged(qint64 runId);
    /// A fresh list was applied to the model.
    void runsLoaded(int count);
    void failed(const QString& source, const QString& message);

private:
    struct Loaded {
        std::vector<RunRecord> runs;  ///< listRuns(false), configs of new runs filled
        bool unchanged = false;       ///< dataVersion did not move: nothing was read
        std::int64_t version = -1;
        std::shared_ptr<Store> store;  ///< the connection the read used (kept for the next one)
    };
    void load(bool force);
    void applyLoaded(const QString& dbPath, ReadResult<Loaded> result);
    void saveViewState();
    void restoreViewState();
    void emitSelectionIfChanged();
    static QString nodeKey(const QModelIndex& index);

    QString m_dbPath;
    RunListModel* m_model;
    RunFilterProxy* m_proxy;
    QTreeView* m_view;
    QLineEdit* m_filter;
    QComboBox* m_tags;
    QLabel* m_count;
    QTimer m_refreshTimer;
    bool m_loading = false;
    bool m_reloadAgain = false;
    bool m_loadedOnce = false;
    bool m_restoring = false;
    QFuture<ReadResult<Loaded>> m_future;
    std::shared_ptr<Store> m_store;  ///< read-only; only ever used by the one read in flight
    std::int64_t m_version = -1;
    int m_skippedReads = 0;
    bool m_forceAgain = false;
    QList<qint64> m_savedSelection;
    qint64 m_savedCurrent = 0;
    QSet<QString> m_collapsed;
    QList<qint64> m_lastEmitted;
    QList<QAction*> m_contextActions;
};

}  // namespace anneal::ui
