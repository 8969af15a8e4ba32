// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// TrainerCore: the torch side of a run — model, optimizer, data, one training step, validation and
// checkpoints. Single-threaded; TrainingRun drives it from its thread.

#include <functional>
#include <memory>
#include <torch/torch.h>

#include "anneal/dataset.h"
#include "anneal/events.h"
#include "anneal/experiment.h"
#include "data/batch_prefetcher.h"
#include "model/gpt.h"
#include "train/checkpoint.h"
#include "train/flat_adamw.h"
#include "train/spike_detector.h"

namespace anneal::reweight {
class MetaRescaler;
}

namespace anneal::train {

struct StepOutcome {
    double loss = 0;          ///< unweighted mean loss of the batch
    double weightedLoss = 0;  ///< what was backpropagated
    double gradNorm = 0;
    double lr = 0;
    double lossZ = 0;
    bool skipped = false;  ///< non-finite and skip_nonfinite: no update made
    std::string failure;   ///< non-empty: the run must fail with this message
};

class TrainerCore {
public:
    /// Builds the data (reporting the slow stages to `progress`, on this thread), the model and the
    /// optimizer.
    /// `prebuilt`: the experiment's data when the caller built it already (null: built here).
    TrainerCore(const ExperimentSpec& spec, const std::string& device, const DataProgress& progress = {},
                std::shared_ptr<const Dataset> prebuilt = nullptr);
    ~TrainerCore();

    /// Loads model, optimizer and state from a checkpoint; returns the step to continue at.
    /// A branch may change anything but the model's shape and the domains.
    std::int64_t load(const std::string& path, bool asBranch);
    /// Writes a checkpoint of the state after `stepsDone` updates.
    void save(const std::string& path, std::int64_t stepsDone, double wallSeconds);

    /// One training step at step t (0-based): batch -> forward -> per-sample loss -> weights ->
    /// backward -> clip -> LR -> update.
    StepOutcome step(std::int64_t t);
    /// Validation losses on each domain's fixed set.
    EvalEvent evaluate(std::int64_t t);

    /// Per-domain losses, counts and weight shares of the last step's batch (for logging).
    const std::vector<double>& lastDomainLoss() const { return m_domainLoss; }
    const std::vector<double>& lastGradShare() const { return m_gradShare; }
    const Batch& lastBatch() const { return m_batch; }
    const std::vector<float>& lastSampleLosses() const { return m_sampleLosses; }
    const std::vector<float>& lastSampleWeights() const { return m_sampleWeights; }
    const Dataset& dataset() const { return *m_data; }
    /// The sampler's counters after the last step's batch (the read-ahead is not counted).
    const SamplerState& samplerState() const { return m_batches->state(); }
    std::int64_t tokensPerStep() const;
    /// Number of trainable parameters (torch's own count).
    std::int64_t parameterCount() const;
    /// Per-sample weights of a batch given its (detached) losses; sums to 1 for the loss-based
    /// strategies, to the mean domain weight for scalarization (see reweight.h).
    torch::Tensor sampleWeights(const torch::Tensor& losses, std::int64_t t);

private:
    void setLearningRate(double lr);
    torch::Tensor tokensTensor(const Batch& b) const;

    ExperimentSpec m_spec;
    torch::Device m_device;
    std::shared_ptr<const Dataset> m_data;
    std::unique_ptr<data::BatchPrefetcher> m_batches;  ///< draws the coming steps' batches ahead
    model::Gpt m_model{nullptr};
    std::unique_ptr<torch::optim::AdamW> m_optimizer;  ///< hyperparameters and the checkpoint format
    std::unique_ptr<FlatAdamW> m_flat;                 ///< the parameters, gradients and moments, flat
    torch::Tensor m_uniformWeights;                    ///< 1/B per sample, made once
    std::unique_ptr<reweight::MetaRescaler> m_meta;
    SpikeDetector m_spikes;
    Batch m_batch;
    Batch m_valBatch;
    std::vector<double> m_domainLoss;
    std::vector<double> m_gradShare;
    std::vector<float> m_sampleLosses;
    std::vector<float> m_sampleWeights;
};

}  // namespace anneal::train
