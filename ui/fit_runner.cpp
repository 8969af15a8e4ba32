// SPDX-License-Identifier: GPL-3.0-or-later
#include "fit_runner.h"

#include <QElapsedTimer>
#include <algorithm>
#include <QFileInfo>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/store.h"

namespace anneal::ui {

namespace {

constexpr int kPollMs = 50;

FitOutcome runFit(const FitRequest& request, const std::shared_ptr<std::atomic<double>>& progressOut,
                  const std::shared_ptr<std::atomic<bool>>& cancel) {
    FitOutcome out;
    QElapsedTimer timer;
    timer.start();
    try {
        fit::PreparedFit prepared;
        const std::string& law = request.options.law;
        if (request.source == FitRequest::Source::File) {
            prepared = fit::prepareFromFile(law, request.file.toStdString(), request.columns);
        } else {
            auto store = Store::open(request.dbPath.toStdString(), Store::Mode::ReadOnly);
            fit::RunSource source;
            if (request.source == FitRequest::Source::Runs) {
                for (std::int64_t id : request.runIds) {
                    if (std::find(request.heldOutRuns.begin(), request.heldOutRuns.end(), id) ==
                        request.heldOutRuns.end()) {
                        source.runIds.push_back(id);
                    }
                }
                if (source.runIds.empty()) {
                    throw Error(ErrorCode::InvalidInput,
                                "every selected run is held out: nothing is left to fit", "Hold out runs",
                                "some of the selected runs, not all");
                }
            } else {
                source.group = request.group.toStdString();
            }
            source.metric = request.metric.toStdString();
            source.includeEmbeddings = request.includeEmbeddings;
            source.dbLabel = request.dbPath.toStdString();
            prepared = fit::prepareFromRuns(*store, law, source);
        }
        fit::leaveOutBefore(prepared, law, request.minStep);
        out.provenance = prepared.provenance;
        out.result = fit::fitLaw(prepared.input, request.options, [&](double f) {
            progressOut->store(f);
            return !cancel->load();
        });
        if (!request.heldOutRuns.empty()) {
            auto store = Store::open(request.dbPath.toStdString(), Store::Mode::ReadOnly);
            for (std::int64_t id : request.heldOutRuns) {
                out.heldOut.push_back(
                    fit::predictRun(*store, out.result, id, request.metric.toStdString(), request.minStep));
            }
        }
        out.ok = true;
    } catch (const Error& e) {
        out.cancelled = e.code() == ErrorCode::Cancelled;
        out.error = QString::fromStdString(e.what());
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    out.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return out;
}

}  // namespace

QString FitRequest::describe() const {
    switch (source) {
        case Source::File:
            return QObject::tr("file %1").arg(file);
        case Source::Group:
            return QObject::tr("group %1 of %2").arg(group, QFileInfo(dbPath).fileName());
        case Source::Runs:
        default: {
            QStringList ids;
            for (std::int64_t id : runIds) {
                ids << QString::number(id);
            }
            return QObject::tr("runs %1 of %2").arg(ids.join(QLatin1Char(',')), QFileInfo(dbPath).fileName());
        }
    }
}

FitRunner::FitRunner(QObject* parent) : QObject(parent) {
    qRegisterMetaType<FitOutcome>();
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_shared) {
            emit progress(m_shared->progress.load());
        }
    });
}

FitRunner::~FitRunner() {
    if (m_running && m_shared) {
        m_shared->cancel = true;  // the fit stops at its next progress call
        m_future.waitForFinished();
    }
}

bool FitRunner::start(const FitRequest& request) {
    if (m_running) {
        return false;
    }
    m_running = true;
    m_shared = std::make_shared<Shared>();
    // The worker holds the shared state through aliasing pointers, so it outlives a destroyed runner.
    auto shared = m_shared;
    auto progressOut = std::shared_ptr<std::atomic<double>>(shared, &shared->progress);
    auto cancel = std::shared_ptr<std::atomic<bool>>(shared, &shared->cancel);
    m_future = readAsync(
        this, [request, progressOut, cancel] { return runFit(request, progressOut, cancel); },
        [this](const ReadResult<FitOutcome>& r) {
            m_poll.stop();
            m_running = false;
            FitOutcome outcome = r.value;  // runFit reports the backend's errors in it
            if (!r.ok()) {
                outcome.error = r.error;
            }
            emit progress(outcome.ok ? 1.0 : m_shared->progress.load());
            emit finished(outcome);
        });
    m_poll.start();
    emit progress(0);
    return true;
}

void FitRunner::cancel() {
    if (m_running && m_shared) {
        m_shared->cancel = true;
    }
}

}  // namespace anneal::ui
