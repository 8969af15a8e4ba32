// SPDX-License-Identifier: GPL-3.0-or-later
// ExperimentSpec -> resolved TOML: every key the experiment uses, in a fixed readable order, with
// numbers written so that they read back exactly. Kind-specific keys come from kind_keys.cpp, so the
// output always parses back to the same spec.

#include <cstdio>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "anneal/config.h"
#include "anneal/error.h"
#include "config/kind_keys.h"
#include "core/toml_reader.h"

namespace anneal {

namespace {

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                // TOML forbids the control characters U+0000-001F and U+007F (DEL) unescaped.
                if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x",
                                  static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

/// A TOML float: always with a '.' or an exponent so it reads back as a float.
std::string flt(double v) {
    std::string s = core::formatNumber(v);
    if (s.find_first_of(".eEn") == std::string::npos) {
        s += ".0";
    }
    return s;
}

std::string bareKey(const std::string& k) {
    for (char c : k) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
            return quote(k);
        }
    }
    return k;
}

std::string numberMap(const std::map<std::string, double>& m) {
    std::string s = "{ ";
    bool first = true;
    for (const auto& [k, v] : m) {
        s += (first ? "" : ", ") + bareKey(k) + " = " + flt(v);
        first = false;
    }
    return s + (first ? "}" : " }");
}

std::string paramValue(const ParamValue& v) {
    struct Visitor {
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return flt(d); }
        std::string operator()(const std::string& s) const { return quote(s); }
    };
    return std::visit(Visitor{}, v);
}

/// A table schedule by content: its knots inline (never `file`), so the stored run does not change
/// when the file does. Ten values a line keeps long tables diffable.
void writeTable(std::ostream& os, const ScheduleSpec& s) {
    if (!s.tableSource.empty()) {
        os << "source = " << quote(s.tableSource) << "\n";
    }
    auto list = [&os](const char* key, size_t n, auto&& item) {
        os << key << " = [";
        for (size_t i = 0; i < n; ++i) {
            os << (i % 10 == 0 ? "\n    " : " ") << item(i) << (i + 1 < n ? "," : "\n");
        }
        os << "]\n";
    };
    list("steps", s.tableSteps.size(), [&](size_t i) { return std::to_string(s.tableSteps[i]); });
    list("lrs", s.tableLrs.size(), [&](size_t i) { return flt(s.tableLrs[i]); });
}

void writeSchedule(std::ostream& os, const ScheduleSpec& s) {
    const auto& table = config::scheduleKindKeys();
    os << "\n[schedule]\nkind = " << quote(s.kind) << "\n";
    if (s.kind == "table") {
        writeTable(os, s);
        return;
    }
    for (const auto& key : config::keysOf(table, s.kind)) {
        if (key == "decay_half_life" && s.decayShape != "exponential") {
            continue;  // the parser accepts it only with an exponential decay
        }
        os << key << " = ";
        if (key == "warmup_steps") {
            os << s.warmupSteps;
        } else if (key == "warmup_start_fraction") {
            os << flt(s.warmupStartFraction);
        } else if (key == "final_lr_fraction") {
            os << flt(s.finalLrFraction);
        } else if (key == "decay_fraction") {
            os << flt(s.decayFraction);
        } else if (key == "decay_shape") {
            os << quote(s.decayShape);
        } else if (key == "decay_half_life") {
            os << flt(s.decayHalfLife);
        } else if (key == "timescale") {
            os << flt(s.timescale);
        } else if (key == "rewarm_at") {
            os << s.rewarmAt;
        } else if (key == "rewarm_steps") {
            os << s.rewarmSteps;
        } else if (key == "rewarm_peak_fraction") {
            os << flt(s.rewarmPeakFraction);
        } else if (key == "cooldown_steps") {
            os << s.cooldownSteps;
        } else if (key == "cooldown_shape") {
            os << quote(s.cooldownShape);
        } else if (key == "constant_lr_fraction") {
            os << flt(s.constantLrFraction);
        } else if (key == "cooldown_timescale") {
            os << flt(s.cooldownTimescale);
        } else if (key == "anneal_fraction") {
            os << flt(s.annealFraction);
        } else {
            throw Error(ErrorCode::Internal, "schedule key without a writer: " + key);
        }
        os << "\n";
    }
}

void writeMixture(std::ostream& os, const MixtureSpec& m) {
    os << "\n[mixture]\nkind = " << quote(m.kind) << "\n";
    if (m.kind == "temperature") {
        os << "temperature = " << flt(m.temperature) << "\n";
        os << "temperature_schedule = " << quote(m.temperatureSchedule) << "\n";
        if (m.temperatureSchedule != "constant") {
            os << "temperature_end = " << flt(m.temperatureEnd) << "\n";
        }
        if (m.temperatureSchedule == "step") {
            os << "temperature_switch_fraction = " << flt(m.temperatureSwitchFraction) << "\n";
        }
    }
    if (m.upsample.enabled) {
        os << "\n[mixture.upsample]\nstart_fraction = " << flt(m.upsample.startFraction)
           << "\nweights = " << numberMap(m.upsample.weights) << "\n";
    }
    if (m.replay.enabled) {
        os << "\n[mixture.replay]\nfraction = " << flt(m.replay.fraction)
           << "\nstart_step = " << m.replay.startStep << "\nweights = " << numberMap(m.replay.weights)
           << "\n";
    }
}

void writeReweight(std::ostream& os, const ReweightSpec& w) {
    os << "\n[reweight]\nstrategy = " << quote(w.strategy) << "\n";
    const auto& keys = config::keysOf(config::reweightKindKeys(), w.strategy);
    for (const auto& key : keys) {
        if (key == "burnin_steps") {
            os << "burnin_steps = " << w.burninSteps << "\n";
        } else if (key == "delta") {
            os << "delta = " << flt(w.delta) << "\n";
        } else if (key == "kl_reg") {
            os << "kl_reg = " << flt(w.klReg) << "\n";
        } else if (key == "temperature") {
            if (w.temperature > 0) {
                os << "temperature = " << flt(w.temperature) << "\n";
            }
        } else if (key == "domain_weights") {
            if (w.temperature <= 0) {
                os << "domain_weights = " << numberMap(w.domainWeights) << "\n";
            }
        } else if (key == "meta_lr") {
            os << "meta_lr = " << flt(w.metaLr) << "\n";
        } else if (key == "meta_every") {
            os << "meta_every = " << w.metaEvery << "\n";
        } else if (key == "meta_batch") {
            os << "meta_batch = " << w.metaBatch << "\n";
        } else {
            throw Error(ErrorCode::Internal, "reweight key without a writer: " + key);
        }
    }
}

}  // namespace

std::string toToml(const ExperimentSpec& spec) {
    std::ostringstream os;
    os << "name = " << quote(spec.name) << "\nseed = " << spec.seed << "\ndevice = " << quote(spec.device)
       << "\n";
    if (!spec.tags.empty()) {
        os << "tags = [";
        for (size_t i = 0; i < spec.tags.size(); ++i) {
            os << (i ? ", " : "") << quote(spec.tags[i]);
        }
        os << "]\n";
    }
    const ModelSpec& m = spec.model;
    os << "\n[model]\nn_layer = " << m.nLayer << "\nd_model = " << m.dModel << "\nn_head = " << m.nHead
       << "\ncontext = " << m.context << "\n";
    const TokenizerSpec& tk = spec.tokenizer;
    if (tk.kind != "bytes") {  // bytes is the default: byte experiments resolve as they always did
        os << "\n[tokenizer]\nkind = " << quote(tk.kind) << "\n";
        if (tk.kind == "gpt2") {
            os << "vocab = " << quote(tk.vocab) << "\nmerges = " << quote(tk.merges) << "\n";
        } else if (!tk.model.empty()) {
            os << "model = " << quote(tk.model) << "\n";
        } else {
            os << "model_type = " << quote(tk.modelType) << "\nvocab_size = " << tk.vocabSize
               << "\ntrain_bytes = " << tk.trainBytes << "\nseed = " << tk.seed << "\n";
        }
    }
    const DataSpec& d = spec.data;
    os << "\n[data]\nbatch_size = " << d.batchSize << "\nval_every = " << d.valEvery
       << "\nval_batches = " << d.valBatches << "\n";
    for (const auto& dom : d.domains) {
        os << "\n[[data.domain]]\nname = " << quote(dom.name) << "\nsource = " << quote(dom.source)
           << "\nweight = " << flt(dom.weight) << "\nsize = " << dom.size << "\n";
        if (!dom.params.empty() || dom.noiseRate > 0) {
            os << "[data.domain.params]\n";
            for (const auto& [k, v] : dom.params) {
                os << bareKey(k) << " = " << paramValue(v) << "\n";
            }
            if (dom.noiseRate > 0) {
                os << "noise_rate = " << flt(dom.noiseRate) << "\n";
            }
        }
    }
    const TrainSpec& t = spec.train;
    os << "\n[train]\nsteps = " << t.steps << "\nlr = " << flt(t.lr)
       << "\nweight_decay = " << flt(t.weightDecay) << "\nbetas = [" << flt(t.betas[0]) << ", "
       << flt(t.betas[1]) << "]\neps = " << flt(t.eps) << "\ngrad_clip = " << flt(t.gradClip)
       << "\nthreads = " << t.threads << "\nskip_nonfinite = " << (t.skipNonFinite ? "true" : "false")
       << "\nspike_z = " << flt(t.spikeZ) << "\n";
    writeSchedule(os, spec.schedule);
    writeMixture(os, spec.mixture);
    writeReweight(os, spec.reweight);
    const LogSpec& l = spec.log;
    os << "\n[log]\nevery = " << l.every << "\nweights_every = " << l.weightsEvery
       << "\ncheckpoint_every = " << l.checkpointEvery << "\nkeep_checkpoints = " << l.keepCheckpoints
       << "\n";
    return os.str();
}

namespace {
void flattenNode(const toml::node& node, const std::string& path,
                 std::vector<std::pair<std::string, std::string>>& out) {
    if (const toml::table* t = node.as_table()) {
        for (const auto& [k, v] : *t) {
            flattenNode(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), out);
        }
    } else if (const toml::array* a = node.as_array()) {
        if (a->is_array_of_tables()) {
            for (size_t i = 0; i < a->size(); ++i) {
                flattenNode((*a)[i], path + "[" + std::to_string(i) + "]", out);
            }
        } else {
            std::ostringstream os;
            os << *a;
            out.emplace_back(path, os.str());
        }
    } else {
        std::ostringstream os;
        node.visit([&](auto&& v) {
            if constexpr (toml::is_string<decltype(v)>) {
                os << v.get();
            } else if constexpr (toml::is_floating_point<decltype(v)>) {
                os << core::formatNumber(v.get());
            } else {
                os << v;
            }
        });
        out.emplace_back(path, os.str());
    }
}
}  // namespace

std::vector<std::pair<std::string, std::string>> flattenToml(const std::string& tomlText) {
    std::vector<std::pair<std::string, std::string>> out;
    try {
        flattenNode(toml::parse(tomlText), "", out);
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::InvalidConfig, "not valid TOML: " + std::string(e.description()));
    }
    return out;
}

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::Io, "cannot open file for reading", path);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        throw Error(ErrorCode::Io, "read error", path);
    }
    return ss.str();
}

}  // namespace anneal
