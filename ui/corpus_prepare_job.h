// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// File ▸ Prepare real-text corpus: prepareCorpus (anneal/corpus.h) on a pool thread, with a
// non-modal progress dialog whose Cancel stops it after the current file. The GUI thread never
// waits for it; progress lines arrive through a relay object that lives as long as the work, so a
// job (or window) closed meanwhile only stops listening (and asks the work to cancel).

#include <QObject>
#include <QPointer>
#include <QProgressDialog>
#include <atomic>
#include <memory>

#include "anneal/corpus.h"

namespace anneal::ui {

class CorpusPrepareJob : public QObject {
    Q_OBJECT
public:
    /// Starts the work and shows the progress dialog on `parent`; with `showResult`, a message box
    /// says what was prepared (or what went wrong) at the end. The job deletes itself when done.
    static CorpusPrepareJob* start(QWidget* parent, const CorpusPrepareOptions& options,
                                   bool showResult = true);
    ~CorpusPrepareJob() override;

    void cancel();
    QProgressDialog* dialog() const { return m_dialog; }

signals:
    /// A progress line: `done` of `total` packages, what happens now.
    void progressed(int done, int total, const QString& text);
    /// The end: ok with a summary (directory, bytes per domain, the preset), or why not.
    void finished(bool ok, const QString& message);

private:
    CorpusPrepareJob(QWidget* parent, bool showResult);
    void run(const CorpusPrepareOptions& options);

    QPointer<QProgressDialog> m_dialog;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
    bool m_showResult;
};

/// The summary shown when a corpus is ready: where, the bytes per domain, how to train on it.
QString corpusSummary(const CorpusPrepareResult& r);

}  // namespace anneal::ui
