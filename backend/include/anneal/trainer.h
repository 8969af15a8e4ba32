// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file trainer.h
/// A training run on its own thread. The run owns its std::thread and an atomic stop flag; stop()
/// is idempotent and the destructor stops and joins. It publishes events (events.h) and never waits
/// on their consumers. Torch stays behind the pImpl: this header includes no torch and no Qt.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "anneal/events.h"
#include "anneal/experiment.h"

namespace anneal {

class Dataset;

struct RunRequest {
    ExperimentSpec spec;
    std::int64_t runId = 0;
    std::string checkpointDir;  ///< where this run writes its checkpoints (created if missing)
    std::string startFrom;      ///< checkpoint to start from: resume or branch ("" = fresh start)
    bool isBranch = false;      ///< startFrom is a parent's checkpoint: keep the step, new run
    /// The run's data when the caller built it already (RunSession's launch and branch do, for the
    /// run's record); null: the run builds it on its thread, publishing PrepareEvent as it goes.
    std::shared_ptr<const Dataset> data;
};

/// Facts about a model, computed without torch (DESIGN: 6N convention).
struct ModelInfo {
    std::int64_t params = 0;              ///< all trainable parameters (the output head is tied)
    std::int64_t paramsNonEmbedding = 0;  ///< without token and position embeddings (Kaplan's N)
    double flopsPerToken = 0;  ///< training FLOPs/token: 6·N_nonembed + 6·n_layer·context·d_model
};
ModelInfo modelInfo(const ModelSpec& m);
/// Parameters of the model as torch counts them (builds the module); equals modelInfo().params.
std::int64_t countModelParameters(const ModelSpec& m);

/// "cpu" or "cuda" for a spec's device; throws Unsupported for cuda without CUDA.
std::string resolveDevice(const std::string& device);
/// Whether this build's LibTorch can use a CUDA device now.
bool cudaAvailable();
/// Threads a run uses for torch's intra-op pool: spec.train.threads, or all cores but one.
int resolveThreads(int requested);

class TrainingRun {
public:
    TrainingRun(RunRequest request, std::shared_ptr<EventBus> bus);
    ~TrainingRun();
    TrainingRun(const TrainingRun&) = delete;
    TrainingRun& operator=(const TrainingRun&) = delete;

    /// Starts the thread. Errors while setting up (bad checkpoint...) end the run as Failed.
    void start();
    /// Asks the run to stop after the current step (status Stopped, a checkpoint is written).
    void stop();
    void pause();
    void resume();
    bool paused() const;
    /// Blocks until the thread ends.
    void wait();
    bool finished() const;
    RunStatus status() const;
    std::int64_t stepsDone() const;
    std::int64_t runId() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace anneal
