// SPDX-License-Identifier: GPL-3.0-or-later
// One parser per table, in document order; tables check each other's domains ([schedule] and
// [tokenizer] have files of their own).
// Experiment file (TOML) -> ExperimentSpec, validating every key. The format is documented in
// docs/EXPERIMENT-FORMAT.md; the key names of the foundation issue are fixed.

#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <toml++/toml.h>

#include "anneal/config.h"
#include "anneal/data_source.h"
#include "anneal/error.h"
#include "anneal/lr_table.h"
#include "config/kind_keys.h"
#include "config/overrides.h"
#include "config/schedule_parser.h"
#include "config/tokenizer_parser.h"
#include "core/toml_reader.h"

namespace anneal {

int ExperimentSpec::domainIndex(const std::string& name) const {
    for (size_t i = 0; i < data.domains.size(); ++i) {
        if (data.domains[i].name == name) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

namespace {

using core::TableReader;
constexpr double kInf = std::numeric_limits<double>::max();
constexpr std::int64_t kMaxSteps = 1'000'000'000;

void parseModel(const toml::table* t, ModelSpec& m) {
    if (!t) {
        return;
    }
    TableReader r(*t, "model");
    m.nLayer = static_cast<int>(r.integer("n_layer", m.nLayer, 1, 96));
    m.dModel = static_cast<int>(r.integer("d_model", m.dModel, 4, 16384));
    m.nHead = static_cast<int>(r.integer("n_head", m.nHead, 1, 256));
    m.context = static_cast<int>(r.integer("context", m.context, 2, 16384));
    r.finish();
    if (m.dModel % m.nHead != 0) {
        configError("model.n_head",
                    "model.d_model = " + std::to_string(m.dModel) +
                        " is not divisible by n_head = " + std::to_string(m.nHead),
                    "a divisor of model.d_model");
    }
}

SourceParams readParams(const toml::table& t, const std::string& path, DomainSpec& d) {
    SourceParams params;
    for (const auto& [k, v] : t) {
        const std::string key(k.str());
        const std::string field = path + "." + key;
        if (key == "noise_rate") {
            if (!v.is_number()) {
                configError(field, "expected a number, got " + core::describeNode(v), "a number in [0, 1]");
            }
            d.noiseRate = v.is_integer() ? static_cast<double>(*v.value<std::int64_t>()) : *v.value<double>();
            if (!(d.noiseRate >= 0.0 && d.noiseRate <= 1.0)) {
                configError(field, "value " + core::formatNumber(d.noiseRate) + " is out of range",
                            "a number in [0, 1]");
            }
            continue;
        }
        if (v.is_boolean()) {
            params[key] = *v.value<bool>();
        } else if (v.is_integer()) {
            params[key] = *v.value<std::int64_t>();
        } else if (v.is_floating_point()) {
            params[key] = *v.value<double>();
        } else if (v.is_string()) {
            params[key] = *v.value<std::string>();
        } else {
            configError(field, "expected a number, string or boolean, got " + core::describeNode(v),
                        "a number, a string or a boolean");
        }
    }
    return params;
}

void parseData(const toml::table* t, DataSpec& data) {
    if (!t) {
        configError("data.domain", "the experiment has no [[data.domain]]",
                    "at least one [[data.domain]] table");
    }
    TableReader r(*t, "data");
    data.batchSize = static_cast<int>(r.integer("batch_size", data.batchSize, 1, 1 << 20));
    data.valEvery = static_cast<int>(r.integer("val_every", data.valEvery, 0, kMaxSteps));
    data.valBatches = static_cast<int>(r.integer("val_batches", data.valBatches, 1, 100000));
    const toml::array* arr = r.array("domain");
    r.finish();
    if (!arr || arr->empty()) {
        configError("data.domain", "the experiment has no [[data.domain]]",
                    "at least one [[data.domain]] table");
    }
    if (arr->size() > 255) {
        configError("data.domain", "too many domains (" + std::to_string(arr->size()) + ")", "at most 255");
    }
    static const std::regex namePattern("[A-Za-z0-9_-]{1,64}");
    std::set<std::string> names;
    double total = 0;
    for (size_t i = 0; i < arr->size(); ++i) {
        const std::string path = "data.domain[" + std::to_string(i) + "]";
        const toml::node& node = (*arr)[i];
        if (!node.is_table()) {
            configError(path, "expected a table, got " + core::describeNode(node), "a [[data.domain]] table");
        }
        TableReader d(*node.as_table(), path);
        DomainSpec dom;
        dom.name = d.string("name", "");
        if (!d.has("name")) {
            configError(path + ".name", "is required", "a name of letters, digits, '_' or '-'");
        }
        if (!std::regex_match(dom.name, namePattern)) {
            configError(path + ".name", "\"" + dom.name + "\" is not a valid domain name",
                        "1-64 letters, digits, '_' or '-'");
        }
        if (!names.insert(dom.name).second) {
            configError(path + ".name", "domain \"" + dom.name + "\" is defined twice", "unique names");
        }
        dom.source = d.string("source", "");
        if (!d.has("source")) {
            configError(path + ".source", "is required", "synthetic:markov | synthetic:noise | ...");
        }
        dom.weight = d.number("weight", 1.0, 0.0, kInf);
        dom.size = d.integer("size", 0, 0, (std::int64_t{1} << 47) - 1);
        if (const toml::table* p = d.table("params")) {
            dom.params = readParams(*p, path + ".params", dom);
        }
        d.finish();
        checkSource(dom, path);  // validates the source and its params (real sources: not their files)
        total += dom.weight;
        data.domains.push_back(std::move(dom));
    }
    if (total <= 0) {
        configError("data.domain", "every domain has weight 0", "at least one weight > 0");
    }
}

void parseTrain(const toml::table* t, TrainSpec& tr) {
    if (!t) {
        return;
    }
    TableReader r(*t, "train");
    tr.steps = r.integer("steps", tr.steps, 1, kMaxSteps);
    tr.lr = r.number("lr", tr.lr, 0.0, 10.0, true);
    tr.weightDecay = r.number("weight_decay", tr.weightDecay, 0.0, 10.0);
    if (const toml::array* b = r.array("betas")) {
        if (b->size() != 2) {
            configError("train.betas", "expected 2 numbers, got " + std::to_string(b->size()),
                        "[beta1, beta2]");
        }
        for (size_t i = 0; i < 2; ++i) {
            const toml::node& n = (*b)[i];
            const std::string f = "train.betas[" + std::to_string(i) + "]";
            if (!n.is_number()) {
                configError(f, "expected a number, got " + core::describeNode(n), "a number in [0, 1)");
            }
            const double v =
                n.is_integer() ? static_cast<double>(*n.value<std::int64_t>()) : *n.value<double>();
            if (!(v >= 0.0 && v < 1.0)) {
                configError(f, "value " + core::formatNumber(v) + " is out of range", "a number in [0, 1)");
            }
            tr.betas[i] = v;
        }
    }
    tr.eps = r.number("eps", tr.eps, 0.0, 1.0, true);
    tr.gradClip = r.number("grad_clip", tr.gradClip, 0.0, kInf);
    tr.threads = static_cast<int>(r.integer("threads", tr.threads, 0, 1024));
    tr.skipNonFinite = r.boolean("skip_nonfinite", tr.skipNonFinite);
    tr.spikeZ = r.number("spike_z", tr.spikeZ, 0.0, kInf, true);
    r.finish();
}

void checkDomainNames(const std::map<std::string, double>& weights, const DataSpec& data,
                      const std::string& field) {
    std::vector<std::string> names;
    for (const auto& d : data.domains) {
        names.push_back(d.name);
    }
    for (const auto& [name, w] : weights) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            configError(field + "." + name, "no domain is called \"" + name + "\"", core::joinAllowed(names));
        }
    }
}

void requireSizes(const DataSpec& data, const std::string& why) {
    for (size_t i = 0; i < data.domains.size(); ++i) {
        if (data.domains[i].size <= 0) {
            configError("data.domain[" + std::to_string(i) + "].size",
                        why + " needs the size of every domain",
                        "an integer > 0 (number of distinct sequences)");
        }
    }
}

void parseMixture(const toml::table* t, MixtureSpec& m, const DataSpec& data) {
    if (!t) {
        return;
    }
    const auto& table = config::mixtureKindKeys();
    TableReader r(*t, "mixture");
    m.kind = r.choice("kind", m.kind, config::kindNames(table));
    for (const auto& key : config::allKeys(table)) {
        if (!config::kindUses(table, m.kind, key)) {
            r.forbid(key, config::usedByText(table, "mixture.kind", key));
        }
    }
    if (m.kind == "temperature") {
        m.temperature = r.number("temperature", m.temperature, 0.0, 1e6, true);
        m.temperatureSchedule =
            r.choice("temperature_schedule", m.temperatureSchedule, config::temperatureScheduleValues());
        if (m.temperatureSchedule == "constant") {
            r.forbid("temperature_end",
                     "mixture.temperature_schedule = constant keeps the temperature fixed");
            r.forbid("temperature_switch_fraction", "it is used only with temperature_schedule = step");
            m.temperatureEnd = m.temperature;
        } else {
            m.temperatureEnd = r.number("temperature_end", 1.0, 0.0, 1e6, true);
            if (m.temperatureSchedule == "step") {
                m.temperatureSwitchFraction =
                    r.number("temperature_switch_fraction", m.temperatureSwitchFraction, 0.0, 1.0);
            } else {
                r.forbid("temperature_switch_fraction", "it is used only with temperature_schedule = step");
            }
        }
        requireSizes(data, "mixture.kind = temperature");
    }
    if (const toml::table* u = r.table("upsample")) {
        TableReader ur(*u, "mixture.upsample");
        m.upsample.enabled = true;
        m.upsample.startFraction =
            ur.number("start_fraction", m.upsample.startFraction, 0.0, 1.0, false, true);
        if (!ur.has("weights")) {
            configError("mixture.upsample.weights", "is required", "a table of domain name = weight");
        }
        m.upsample.weights = ur.numberMap("weights");
        ur.finish();
        checkDomainNames(m.upsample.weights, data, "mixture.upsample.weights");
        double total = 0;
        for (const auto& d : data.domains) {
            auto it = m.upsample.weights.find(d.name);
            total += it != m.upsample.weights.end() ? it->second : d.weight;
        }
        if (total <= 0) {
            configError("mixture.upsample.weights", "the upsampled mix has every weight 0",
                        "at least one > 0");
        }
    }
    if (const toml::table* p = r.table("replay")) {
        TableReader pr(*p, "mixture.replay");
        m.replay.enabled = true;
        m.replay.fraction = pr.number("fraction", m.replay.fraction, 0.0, 1.0);
        m.replay.startStep = pr.integer("start_step", m.replay.startStep, 0, kMaxSteps);
        if (!pr.has("weights")) {
            configError("mixture.replay.weights", "is required", "a table of domain name = weight");
        }
        m.replay.weights = pr.numberMap("weights");
        pr.finish();
        checkDomainNames(m.replay.weights, data, "mixture.replay.weights");
        double total = 0;
        for (const auto& [k, v] : m.replay.weights) {
            total += v;
        }
        if (total <= 0) {
            configError("mixture.replay.weights", "the replay mix has every weight 0", "at least one > 0");
        }
    }
    r.finish();
}

void parseReweight(const toml::table* t, ReweightSpec& w, const DataSpec& data) {
    if (!t) {
        return;
    }
    const auto& table = config::reweightKindKeys();
    TableReader r(*t, "reweight");
    w.strategy = r.choice("strategy", w.strategy, config::kindNames(table));
    for (const auto& key : config::allKeys(table)) {
        if (!config::kindUses(table, w.strategy, key)) {
            r.forbid(key, config::usedByText(table, "reweight.strategy", key));
        }
    }
    auto uses = [&](const char* key) { return config::kindUses(table, w.strategy, key); };
    if (uses("burnin_steps")) {
        w.burninSteps = r.integer("burnin_steps", w.burninSteps, 0, kMaxSteps);
    }
    if (uses("delta")) {
        w.delta = r.number("delta", w.delta, 0.0, 1e6, true);
        w.klReg = r.number("kl_reg", w.klReg, 0.0, 1e6, true);
    }
    if (uses("temperature")) {
        w.temperature = r.number("temperature", 0.0, 0.0, 1e6, true);
        w.domainWeights = r.numberMap("domain_weights");
        const bool hasT = r.has("temperature");
        const bool hasW = r.has("domain_weights");
        if (hasT == hasW) {
            configError("reweight.temperature",
                        "domain_scalarization needs exactly one of temperature or "
                        "domain_weights",
                        "temperature = T (w_i = p_i(T)/q_i) | domain_weights = { name = w }");
        }
        if (hasT) {
            requireSizes(data, "reweight.temperature");
        }
        checkDomainNames(w.domainWeights, data, "reweight.domain_weights");
    }
    if (uses("meta_lr")) {
        w.metaLr = r.number("meta_lr", w.metaLr, 0.0, 1e3, true);
        w.metaEvery = static_cast<int>(r.integer("meta_every", w.metaEvery, 1, 1 << 20));
        w.metaBatch = static_cast<int>(r.integer("meta_batch", w.metaBatch, 1, 1 << 20));
    }
    r.finish();
}

void parseLog(const toml::table* t, LogSpec& l) {
    if (!t) {
        return;
    }
    TableReader r(*t, "log");
    l.every = static_cast<int>(r.integer("every", l.every, 1, kMaxSteps));
    l.weightsEvery = static_cast<int>(r.integer("weights_every", l.weightsEvery, 0, kMaxSteps));
    l.checkpointEvery = static_cast<int>(r.integer("checkpoint_every", l.checkpointEvery, 0, kMaxSteps));
    l.keepCheckpoints = static_cast<int>(r.integer("keep_checkpoints", l.keepCheckpoints, 1, 100000));
    r.finish();
}

ExperimentSpec parseRoot(const toml::table& root, const std::string& baseDir) {
    ExperimentSpec spec;
    TableReader top(root, "");
    spec.name = top.string("name", spec.name);
    spec.seed =
        static_cast<std::uint64_t>(top.integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max()));
    spec.device = top.choice("device", spec.device, config::deviceValues());
    spec.tags = top.stringList("tags");
    parseModel(top.table("model"), spec.model);
    config::parseTokenizer(top.table("tokenizer"), spec.tokenizer, spec.model);
    parseData(top.table("data"), spec.data);
    if (spec.tokenizer.kind != "bytes") {
        for (size_t i = 0; i < spec.data.domains.size(); ++i) {
            const DomainSpec& d = spec.data.domains[i];
            if (d.source.rfind("synthetic:", 0) == 0) {
                configError("data.domain[" + std::to_string(i) + "].source",
                            "\"" + d.source + "\" (domain \"" + d.name +
                                "\") generates bytes, which mean nothing to tokenizer.kind = \"" +
                                spec.tokenizer.kind + "\"",
                            "text:, jsonl: or tokens: domains with a subword tokenizer, or tokenizer.kind = "
                            "\"bytes\"");
            }
        }
    }
    parseTrain(top.table("train"), spec.train);
    const double givenLr = spec.train.lr;
    const toml::table* train = root["train"].as_table();
    const bool lrGiven = train && train->contains("lr");
    config::parseSchedule(top.table("schedule"), spec, baseDir);
    if (spec.schedule.kind == "table" && lrGiven && givenLr != spec.train.lr) {
        // A table's LRs are absolute: train.lr is its largest applied LR, not a scale (lr_table.h).
        configError("train.lr",
                    "is " + core::formatNumber(givenLr) + " but the table schedule's largest LR is " +
                        core::formatNumber(spec.train.lr) +
                        "; with schedule.kind = \"table\" the LRs come from the table",
                    "no train.lr, or train.lr = " + core::formatNumber(spec.train.lr));
    }
    parseMixture(top.table("mixture"), spec.mixture, spec.data);
    parseReweight(top.table("reweight"), spec.reweight, spec.data);
    parseLog(top.table("log"), spec.log);
    top.finish();
    return spec;
}

}  // namespace

ExperimentSpec parseExperiment(const std::string& tomlText, const std::string& origin,
                               const std::vector<Override>& overrides) {
    return parseExperimentIn(tomlText, origin, overrides, "");
}

ExperimentSpec parseExperimentIn(const std::string& tomlText, const std::string& origin,
                                 const std::vector<Override>& overrides, const std::string& baseDir) {
    toml::table root;
    try {
        root = toml::parse(tomlText, origin);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        throw Error(ErrorCode::InvalidConfig, "not valid TOML: " + std::string(e.description()),
                    origin + ":" + std::to_string(where.line) + ":" + std::to_string(where.column),
                    "TOML 1.0 (https://toml.io)");
    }
    config::applyOverrides(root, overrides);
    return parseRoot(root, baseDir);
}

ExperimentSpec loadExperiment(const std::string& path, const std::vector<Override>& overrides) {
    const auto slash = path.rfind('/');
    return parseExperimentIn(readTextFile(path), path, overrides,
                             slash == std::string::npos ? "" : path.substr(0, slash));
}

}  // namespace anneal
