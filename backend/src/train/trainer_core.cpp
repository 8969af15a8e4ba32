// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/trainer_core.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "anneal/mixture.h"
#include "anneal/reweight.h"
#include "anneal/schedule.h"
#include "reweight/meta_rescale.h"

namespace anneal::train {

namespace {

std::string modelShape(const ModelSpec& m) {
    return std::to_string(m.nLayer) + "," + std::to_string(m.dModel) + "," + std::to_string(m.nHead) + "," +
           std::to_string(m.context);
}

/// AdamW parameter groups: weight decay on matrices and embeddings, none on biases and LayerNorms.
std::vector<torch::optim::OptimizerParamGroup> paramGroups(model::Gpt& m, const TrainSpec& t) {
    std::vector<torch::Tensor> decay;
    std::vector<torch::Tensor> noDecay;
    for (auto& p : m->parameters()) {
        (p.dim() >= 2 ? decay : noDecay).push_back(p);
    }
    auto opts = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(t.lr).betas({t.betas[0], t.betas[1]}).eps(t.eps).weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, opts(t.weightDecay));
    groups.emplace_back(noDecay, opts(0.0));
    return groups;
}

}  // namespace

TrainerCore::TrainerCore(const ExperimentSpec& spec, const std::string& device, const DataProgress& progress,
                         std::shared_ptr<const Dataset> prebuilt)
    : m_spec(spec), m_device(device == "cuda" ? torch::kCUDA : torch::kCPU) {
    torch::manual_seed(spec.seed);
    m_data = prebuilt ? std::move(prebuilt) : std::make_shared<const Dataset>(spec, progress);
    m_batches = std::make_unique<data::BatchPrefetcher>(m_spec, *m_data);
    ModelSpec modelSpec = spec.model;
    modelSpec.vocab = m_data->vocabulary();  // the tokenizer's, whatever the spec was filled with
    m_model = model::Gpt(modelSpec);
    m_model->to(m_device);
    m_optimizer = std::make_unique<torch::optim::AdamW>(paramGroups(m_model, spec.train),
                                                        torch::optim::AdamWOptions(spec.train.lr));
    m_flat = std::make_unique<FlatAdamW>(*m_optimizer);
    m_uniformWeights = torch::full({spec.data.batchSize}, 1.0 / static_cast<double>(spec.data.batchSize),
                                   torch::TensorOptions().dtype(torch::kFloat).device(m_device));
    if (spec.reweight.strategy == "meta_rescale") {
        m_meta = std::make_unique<reweight::MetaRescaler>(spec.reweight, spec.seed);
    }
}

TrainerCore::~TrainerCore() = default;

std::int64_t TrainerCore::tokensPerStep() const {
    return static_cast<std::int64_t>(m_spec.data.batchSize) * m_spec.model.context;
}

std::int64_t TrainerCore::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& p : m_model->parameters()) {
        n += p.numel();
    }
    return n;
}

torch::Tensor TrainerCore::tokensTensor(const Batch& b) const {
    auto t = torch::from_blob(const_cast<Token*>(b.tokens.data()), {b.size, b.length}, torch::kInt32);
    return t.to(torch::kLong).to(m_device);
}

void TrainerCore::setLearningRate(double lr) {
    for (auto& group : m_optimizer->param_groups()) {
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
}

torch::Tensor TrainerCore::sampleWeights(const torch::Tensor& losses, std::int64_t t) {
    const auto B = losses.size(0);
    const ReweightSpec& rw = m_spec.reweight;
    const bool burnin = t < rw.burninSteps;
    const bool lossBased = isLossBasedStrategy(rw.strategy) && !burnin;
    if (!lossBased && rw.strategy != "domain_scalarization") {
        // Uniform (no reweighting, burn-in, meta_rescale's first guess): no host copy of the losses,
        // no new tensor.
        return B == m_uniformWeights.size(0)
                   ? m_uniformWeights
                   : torch::full({B}, 1.0 / static_cast<double>(B), m_uniformWeights.options());
    }
    std::vector<double> w(static_cast<size_t>(B), 1.0 / static_cast<double>(B));
    if (lossBased) {
        auto cpuLosses = losses.detach().to(torch::kDouble).cpu().contiguous();
        std::vector<double> l(cpuLosses.data_ptr<double>(), cpuLosses.data_ptr<double>() + B);
        w = lossBasedWeights(l, rw.strategy, rw.delta, rw.klReg);
    } else {
        const std::vector<double> dw = scalarizationWeights(m_spec, t);
        for (std::int64_t i = 0; i < B; ++i) {
            w[static_cast<size_t>(i)] = dw[static_cast<size_t>(m_batch.domains[static_cast<size_t>(i)])] / B;
        }
    }
    return torch::tensor(w, torch::kDouble).to(torch::kFloat).to(m_device);
}

StepOutcome TrainerCore::step(std::int64_t t) {
    StepOutcome out;
    m_batches->take(t, m_batch);
    auto tokens = tokensTensor(m_batch);
    auto inputs = tokens.narrow(1, 0, m_spec.model.context);
    auto targets = tokens.narrow(1, 1, m_spec.model.context);
    auto logits = m_model->forward(inputs);
    auto losses = model::perSampleLoss(logits, targets);  // [B], unreduced per sample
    auto weights = sampleWeights(losses, t);
    torch::Tensor feats;
    if (m_meta) {
        const double progress = static_cast<double>(t) / static_cast<double>(m_spec.train.steps);
        feats = m_meta->features(logits.detach(), targets, progress);
        if (t >= m_spec.reweight.burninSteps) {
            weights = (m_meta->weights(feats) / static_cast<double>(m_spec.data.batchSize))
                          .to(torch::kFloat)
                          .to(m_device);
        }
    }
    auto loss = (weights * losses).sum();
    m_flat->zeroGrad();
    loss.backward();
    if (m_meta && t % m_spec.reweight.metaEvery == 0) {
        // After backward: the step's graph is freed, so the meta step may perturb and restore θ.
        m_meta->metaStep(m_model, inputs, targets, feats, t);
    }
    // ---- the update is decided below; everything after this line is bookkeeping ----
    // Global gradient norm and clipping on the device, then one host transfer for everything the
    // step reports: [mean loss, weighted loss, grad norm, B sample losses, B sample weights].
    const auto B = static_cast<std::int64_t>(m_batch.size);
    torch::Tensor gradNorm = m_flat->gradNorm();
    if (m_spec.train.gradClip > 0) {
        m_flat->clip(gradNorm, m_spec.train.gradClip);
    }
    auto detached = losses.detach();
    const torch::Tensor host =
        torch::cat({detached.mean().reshape({1}), loss.detach().reshape({1}), gradNorm.reshape({1}), detached,
                    weights.detach().to(torch::kFloat)})
            .to(torch::kCPU);
    const float* hp = host.data_ptr<float>();
    out.loss = hp[0];
    out.weightedLoss = hp[1];
    out.gradNorm = hp[2];
    out.lr = learningRate(m_spec, t);
    out.lossZ = m_spikes.update(out.loss);
    if (!std::isfinite(out.loss) || !std::isfinite(out.gradNorm)) {
        const std::string what = !std::isfinite(out.loss) ? "loss" : "gradient norm";
        if (!m_spec.train.skipNonFinite) {
            std::ostringstream os;
            os << "non-finite " << what << " (" << (!std::isfinite(out.loss) ? out.loss : out.gradNorm)
               << ") at step " << t
               << "; lower train.lr or set train.skip_nonfinite = true to skip such updates";
            out.failure = os.str();
            return out;
        }
        m_flat->zeroGrad();
        out.skipped = true;
    } else {
        setLearningRate(out.lr);
        m_flat->step();
    }
    // Per-domain bookkeeping for logging.
    const int D = m_data->domainCount();
    const float* lp = hp + 3;
    const float* wp = hp + 3 + B;
    m_sampleLosses.assign(lp, lp + m_batch.size);
    m_sampleWeights.assign(wp, wp + m_batch.size);
    std::vector<double> sum(static_cast<size_t>(D), 0.0), wsum(static_cast<size_t>(D), 0.0);
    std::vector<int> count(static_cast<size_t>(D), 0);
    double wtotal = 0;
    for (int i = 0; i < m_batch.size; ++i) {
        const auto d = static_cast<size_t>(m_batch.domains[static_cast<size_t>(i)]);
        sum[d] += lp[i];
        wsum[d] += wp[i];
        wtotal += wp[i];
        ++count[d];
    }
    m_domainLoss.assign(static_cast<size_t>(D), std::nan(""));
    m_gradShare.assign(static_cast<size_t>(D), 0.0);
    for (size_t d = 0; d < static_cast<size_t>(D); ++d) {
        if (count[d] > 0) {
            m_domainLoss[d] = sum[d] / count[d];
        }
        m_gradShare[d] = wtotal > 0 ? wsum[d] / wtotal : 0.0;
    }
    return out;
}

EvalEvent TrainerCore::evaluate(std::int64_t t) {
    torch::NoGradGuard noGrad;
    m_model->eval();
    EvalEvent ev;
    ev.step = t;
    ev.tokens = (t + 1) * tokensPerStep();
    const int D = m_data->domainCount();
    std::vector<double> staticWeights;
    for (int d = 0; d < D; ++d) {
        staticWeights.push_back(m_data->domain(d).weight);
    }
    staticWeights = normalized(staticWeights);
    for (int d = 0; d < D; ++d) {
        double total = 0;
        double nats = 0;         // summed loss over every validation target, for bits per byte
        std::int64_t bytes = 0;  // the text bytes those targets stand for
        for (int b = 0; b < m_spec.data.valBatches; ++b) {
            m_data->validationBatch(d, b, m_spec.data.batchSize, m_valBatch);
            auto tokens = tokensTensor(m_valBatch);
            auto logits = m_model->forward(tokens.narrow(1, 0, m_spec.model.context));
            const auto perSample = model::perSampleLoss(logits, tokens.narrow(1, 1, m_spec.model.context));
            total += perSample.mean().item<double>();
            nats += perSample.to(torch::kDouble).sum().item<double>() * m_spec.model.context;
            for (int i = 0; i < m_valBatch.size; ++i) {
                bytes += m_data->targetBytes(
                    &m_valBatch.tokens[static_cast<size_t>(i) * static_cast<size_t>(m_valBatch.length)]);
            }
        }
        ev.domainLoss.push_back(total / m_spec.data.valBatches);
        ev.domainBpb.push_back(nats / (static_cast<double>(bytes) * std::log(2.0)));
        ev.meanLoss += staticWeights[static_cast<size_t>(d)] * ev.domainLoss.back();
    }
    m_model->train();
    return ev;
}

void TrainerCore::save(const std::string& path, std::int64_t stepsDone, double wallSeconds) {
    CheckpointHeader h;
    h.step = stepsDone;
    h.tokens = stepsDone * tokensPerStep();
    h.wallSeconds = wallSeconds;
    h.seed = m_spec.seed;
    h.samplerDrawn = m_batches->state().drawn;
    h.spikeWindow = m_spikes.window();
    h.configToml = toToml(m_spec);
    h.modelShape = modelShape(m_spec.model);
    if (m_meta) {
        h.extraJson = m_meta->stateJson();
    }
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive modelArchive;
    torch::serialize::OutputArchive optimArchive;
    m_model->save(modelArchive);
    m_flat->exportState();  // the moments, in torch's AdamW format
    m_optimizer->save(optimArchive);
    archive.write("model", modelArchive);
    archive.write("optimizer", optimArchive);
    // Torch's CPU generator (only model initialisation draws from it today; the data pipeline is
    // counter-based), saved so that any future use of it resumes exactly too.
    archive.write("rng_cpu", at::detail::getDefaultCPUGenerator().get_state());
    std::ostringstream payload;
    archive.save_to(payload);
    writeCheckpointFile(path, h, payload.str());
}

std::int64_t TrainerCore::load(const std::string& path, bool asBranch) {
    CheckpointHeader h;
    std::string payload;
    readCheckpointFile(path, h, payload);
    if (h.modelShape != modelShape(m_spec.model)) {
        throw Error(ErrorCode::InvalidConfig,
                    "the checkpoint's model (n_layer,d_model,n_head,context = " + h.modelShape +
                        ") differs from the experiment's (" + modelShape(m_spec.model) + ")",
                    "model", "the checkpoint's model shape");
    }
    if (h.samplerDrawn.size() != static_cast<size_t>(m_data->domainCount())) {
        throw Error(ErrorCode::InvalidConfig,
                    "the checkpoint has " + std::to_string(h.samplerDrawn.size()) +
                        " domains, the experiment " + std::to_string(m_data->domainCount()),
                    "data.domain", "the same domains as the checkpoint");
    }
    if (h.step > m_spec.train.steps) {
        throw Error(ErrorCode::InvalidConfig,
                    "the checkpoint is at step " + std::to_string(h.step) +
                        ", beyond train.steps = " + std::to_string(m_spec.train.steps),
                    "train.steps", ">= " + std::to_string(h.step));
    }
    try {
        std::istringstream in(payload);
        torch::serialize::InputArchive archive;
        archive.load_from(in, m_device);
        torch::serialize::InputArchive modelArchive;
        torch::serialize::InputArchive optimArchive;
        archive.read("model", modelArchive);
        archive.read("optimizer", optimArchive);
        m_model->load(modelArchive);
        m_optimizer->load(optimArchive);
        m_flat->rebind();  // loading replaced the parameters' storage
        m_flat->importState();
        torch::Tensor rng;
        if (archive.try_read("rng_cpu", rng)) {
            at::Generator gen = at::detail::getDefaultCPUGenerator();
            gen.set_state(rng);
        }
    } catch (const c10::Error& e) {
        throw Error(ErrorCode::InvalidInput,
                    std::string("checkpoint payload is unreadable: ") + e.what_without_backtrace(), path);
    }
    // A branch may change the optimizer's hyperparameters: the loaded groups keep their state
    // (moments) but take the branch's betas, eps and weight decay.
    auto& groups = m_optimizer->param_groups();
    for (size_t g = 0; g < groups.size(); ++g) {
        auto& o = static_cast<torch::optim::AdamWOptions&>(groups[g].options());
        o.betas({m_spec.train.betas[0], m_spec.train.betas[1]}).eps(m_spec.train.eps);
        o.weight_decay(g == 0 ? m_spec.train.weightDecay : 0.0);
    }
    m_batches->setState(SamplerState{h.samplerDrawn});
    m_spikes.setWindow(h.spikeWindow);
    if (m_meta) {
        m_meta->loadStateJson(h.extraJson);
    }
    (void)asBranch;
    return h.step;
}

}  // namespace anneal::train
