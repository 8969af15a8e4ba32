// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one seam from the views to the store: readAsync runs a piece of work that opens the database
// (or fits, imports, starts a run) on a pool thread and hands its value, or the text of what it
// threw, to a receiver on the receiver's thread. No view opens a Store on the GUI thread, and no
// view writes its own QtConcurrent::run + QFutureWatcher + try/catch. The work must not touch the
// receiver: it captures copies (a path, ids, shared pointers) and opens its own Store, because a
// Store is one connection and never crosses threads.
//
// Lifetime: the watcher is the receiver's child and the delivery uses the receiver as its context,
// so a receiver destroyed before the work ends is never called (the work still runs to its end on
// the pool, with its own copies). An owner that must not outlive its work (it shares a Store with
// it, or holds a session) keeps the returned future and waits for it in its destructor.
//
// Stale results: RequestSequence hands a ticket to each request; a result whose ticket is no longer
// the latest is dropped (a newer request, another run or another database superseded it).

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QPromise>
#include <QString>
#include <QtConcurrent>
#include <functional>
#include <type_traits>
#include <utility>

namespace anneal::ui {

/// What a pool thread read: the value, or why it could not be read.
template <typename T>
struct ReadResult {
    T value{};
    QString
        error;  ///< what the work threw (anneal::Error names the database, run or field); empty on success
    bool ok() const { return error.isEmpty(); }
};

/// The text of the exception being handled (call inside a catch): what() of a std::exception,
/// "unknown error" for anything else.
QString currentErrorText();

/// Progress and cancellation for work that reports them (CompareView's per-run read). Passed to work
/// that takes a `ReadProgress&`; the future's watcher then emits progressValueChanged.
class ReadProgress {
public:
    ReadProgress(std::function<void(int, int)> setRange, std::function<void(int)> setValue,
                 std::function<bool()> cancelled)
        : m_setRange(std::move(setRange)),
          m_setValue(std::move(setValue)),
          m_cancelled(std::move(cancelled)) {}
    void setRange(int minimum, int maximum) { m_setRange(minimum, maximum); }
    void setValue(int value) { m_setValue(value); }
    /// True once the future was cancelled: the work should return early; its result is dropped.
    bool cancelled() const { return m_cancelled(); }

private:
    std::function<void(int, int)> m_setRange;
    std::function<void(int)> m_setValue;
    std::function<bool()> m_cancelled;
};

namespace detail {
template <typename Work>
constexpr bool kTakesProgress = std::is_invocable_v<Work, ReadProgress&>;

template <typename Work, bool = kTakesProgress<Work>>
struct WorkValue {
    using type = std::invoke_result_t<Work, ReadProgress&>;
};
template <typename Work>
struct WorkValue<Work, false> {
    using type = std::invoke_result_t<Work>;
};
}  // namespace detail

/// The value type of a work callable (what it returns).
template <typename Work>
using WorkValue = std::decay_t<typename detail::WorkValue<Work>::type>;

/// Runs `work` (`T()` or `T(ReadProgress&)`, may throw) on the global thread pool and calls
/// `done(const ReadResult<T>&)` on `receiver`'s thread when it ends, unless `receiver` was destroyed
/// meanwhile or the returned future was cancelled. `configure` (optional) gets the watcher before the
/// work starts, to connect progress signals. Returns the future, for owners that wait or cancel.
template <typename Work, typename Done>
QFuture<ReadResult<WorkValue<Work>>> readAsync(
    QObject* receiver, Work work, Done done,
    const std::function<void(QFutureWatcher<ReadResult<WorkValue<Work>>>*)>& configure = {}) {
    using T = WorkValue<Work>;
    using Result = ReadResult<T>;
    auto* watcher = new QFutureWatcher<Result>(receiver);
    QObject::connect(watcher, &QFutureWatcher<Result>::finished, receiver, [watcher, done = std::move(done)] {
        watcher->deleteLater();
        const QFuture<Result> f = watcher->future();
        if (f.isCanceled() || f.resultCount() == 0) {
            return;
        }
        done(f.result());
    });
    if (configure) {
        configure(watcher);
    }
    QFuture<Result> future = QtConcurrent::run([work = std::move(work)](QPromise<Result>& promise) mutable {
        Result r;
        try {
            if constexpr (detail::kTakesProgress<Work>) {
                ReadProgress progress([&promise](int lo, int hi) { promise.setProgressRange(lo, hi); },
                                      [&promise](int v) { promise.setProgressValue(v); },
                                      [&promise] { return promise.isCanceled(); });
                r.value = work(progress);
            } else {
                r.value = work();
            }
        } catch (...) {
            r.error = currentErrorText();
        }
        promise.addResult(std::move(r));  // a cancelled promise drops it
    });
    watcher->setFuture(future);
    return future;
}

/// Tickets for requests whose results only matter while they are the latest one.
class RequestSequence {
public:
    /// A new request: every earlier ticket becomes stale.
    quint64 next() { return ++m_latest; }
    /// Makes every ticket handed out so far stale (the view moved on without a new request).
    void invalidate() { ++m_latest; }
    bool isLatest(quint64 ticket) const { return ticket == m_latest; }

private:
    quint64 m_latest = 0;
};

}  // namespace anneal::ui
