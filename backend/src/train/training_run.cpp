// SPDX-License-Identifier: GPL-3.0-or-later
// TrainingRun: owns the training thread and drives TrainerCore through the steps, publishing events.
// Nothing here waits for a consumer: events go to bounded queues that drop (and count) when full.

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <torch/torch.h>

#include "anneal/allocator.h"
#include "anneal/error.h"
#include "anneal/trainer.h"
#include "train/trainer_core.h"

namespace anneal {

struct TrainingRun::Impl {
    RunRequest req;
    std::shared_ptr<EventBus> bus;
    std::thread thread;
    std::atomic<bool> stopFlag{false};
    std::atomic<bool> pauseFlag{false};
    std::atomic<bool> finished{false};
    std::atomic<int> status{static_cast<int>(RunStatus::Created)};
    std::atomic<std::int64_t> stepsDone{0};
    std::mutex pauseMutex;
    std::condition_variable pauseCv;

    void publish(EventPayload p) { bus->publish(Event{req.runId, std::move(p)}); }
    void setStatus(RunStatus s, std::int64_t step, const std::string& msg) {
        status = static_cast<int>(s);
        publish(StatusEvent{s, step, msg});
    }
    std::string checkpointPath(std::int64_t step) const {
        char name[64];
        std::snprintf(name, sizeof name, "step-%09lld.ckpt", static_cast<long long>(step));
        return (std::filesystem::path(req.checkpointDir) / name).string();
    }
    /// A checkpoint closes the current weight snapshot: the samples trained since the previous
    /// snapshot are published (and so committed no later than the checkpoint's row) instead of
    /// waiting for the next weights_every boundary. A run resumed from that checkpoint starts with an
    /// empty snapshot, exactly as the uninterrupted run does, so both store the same snapshots; before
    /// this, a kill lost the weights of every sample between the last snapshot and the checkpoint.
    void closeSnapshot(WeightSnapshotEvent& snapshot, std::int64_t lastStep) {
        if (!snapshot.sampleIds.empty()) {
            snapshot.step = lastStep;
            publish(std::move(snapshot));
            snapshot = WeightSnapshotEvent{};
        }
    }
    /// Publishes the data preparation's progress (PrepareEvent), at most 5 times a second per stage.
    DataProgress prepareProgress();
    void body();
    void loop(train::TrainerCore& core, std::int64_t start, double wallOffset);
};

DataProgress TrainingRun::Impl::prepareProgress() {
    struct Last {
        std::string stage;
        std::chrono::steady_clock::time_point at;
    };
    auto last = std::make_shared<Last>();
    return [this, last](const std::string& stage, std::int64_t done, std::int64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (stage == last->stage && done < total && now - last->at < std::chrono::milliseconds(200)) {
            return;
        }
        last->stage = stage;
        last->at = now;
        publish(PrepareEvent{stage, done, total});
    };
}

void TrainingRun::Impl::body() {
    std::int64_t step = 0;
    try {
        at::init_num_threads();
        torch::set_num_threads(resolveThreads(req.spec.train.threads));
        const std::string device = resolveDevice(req.spec.device);
        train::TrainerCore core(req.spec, device, prepareProgress(), req.data);
        req.data.reset();  // the core holds it
        double wallOffset = 0;
        if (!req.startFrom.empty()) {
            step = core.load(req.startFrom, req.isBranch);
            wallOffset = req.isBranch ? 0.0 : train::readCheckpointHeader(req.startFrom).wallSeconds;
        }
        stepsDone = step;
        if (!req.checkpointDir.empty()) {
            std::filesystem::create_directories(req.checkpointDir);
        }
        setStatus(RunStatus::Running, step, "");
        loop(core, step, wallOffset);
    } catch (const Error& e) {
        setStatus(RunStatus::Failed, stepsDone, e.what());
    } catch (const c10::Error& e) {
        setStatus(RunStatus::Failed, stepsDone, std::string("torch: ") + e.what_without_backtrace());
    } catch (const std::exception& e) {
        setStatus(RunStatus::Failed, stepsDone, e.what());
    }
    releaseFreeHeapMemory();  // the run's peak goes back to the kernel (the app lives on)
    finished = true;
}

void TrainingRun::Impl::loop(train::TrainerCore& core, std::int64_t start, double wallOffset) {
    const ExperimentSpec& spec = req.spec;
    const std::int64_t T = spec.train.steps;
    const int D = core.dataset().domainCount();
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    double pausedSeconds = 0;  // training time excludes pauses
    auto wall = [&] {
        return wallOffset + std::chrono::duration<double>(Clock::now() - t0).count() - pausedSeconds;
    };
    std::vector<std::uint64_t> drawnAtLastLog = core.samplerState().drawn;
    std::int64_t skipped = 0;
    WeightSnapshotEvent snapshot;
    bool evaluatedLast = false;
    std::int64_t t = start;
    for (; t < T; ++t) {
        if (stopFlag) {
            break;
        }
        if (pauseFlag) {
            // Stored as notices, so every viewer of the database can tell the run is paused.
            publish(NoticeEvent{t, "paused", "paused by the user at step " + std::to_string(t), 0.0});
            const auto p0 = Clock::now();
            {
                std::unique_lock<std::mutex> lock(pauseMutex);
                pauseCv.wait(lock, [&] { return !pauseFlag || stopFlag; });
            }
            pausedSeconds += std::chrono::duration<double>(Clock::now() - p0).count();
            publish(NoticeEvent{t, "resumed", "resumed at step " + std::to_string(t), 0.0});
            if (stopFlag) {
                break;
            }
        }
        const auto s0 = Clock::now();
        const train::StepOutcome r = core.step(t);
        const double seconds = std::chrono::duration<double>(Clock::now() - s0).count();
        if (!r.failure.empty()) {
            stepsDone = t;
            setStatus(RunStatus::Failed, t, r.failure);
            return;
        }
        stepsDone = t + 1;
        if (r.skipped) {
            ++skipped;
            publish(NoticeEvent{t, "skipped_update", "non-finite loss or gradient: update skipped", r.loss});
        }
        if (std::isfinite(r.lossZ) && r.lossZ > spec.train.spikeZ) {
            publish(NoticeEvent{t, "spike", "loss spike: z = " + std::to_string(r.lossZ), r.loss});
        }
        if (spec.log.weightsEvery > 0) {
            const Batch& b = core.lastBatch();
            for (int i = 0; i < b.size; ++i) {
                snapshot.sampleIds.push_back(b.ids[static_cast<size_t>(i)]);
                snapshot.losses.push_back(core.lastSampleLosses()[static_cast<size_t>(i)]);
                // Stored relative to uniform: 1.0 means the weight plain averaging would give.
                snapshot.weights.push_back(core.lastSampleWeights()[static_cast<size_t>(i)] *
                                           static_cast<float>(b.size));
                snapshot.flags.push_back(b.noisy[static_cast<size_t>(i)]);
                snapshot.steps.push_back(static_cast<std::int32_t>(t));
            }
            if ((t + 1) % spec.log.weightsEvery == 0 || t + 1 == T) {
                snapshot.step = t;
                publish(std::move(snapshot));
                snapshot = WeightSnapshotEvent{};
            }
        }
        if ((t + 1) % spec.log.every == 0 || t == start || t + 1 == T) {
            StepEvent ev;
            ev.step = t;
            ev.tokens = (t + 1) * core.tokensPerStep();
            ev.wallSeconds = wall();
            ev.trainLoss = r.loss;
            ev.weightedLoss = r.weightedLoss;
            ev.lr = r.lr;
            ev.gradNorm = r.gradNorm;
            ev.tokensPerSecond = seconds > 0 ? static_cast<double>(core.tokensPerStep()) / seconds : 0.0;
            ev.lossZ = r.lossZ;
            ev.domainLoss = core.lastDomainLoss();
            ev.gradShare = core.lastGradShare();
            const auto& drawn = core.samplerState().drawn;
            double total = 0;
            for (int d = 0; d < D; ++d) {
                total += static_cast<double>(drawn[static_cast<size_t>(d)] -
                                             drawnAtLastLog[static_cast<size_t>(d)]);
            }
            for (int d = 0; d < D; ++d) {
                const double n = static_cast<double>(drawn[static_cast<size_t>(d)] -
                                                     drawnAtLastLog[static_cast<size_t>(d)]);
                ev.mixDrawn.push_back(total > 0 ? n / total : 0.0);
                const std::int64_t size = core.dataset().domain(d).size;
                ev.epochs.push_back(size > 0 ? static_cast<double>(drawn[static_cast<size_t>(d)]) / size
                                             : std::nan(""));
            }
            drawnAtLastLog = drawn;
            publish(std::move(ev));
        }
        evaluatedLast = false;
        if (spec.data.valEvery > 0 && (t + 1) % spec.data.valEvery == 0) {
            publish(core.evaluate(t));
            evaluatedLast = true;
        }
        if (spec.log.checkpointEvery > 0 && (t + 1) % spec.log.checkpointEvery == 0 && t + 1 < T &&
            !req.checkpointDir.empty()) {
            closeSnapshot(snapshot, t);
            const std::string path = checkpointPath(t + 1);
            core.save(path, t + 1, wall());
            publish(
                CheckpointEvent{t + 1, path, static_cast<std::int64_t>(std::filesystem::file_size(path))});
        }
    }
    const std::int64_t done = stepsDone;
    // The final validation belongs to a completed run; a stopped one keeps the regular cadence, so
    // a resumed run stores exactly the points an uninterrupted one would.
    if (done == T && done > start && !evaluatedLast) {
        publish(core.evaluate(done - 1));
    }
    if (!req.checkpointDir.empty() && done > start) {
        closeSnapshot(snapshot, done - 1);
        const std::string path = checkpointPath(done);
        core.save(path, done, wall());
        publish(CheckpointEvent{done, path, static_cast<std::int64_t>(std::filesystem::file_size(path))});
    }
    if (skipped > 0) {
        publish(NoticeEvent{done, "warning", std::to_string(skipped) + " updates were skipped (non-finite)",
                            static_cast<double>(skipped)});
    }
    if (done < T) {
        setStatus(RunStatus::Stopped, done, "stopped by the user at step " + std::to_string(done));
    } else {
        setStatus(RunStatus::Completed, done, "");
    }
}

TrainingRun::TrainingRun(RunRequest request, std::shared_ptr<EventBus> bus)
    : m_impl(std::make_unique<Impl>()) {
    keepLargeAllocationsInHeap();  // on the caller's thread, before the run's own thread starts
    m_impl->req = std::move(request);
    m_impl->bus = std::move(bus);
}

TrainingRun::~TrainingRun() {
    stop();
    wait();
}

void TrainingRun::start() {
    if (m_impl->thread.joinable()) {
        return;
    }
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->body(); });
}

void TrainingRun::stop() {
    m_impl->stopFlag = true;
    m_impl->pauseCv.notify_all();
}

void TrainingRun::pause() { m_impl->pauseFlag = true; }

void TrainingRun::resume() {
    {
        std::lock_guard<std::mutex> lock(m_impl->pauseMutex);
        m_impl->pauseFlag = false;
    }
    m_impl->pauseCv.notify_all();
}

bool TrainingRun::paused() const { return m_impl->pauseFlag; }

void TrainingRun::wait() {
    if (m_impl->thread.joinable()) {
        m_impl->thread.join();
    }
}

bool TrainingRun::finished() const { return m_impl->finished; }
RunStatus TrainingRun::status() const { return static_cast<RunStatus>(m_impl->status.load()); }
std::int64_t TrainingRun::stepsDone() const { return m_impl->stepsDone; }
std::int64_t TrainingRun::runId() const { return m_impl->req.runId; }

}  // namespace anneal
