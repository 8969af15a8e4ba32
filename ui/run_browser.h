// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// RunBrowser: the dock that lists the database's runs (RunListModel through RunFilterProxy) with a
// text filter, a tag filter and multi-selection. The list is read with Store::listRuns() on a pool
// thread (its own read-only connection) every few seconds and on demand; selection and expanded
// branches survive reloads.

#include <QFuture>
#include <QList>
#include <QSet>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "anneal/store.h"

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
        std::vector<RunRecord> runs;
        QString error;
        QString dbPath;
    };
    void applyLoaded(const Loaded& loaded);
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
    QFuture<Loaded> m_future;
    QList<qint64> m_savedSelection;
    qint64 m_savedCurrent = 0;
    QSet<QString> m_collapsed;
    QList<qint64> m_lastEmitted;
    QList<QAction*> m_contextActions;
};

}  // namespace anneal::ui
