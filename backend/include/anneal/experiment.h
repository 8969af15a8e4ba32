// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// @file experiment.h
/// An experiment, as written in its TOML file (see docs/EXPERIMENT-FORMAT.md). Plain structs with
/// every default filled in; config.h parses and validates them, and writes them back as the
/// resolved config that a run stores. Units: learning rates are absolute; fractions are of
/// train.steps; entropies and losses are nats per token.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace anneal {

/// A value in [data.domain.params]; each source checks the keys and types it accepts.
using ParamValue = std::variant<bool, std::int64_t, double, std::string>;
using SourceParams = std::map<std::string, ParamValue>;

struct ModelSpec {
    int nLayer = 2;
    int dModel = 128;
    int nHead = 4;
    int context = 64;  ///< tokens the model sees; each sample holds context + 1 tokens
    /// Token ids the model embeds: not a key of [model] but the tokenizer's vocabulary, filled in
    /// when the experiment is parsed (256 for the byte tokenizer).
    int vocab = 256;
};

/// [tokenizer]: how real text becomes token ids (docs/DATA.md#tokenizers).
struct TokenizerSpec {
    std::string kind = "bytes";  ///< bytes | sentencepiece | gpt2
    // sentencepiece
    std::string model;              ///< a .model file to load; empty: train one on the training documents
    std::string modelType = "bpe";  ///< training: bpe | unigram
    int vocabSize = 4096;           ///< training: the vocabulary, byte pieces and specials included
    std::int64_t trainBytes = 4'000'000;  ///< training: bytes of training documents sampled
    std::uint64_t seed = 0;               ///< training: which documents are sampled
    // gpt2
    std::string vocab;   ///< vocab.json
    std::string merges;  ///< merges.txt
};

struct DomainSpec {
    std::string name;
    std::string source;      ///< "synthetic:markov", "synthetic:noise", "files:<glob>", ...
    double weight = 1.0;     ///< static mixture weight (normalised over domains)
    std::int64_t size = 0;   ///< distinct training sequences; 0 = unbounded (every draw is new)
    double noiseRate = 0.0;  ///< params.noise_rate: fraction of samples whose continuation is random bytes
    SourceParams params;     ///< the other params, for the source
};

struct DataSpec {
    int batchSize = 16;
    int valEvery = 50;   ///< steps between validations (0 = only at the end)
    int valBatches = 4;  ///< batches of batch_size per domain in each validation
    std::vector<DomainSpec> domains;
};

struct TrainSpec {
    std::int64_t steps = 500;
    double lr = 3e-3;  ///< peak learning rate
    double weightDecay = 0.1;
    std::array<double, 2> betas{0.9, 0.95};
    double eps = 1e-8;
    double gradClip = 1.0;       ///< max global grad norm; 0 disables clipping
    int threads = 0;             ///< torch intra-op threads; 0 = all cores but one (min 1)
    bool skipNonFinite = false;  ///< skip (and count) updates with NaN/Inf instead of failing
    double spikeZ = 6.0;         ///< loss z-score that is recorded as a spike event
};

/// LR schedule. Step convention (everywhere in Anneal): steps are 0-based; the update made at step t
/// uses lr(t); a phase that starts at step a and lasts n steps has progress x = (t - a) / n, so it
/// starts at its initial value and reaches its end value at t = a + n (one past its last step), as
/// PyTorch's closed forms and Hägele et al.'s code do. For t >= train.steps the final value holds.
struct ScheduleSpec {
    std::string kind =
        "cosine";  ///< constant | cosine | linear | inverse_sqrt | wsd | rewarm | infinite | table
    std::int64_t warmupSteps = 0;
    double warmupStartFraction = 0.01;  ///< warmup is s + (1 - s)·t/W; s = 0.01 as in Hägele et al.'s code
    double finalLrFraction = 0.1;       ///< lr at the end, as a fraction of the peak
    double decayFraction = 0.0;         ///< wsd: fraction of steps in the final decay; inverse_sqrt: cooldown
    std::string decayShape = "linear";  ///< linear | cosine | 1-sqrt | square | exponential
    double decayHalfLife = 0.0;         ///< exponential only: half-life in steps (MiniCPM); 0 = reach final
    double timescale = 0.0;             ///< inverse_sqrt: f = 1/sqrt(1 + (t-W)/timescale); 0 = warmup_steps
    // rewarm (continued pre-training, METHODS 1.7)
    std::int64_t rewarmAt = 0;        ///< step where the new stage starts
    std::int64_t rewarmSteps = 0;     ///< its linear re-warmup length
    double rewarmPeakFraction = 1.0;  ///< its new peak, as a fraction of train.lr
    // infinite (METHODS 1.7): warmup, cooldown to a constant, constant, final anneal
    std::int64_t cooldownSteps = 0;  ///< length of the cooldown from the peak to constant_lr_fraction
    std::string cooldownShape = "inverse_sqrt";  ///< cosine | inverse_sqrt
    double constantLrFraction = 0.5;             ///< eta_const / eta_max
    double cooldownTimescale = 10.0;             ///< alpha of the inverse-sqrt cooldown
    double annealFraction = 0.0;                 ///< fraction of steps in the final exponential anneal
    // table (docs/SCHEDULES.md): absolute LRs at knots, linear between them (lr_table.h). Stored by
    // content: the resolved config carries the knots, so a run never depends on the file again.
    std::vector<std::int64_t> tableSteps;  ///< strictly increasing, the first is 0
    std::vector<double> tableLrs;          ///< absolute LRs (not fractions of train.lr), >= 0
    std::string tableSource;               ///< the file the knots were read from (a note; never read again)
};

struct UpsampleSpec {
    bool enabled = false;
    double startFraction = 0.9;             ///< switch to the upsampled mix at floor(f·steps)
    std::map<std::string, double> weights;  ///< new weights by domain; unlisted keep their weight
};

struct ReplaySpec {
    bool enabled = false;
    double fraction = 0.05;                 ///< share of each batch drawn from the replay mix
    std::map<std::string, double> weights;  ///< the earlier mix (by domain name)
    std::int64_t startStep = 0;
};

struct MixtureSpec {
    std::string kind = "static";                   ///< static | temperature
    double temperature = 1.0;                      ///< p_i ∝ size_i^(1/T)
    double temperatureEnd = 1.0;                   ///< target of a temperature cooldown
    std::string temperatureSchedule = "constant";  ///< constant | linear | cosine | step
    double temperatureSwitchFraction = 0.5;        ///< step: switch point as a fraction of steps
    UpsampleSpec upsample;
    ReplaySpec replay;
};

struct ReweightSpec {
    std::string strategy = "none";    ///< none | loss_linupper | loss_quadratic | loss_extremes |
                                      ///< domain_scalarization | meta_rescale
    std::int64_t burninSteps = 1000;  ///< uniform weights before this step (Sow et al. default)
    double delta = 1.0;               ///< Sow et al.'s normalisation range [-delta, delta]
    double klReg = 1.0;               ///< Sow et al.'s r (softmax temperature)
    double temperature = 0.0;         ///< domain_scalarization: w_i = p_i(T)/q_i; 0 = use domain_weights
    std::map<std::string, double> domainWeights;  ///< domain_scalarization: explicit loss weights
    double metaLr = 0.1;                          ///< meta_rescale: step size of the rescaling function
    int metaEvery = 1;                            ///< meta_rescale: steps between meta updates
    int metaBatch = 16;                           ///< meta_rescale: samples drawn for the meta step
};

struct LogSpec {
    int every = 1;            ///< steps between stored train metrics
    int weightsEvery = 100;   ///< steps between per-sample weight snapshots (0 = never)
    int checkpointEvery = 0;  ///< steps between checkpoints (0 = only at the end)
    int keepCheckpoints = 3;  ///< newest checkpoints kept (pinned ones are always kept)
};

struct ExperimentSpec {
    std::string name = "experiment";
    std::uint64_t seed = 0;
    std::string device = "auto";  ///< auto | cpu | cuda
    std::vector<std::string> tags;
    ModelSpec model;
    TokenizerSpec tokenizer;
    DataSpec data;
    TrainSpec train;
    ScheduleSpec schedule;
    MixtureSpec mixture;
    ReweightSpec reweight;
    LogSpec log;

    /// Index of a domain by name, or -1.
    int domainIndex(const std::string& name) const;
};

}  // namespace anneal
