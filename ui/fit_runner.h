// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// FitRunner: one scaling-law fit at a time, in the background. It reads the points (runs of the
// database, a sweep group or a CSV/JSONL file: anneal::fit::prepareFrom*) and fits
// (anneal::fit::fitLaw) on a pool thread, reports progress about every 50 ms, and cancels through
// the fit's ProgressFn (returning false makes fitLaw stop and throw Cancelled). The fit runs through
// readAsync (async_read.h) with the runner as receiver, which the view owns: a closed view never
// receives a result.

#include <QObject>
#include <QString>
#include <QTimer>
#include <atomic>
#include <memory>
#include <vector>

#include "anneal/fit/fit_options.h"
#include "anneal/fit/fit_record.h"
#include "anneal/fit/fit_result.h"
#include "anneal/fit/predict_run.h"
#include "async_read.h"

namespace anneal::ui {

struct FitRequest {
    enum class Source { Runs, Group, File };
    Source source = Source::Runs;
    fit::FitOptions options;  ///< options.law names the law
    QString dbPath;           ///< runs and groups
    std::vector<std::int64_t> runIds;
    QString group;
    QString metric = QStringLiteral("val_loss");
    bool includeEmbeddings = false;
    QString file;  ///< a CSV or JSONL file
    fit::FileColumns columns;
    /// Curve laws: losses before this step are left out of the fit (fit::leaveOutBefore) and of the
    /// held-out runs' errors.
    std::int64_t minStep = 0;
    /// Curve laws on runs: runs left out of the fit and predicted from their own LR sequence (PredE,
    /// WorstE and the final-loss error of each, fit::predictRun). Each must be a run of the database.
    std::vector<std::int64_t> heldOutRuns;
    /// Where the points come from, for messages ("runs 3,4 of lab.db", "file x.csv").
    QString describe() const;
};

struct FitOutcome {
    bool ok = false;
    bool cancelled = false;
    QString error;  ///< the backend's message (it names the file line or the run)
    fit::FitResult result;
    fit::Provenance provenance;
    std::vector<fit::RunPrediction> heldOut;  ///< one per FitRequest::heldOutRuns, in order
    double seconds = 0;                       ///< reading, fitting and predicting, wall time
};

class FitRunner : public QObject {
    Q_OBJECT

public:
    explicit FitRunner(QObject* parent = nullptr);
    ~FitRunner() override;

    /// Starts a fit; false when one is running already.
    bool start(const FitRequest& request);
    /// Asks the running fit to stop (it ends with finished(outcome.cancelled = true)).
    void cancel();
    bool running() const { return m_running; }

signals:
    /// Progress in [0, 1] while fitting.
    void progress(double fraction);
    void finished(const anneal::ui::FitOutcome& outcome);

private:
    struct Shared {
        std::atomic<double> progress{0};
        std::atomic<bool> cancel{false};
    };
    std::shared_ptr<Shared> m_shared;
    QFuture<ReadResult<FitOutcome>> m_future;
    QTimer m_poll;
    bool m_running = false;
};

}  // namespace anneal::ui

Q_DECLARE_METATYPE(anneal::ui::FitOutcome)
