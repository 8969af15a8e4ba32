// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: one suite, bad values for every key of the experiment format.
// Bad experiment input gets a clear error that names the key, and changes nothing.
//   - every key of docs/EXPERIMENT-FORMAT.md (read from the document itself, so a key added there
//     without a case here fails this suite) is given a value of the wrong type and a value out of
//     range, in a file and as `--set`: parseExperiment throws InvalidConfig whose field is that key
//     path and whose message says it;
//   - through anneal-cli: bad files, bad --set values, a file that is not UTF-8 or not TOML, an
//     empty file: exit code 1, "anneal-cli: error: <key or file:line:col>" on stderr, no crash, and
//     the database (which already holds a run) is logically unchanged and has no new run.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "anneal/config.h"
#include "anneal/error.h"
#include "reliability_support.h"
#include "temp_paths.h"

using namespace anneal;
namespace fs = std::filesystem;

namespace {

/// A context value that removes the key from the base file (a source's parameters that another
/// source does not take).
const std::string kUnset = "\x01unset";

/// An experiment file built from sections of key = value lines; set() replaces or adds a key.
class ExperimentText {
public:
    ExperimentText() {
        set("name", "\"bad-input\"");
        set("seed", "1");
        set("device", "\"cpu\"");
        set("model.n_layer", "1");
        set("model.d_model", "16");
        set("model.n_head", "2");
        set("model.context", "8");
        set("data.batch_size", "2");
        set("data.val_every", "5");
        set("data.val_batches", "1");
        set("data.domain[0].name", "\"markov\"");
        set("data.domain[0].source", "\"synthetic:markov\"");
        set("data.domain[0].weight", "0.7");
        set("data.domain[0].size", "100");
        set("data.domain[0].params.order", "1");
        set("data.domain[0].params.alphabet", "8");
        set("data.domain[1].name", "\"noise\"");
        set("data.domain[1].source", "\"synthetic:noise\"");
        set("data.domain[1].weight", "0.3");
        set("data.domain[1].size", "50");
        set("train.steps", "100");
        set("train.threads", "1");
    }

    /// Sets "section.key" (the section is the longest known prefix) to a TOML value.
    void set(const std::string& path, const std::string& value) {
        std::string section;
        for (const auto& s : sections()) {
            if (!s.empty() && path.compare(0, s.size() + 1, s + ".") == 0 && s.size() > section.size()) {
                section = s;
            }
        }
        const std::string key = section.empty() ? path : path.substr(section.size() + 1);
        auto& lines = m_sections[section];
        for (auto it = lines.begin(); it != lines.end(); ++it) {
            if (it->first == key) {
                if (value == kUnset) {
                    lines.erase(it);
                } else {
                    it->second = value;
                }
                return;
            }
        }
        if (value != kUnset) {
            lines.emplace_back(key, value);
        }
    }

    std::string text() const {
        std::string out;
        for (const auto& s : sections()) {
            auto it = m_sections.find(s);
            if (it == m_sections.end()) {
                continue;
            }
            if (s == "data.domain[0]" || s == "data.domain[1]") {
                out += "[[data.domain]]\n";
            } else if (s == "data.domain[0].params" || s == "data.domain[1].params") {
                out += "[data.domain.params]\n";
            } else if (!s.empty()) {
                out += "[" + s + "]\n";
            }
            for (const auto& [k, v] : it->second) {
                out += k + " = " + v + "\n";
            }
        }
        return out;
    }

private:
    static const std::vector<std::string>& sections() {
        static const std::vector<std::string> s = {"",
                                                   "model",
                                                   "data",
                                                   "data.domain[0]",
                                                   "data.domain[0].params",
                                                   "data.domain[1]",
                                                   "data.domain[1].params",
                                                   "train",
                                                   "schedule",
                                                   "mixture",
                                                   "mixture.upsample",
                                                   "mixture.replay",
                                                   "reweight",
                                                   "log",
                                                   "tokenizer"};
        return s;
    }
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> m_sections;
};

/// One key: what else the file needs for the key to be used, a value of the wrong type and one out
/// of range (or not among the allowed names).
struct KeyCase {
    std::string key;
    std::vector<std::pair<std::string, std::string>> context;
    std::string wrongType;
    std::string outOfRange;
};

const std::vector<KeyCase>& keyCases() {
    using C = std::vector<std::pair<std::string, std::string>>;
    const C wsd = {{"schedule.kind", "\"wsd\""}};
    const C invSqrt = {{"schedule.kind", "\"inverse_sqrt\""}, {"schedule.warmup_steps", "10"}};
    const C rewarm = {{"schedule.kind", "\"rewarm\""}, {"schedule.warmup_steps", "10"}};
    const C infinite = {{"schedule.kind", "\"infinite\""}, {"schedule.final_lr_fraction", "0.05"}};
    const C table = {
        {"schedule.kind", "\"table\""}, {"schedule.steps", "[0, 99]"}, {"schedule.lrs", "[0.001, 0.0001]"}};
    static const std::string lrFile = "\"" + test::dataFile("lr_table.csv") + "\"";
    const C tableFile = {{"schedule.kind", "\"table\""}, {"schedule.file", lrFile}};
    const C temp = {{"mixture.kind", "\"temperature\""}};
    const C upsample = {{"mixture.upsample.weights", "{ markov = 1.0 }"}};
    const C replay = {{"mixture.replay.weights", "{ markov = 1.0 }"}};
    const C lossBased = {{"reweight.strategy", "\"loss_linupper\""}};
    // Subword tokenizers take real-text domains only: both domains read the licence texts.
    static const std::string gpl = "\"text:" + test::dataFile("text/gpl-3.txt") + "\"";
    static const std::string lgpl = "\"text:" + test::dataFile("text/lgpl-3.txt") + "\"";
    const C text = {{"data.domain[0].source", gpl},
                    {"data.domain[0].params.order", kUnset},
                    {"data.domain[0].params.alphabet", kUnset},
                    {"data.domain[1].source", lgpl}};
    C spm = text;
    spm.push_back({"tokenizer.kind", "\"sentencepiece\""});
    C gpt2 = text;
    gpt2.push_back({"tokenizer.kind", "\"gpt2\""});
    gpt2.push_back({"tokenizer.vocab", "\"" + test::dataFile("tokenizer/vocab.json") + "\""});
    gpt2.push_back({"tokenizer.merges", "\"" + test::dataFile("tokenizer/merges.txt") + "\""});
    const C scalT = {{"reweight.strategy", "\"domain_scalarization\""}, {"reweight.temperature", "2.0"}};
    const C scalW = {{"reweight.strategy", "\"domain_scalarization\""},
                     {"reweight.domain_weights", "{ markov = 2.0 }"}};
    const C meta = {{"reweight.strategy", "\"meta_rescale\""}};
    static const std::vector<KeyCase> cases = {
        {"name", {}, "3", "\"\""},
        {"seed", {}, "\"one\"", "-1"},
        {"device", {}, "1", "\"tpu\""},
        {"tags", {}, "\"a\"", "[1, 2]"},
        {"model.n_layer", {}, "\"two\"", "97"},
        {"model.d_model", {}, "1.5", "3"},
        {"model.n_head", {}, "\"x\"", "0"},
        {"model.context", {}, "true", "1"},
        {"data.batch_size", {}, "\"x\"", "0"},
        {"data.val_every", {}, "\"x\"", "-1"},
        {"data.val_batches", {}, "2.5", "0"},
        {"data.domain[1].name", {}, "5", "\"no spaces\""},
        {"data.domain[1].source", {}, "5", "\"synthetic:unknown\""},
        {"data.domain[1].weight", {}, "\"heavy\"", "-1"},
        {"data.domain[1].size", {}, "\"x\"", "-1"},
        {"data.domain[0].params.seed", {}, "\"x\"", "-1"},
        {"data.domain[0].params.noise_rate", {}, "\"x\"", "1.5"},
        {"data.domain[0].params.order", {}, "\"x\"", "9"},
        {"data.domain[0].params.alphabet", {}, "\"x\"", "65"},
        {"train.steps", {}, "\"x\"", "0"},
        {"train.lr", {}, "\"fast\"", "11"},
        {"train.weight_decay", {}, "\"x\"", "11"},
        {"train.betas", {}, "0.9", "[0.9, 1.0]"},
        {"train.eps", {}, "\"x\"", "0"},
        {"train.grad_clip", {}, "\"x\"", "-1"},
        {"train.threads", {}, "\"x\"", "1025"},
        {"train.skip_nonfinite", {}, "1", "\"yes\""},
        {"train.spike_z", {}, "\"x\"", "0"},
        {"schedule.kind", {}, "1", "\"step\""},
        {"schedule.warmup_steps", {}, "\"x\"", "101"},
        {"schedule.warmup_start_fraction", {}, "\"x\"", "1.5"},
        {"schedule.final_lr_fraction", {}, "\"x\"", "1.5"},
        {"schedule.timescale", invSqrt, "\"x\"", "-1"},
        {"schedule.decay_fraction", wsd, "\"x\"", "1.5"},
        {"schedule.decay_shape", wsd, "1", "\"quadratic\""},
        {"schedule.decay_half_life",
         {{"schedule.kind", "\"wsd\""}, {"schedule.decay_shape", "\"exponential\""}},
         "\"x\"",
         "-1"},
        {"schedule.rewarm_at", rewarm, "\"x\"", "100"},
        {"schedule.rewarm_steps", rewarm, "\"x\"", "-1"},
        {"schedule.rewarm_peak_fraction", rewarm, "\"x\"", "0"},
        {"schedule.cooldown_steps", infinite, "\"x\"", "-1"},
        {"schedule.cooldown_shape", infinite, "1", "\"linear\""},
        {"schedule.constant_lr_fraction", infinite, "\"x\"", "0"},
        {"schedule.cooldown_timescale", infinite, "\"x\"", "0"},
        {"schedule.anneal_fraction", infinite, "\"x\"", "1.5"},
        {"schedule.steps", table, "\"x\"", "[0, -99]"},
        {"schedule.lrs", table, "\"x\"", "[0.001, -0.0001]"},
        {"schedule.source", table, "1", "\"\""},
        {"schedule.file", tableFile, "1", "\"/nonexistent/lr.csv\""},
        {"tokenizer.kind", {}, "1", "\"wordpiece\""},
        {"tokenizer.model", spm, "1", "\"/nonexistent/x.model\""},
        {"tokenizer.model_type", spm, "1", "\"char\""},
        {"tokenizer.vocab_size", spm, "\"x\"", "10"},
        {"tokenizer.train_bytes", spm, "\"x\"", "10"},
        {"tokenizer.seed", spm, "\"x\"", "-1"},
        {"tokenizer.vocab", gpt2, "1", "\"/nonexistent/vocab.json\""},
        {"tokenizer.merges", gpt2, "1", "\"/nonexistent/merges.txt\""},
        {"mixture.kind", {}, "1", "\"dynamic\""},
        {"mixture.temperature", temp, "\"x\"", "0"},
        {"mixture.temperature_schedule", temp, "1", "\"exponential\""},
        {"mixture.temperature_end",
         {{"mixture.kind", "\"temperature\""}, {"mixture.temperature_schedule", "\"linear\""}},
         "\"x\"",
         "0"},
        {"mixture.temperature_switch_fraction",
         {{"mixture.kind", "\"temperature\""}, {"mixture.temperature_schedule", "\"step\""}},
         "\"x\"",
         "1.5"},
        {"mixture.upsample.start_fraction", upsample, "\"x\"", "1.0"},
        {"mixture.upsample.weights", {}, "\"x\"", "{ markov = -1.0 }"},
        {"mixture.replay.fraction", replay, "\"x\"", "1.5"},
        {"mixture.replay.start_step", replay, "\"x\"", "-1"},
        {"mixture.replay.weights", {}, "\"x\"", "{ markov = -1.0 }"},
        {"reweight.strategy", {}, "1", "\"focal\""},
        {"reweight.burnin_steps", lossBased, "\"x\"", "-1"},
        {"reweight.delta", lossBased, "\"x\"", "0"},
        {"reweight.kl_reg", lossBased, "\"x\"", "0"},
        {"reweight.temperature", scalT, "\"x\"", "0"},
        {"reweight.domain_weights", scalW, "\"x\"", "{ markov = -1.0 }"},
        {"reweight.meta_lr", meta, "\"x\"", "0"},
        {"reweight.meta_every", meta, "\"x\"", "0"},
        {"reweight.meta_batch", meta, "\"x\"", "0"},
        {"log.every", {}, "\"x\"", "0"},
        {"log.weights_every", {}, "\"x\"", "-1"},
        {"log.checkpoint_every", {}, "\"x\"", "-1"},
        {"log.keep_checkpoints", {}, "\"x\"", "0"},
    };
    return cases;
}

/// The key as docs/EXPERIMENT-FORMAT.md writes it: array indices as [i], source params as params.*.
std::string docKey(const std::string& key) {
    std::string k = std::regex_replace(key, std::regex(R"(data\.domain\[\d+\])"), "data.domain[i]");
    const auto p = k.find(".params.");
    return p == std::string::npos ? k : k.substr(0, p) + ".params.*";
}

/// Every key docs/EXPERIMENT-FORMAT.md lists, as a full path. Key tables name the key in their first
/// column (`[mixture.upsample]` `start_fraction` adds a sub-table); the [schedule] and [reweight]
/// tables list keys in their second column, with defaults and allowed values in parentheses.
std::set<std::string> documentedKeys() {
    std::ifstream in(std::string(test::kSourceDir) + "/docs/EXPERIMENT-FORMAT.md");
    std::set<std::string> keys;
    std::string line, prefix;
    bool secondColumn = false;
    bool inKeys = false;
    static const std::regex tick("`([^`]+)`");
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0) {
            inKeys = true;
            secondColumn = false;
            if (line.find("Top level") != std::string::npos) {
                prefix = "";
            } else if (line.find("[data]") != std::string::npos) {
                prefix = "";  // rows give full paths
            } else if (line.find("Overrides") != std::string::npos) {
                inKeys = false;
            } else {
                std::smatch m;
                if (std::regex_search(line, m, std::regex(R"(`\[([a-z_.]+)\]`)"))) {
                    prefix = m[1].str() + ".";
                    secondColumn = prefix == "schedule." || prefix == "reweight.";
                }
            }
            continue;
        }
        if (!inKeys || line.rfind("| ", 0) != 0 || line.find("---") != std::string::npos) {
            continue;
        }
        std::vector<std::string> cols;
        std::string cell;
        std::string rest = line.substr(1);
        for (size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] == '\\' && i + 1 < rest.size()) {
                cell += rest[++i];
            } else if (rest[i] == '|') {
                cols.push_back(cell);
                cell.clear();
            } else {
                cell += rest[i];
            }
        }
        if (cols.size() < 2) {
            continue;
        }
        std::string col = secondColumn ? cols[1] : cols[0];
        if (secondColumn) {
            // Drop parenthesised defaults and allowed values: "`kind` (default `cosine`)" -> "`kind`".
            // Intervals mix brackets ("((0, 1], default 0.5)"), so ( and [ both open, ) and ] close.
            std::string flat;
            int depth = 0;
            for (char c : col) {
                const int before = depth;
                depth += (c == '(' || c == '[') ? 1 : ((c == ')' || c == ']') ? -1 : 0);
                if (before == 0 && depth == 0) {
                    flat += c;
                }
            }
            col = flat;
        }
        std::string sub;
        for (auto it = std::sregex_iterator(col.begin(), col.end(), tick); it != std::sregex_iterator();
             ++it) {
            std::string token = (*it)[1].str();
            if (token.size() > 2 && token.front() == '[' && token.back() == ']') {
                sub = token.substr(1, token.size() - 2) + ".";  // [mixture.upsample] -> mixture.upsample.
                if (sub.rfind(prefix, 0) == 0) {
                    sub = sub.substr(prefix.size());
                }
                continue;
            }
            const std::smatch m = [&] {
                std::smatch mm;
                std::regex_search(token, mm, std::regex(R"(^[a-z_][a-z_.\[\]*]*)"));
                return mm;
            }();
            if (m.empty()) {
                continue;
            }
            const std::string key = m[0].str();
            if (key == "key" || key == "keys") {
                continue;
            }
            keys.insert(prefix + sub + key);
        }
    }
    return keys;
}

void expectKeyError(const std::string& text, const std::vector<Override>& overrides, const std::string& key,
                    const std::string& what) {
    try {
        parseExperiment(text, "bad.toml", overrides);
        QFAIL(("accepted " + what + " for " + key).c_str());
    } catch (const Error& e) {
        const std::string field = e.field();
        const bool names = field == key || field.rfind(key + ".", 0) == 0 || field.rfind(key + "[", 0) == 0;
        QVERIFY2(e.code() == ErrorCode::InvalidConfig, e.what());
        QVERIFY2(names, (what + " for " + key + ": the error names \"" + field + "\": " + e.what()).c_str());
        QVERIFY2(std::string(e.what()).find(key) != std::string::npos, e.what());
        QVERIFY2(!e.detail().empty(), e.what());
    }
}

}  // namespace

class TestBadConfig : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;
    std::string m_db;
    std::string m_dump;

private slots:
    void initTestCase() {
        // A database that already holds a run: bad input must leave it as it is.
        m_db = m_dir.path("keep.db");
        rel::writeFile(m_dir.path("ok.toml"), rel::tinySpec(5, 1));
        const auto r = rel::runCli({"run", "ok.toml", "--db", m_db, "-q"}, m_dir.path());
        QVERIFY2(r.code == 0, r.err.c_str());
        m_dump = rel::logicalDump(m_db);
        QVERIFY(!m_dump.empty());
    }

    void everyDocumentedKeyHasACase() {
        const std::set<std::string> documented = documentedKeys();
        std::set<std::string> covered;
        for (const auto& c : keyCases()) {
            covered.insert(docKey(c.key));
        }
        QVERIFY2(documented.size() >= 63,
                 ("parsed only " + std::to_string(documented.size()) + " keys from the doc").c_str());
        std::string missing;
        for (const auto& k : documented) {
            if (!covered.count(k)) {
                missing += " " + k;
            }
        }
        QVERIFY2(missing.empty(), ("documented keys without a bad-value case:" + missing).c_str());
        std::string list;
        for (const auto& k : documented) {
            list += " " + k;
        }
        qInfo("%zu documented keys, %zu cases (wrong type and out of range, in a file and as --set):%s",
              documented.size(), keyCases().size(), list.c_str());
    }

    void everyKeyRejectsBadValues_data() {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < keyCases().size(); ++i) {
            QTest::newRow(keyCases()[i].key.c_str()) << static_cast<int>(i);
        }
    }
    void everyKeyRejectsBadValues() {
        QFETCH(int, index);
        const KeyCase& c = keyCases()[static_cast<size_t>(index)];
        ExperimentText base;
        for (const auto& [k, v] : c.context) {
            base.set(k, v);
        }
        // The file is valid without the bad value, so the error can only come from it.
        try {
            parseExperiment(base.text(), "base.toml");
        } catch (const Error& e) {
            QFAIL((std::string("the base file of this case is invalid: ") + e.what()).c_str());
        }
        for (const auto& [value, what] : {std::pair{c.wrongType, "a value of the wrong type"},
                                          std::pair{c.outOfRange, "a value out of range"}}) {
            ExperimentText bad = base;
            bad.set(c.key, value);
            expectKeyError(bad.text(), {}, c.key, std::string(what) + " (" + value + ") in a file");
            expectKeyError(base.text(), {c.key + "=" + value}, c.key,
                           std::string(what) + " (" + value + ") in --set");
        }
    }

    void cliRejectsBadFilesAndChangesNothing_data() {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("named");
        const std::string good = ExperimentText().text();
        QTest::newRow("out of range")
            << QByteArray::fromStdString(good + "[log]\nevery = 0\n") << QStringList{} << "log.every";
        QTest::newRow("unknown key") << QByteArray::fromStdString(good + "[log]\nevry = 2\n") << QStringList{}
                                     << "log.evry: unknown key";
        QTest::newRow("key of another kind")
            << QByteArray::fromStdString(good + "[schedule]\nkind = \"constant\"\ndecay_fraction = 0.2\n")
            << QStringList{} << "schedule.decay_fraction";
        QTest::newRow("not TOML") << QByteArray("name = \"x\n[[data.domain]\n") << QStringList{}
                                  << "bad.toml:1:";
        QTest::newRow("not UTF-8") << QByteArray("name = \"\xff\xfe\"\n") << QStringList{} << "bad.toml:1:";
        QTest::newRow("empty") << QByteArray() << QStringList{} << "data.domain";
        QTest::newRow("--set wrong type")
            << QByteArray::fromStdString(good) << QStringList{"--set", "train.lr=fast"} << "train.lr";
        QTest::newRow("--set out of range")
            << QByteArray::fromStdString(good) << QStringList{"--set", "data.domain[1].weight=-2"}
            << "data.domain[1].weight";
        QTest::newRow("--set no such domain")
            << QByteArray::fromStdString(good) << QStringList{"--set", "data.domain[5].weight=1"}
            << "data.domain[5]";
        QTest::newRow("--set not a key path")
            << QByteArray::fromStdString(good) << QStringList{"--set", "train..lr=1"} << "--set train..lr=1";
        QTest::newRow("--unset a required table")
            << QByteArray::fromStdString(good) << QStringList{"--unset", "data"} << "data.domain";
    }
    void cliRejectsBadFilesAndChangesNothing() {
        QFETCH(QByteArray, file);
        QFETCH(QStringList, args);
        QFETCH(QString, named);
        rel::writeFile(m_dir.path("bad.toml"), file.toStdString());
        std::vector<std::string> cli = {"run", "bad.toml", "--db", m_db};
        for (const auto& a : args) {
            cli.push_back(a.toStdString());
        }
        const auto r = rel::runCli(cli, m_dir.path());
        QVERIFY2(r.code == 1, ("exit " + std::to_string(r.code) + ": " + r.err).c_str());
        QVERIFY2(r.err.rfind("anneal-cli: error: ", 0) == 0, r.err.c_str());
        QVERIFY2(r.err.find(named.toStdString()) != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find('\n') == r.err.size() - 1, ("one line expected: " + r.err).c_str());
        QVERIFY2(rel::logicalDump(m_db) == m_dump, "the database changed");
        // `check` says the same without a database.
        cli[0] = "check";
        cli.erase(cli.begin() + 2, cli.begin() + 4);
        const auto c = rel::runCli(cli, m_dir.path());
        QCOMPARE(c.code, 1);
        QVERIFY2(c.err.find(named.toStdString()) != std::string::npos, c.err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestBadConfig)
#include "test_bad_config.moc"
