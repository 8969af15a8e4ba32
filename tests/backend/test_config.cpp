// SPDX-License-Identifier: GPL-3.0-or-later
// Experiment-file validation: every bad file names the key path and what is allowed; good files
// round-trip through the resolved config; --set / --unset overrides.
#include <QtTest>

#include "anneal/config.h"
#include "anneal/config_schema.h"
#include "anneal/error.h"
#include "temp_paths.h"

using namespace anneal;

namespace {
const std::string kBase = R"(
name = "t"
seed = 3
[model]
n_layer = 1
d_model = 32
n_head = 2
context = 16
[data]
batch_size = 4
[[data.domain]]
name = "a"
source = "synthetic:markov"
weight = 0.5
[[data.domain]]
name = "b"
source = "synthetic:noise"
weight = 0.5
[train]
steps = 100
)";
}  // namespace

class TestConfig : public QObject {
    Q_OBJECT
private slots:
    void badFiles_data() {
        QTest::addColumn<QString>("toml");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("allowed");
        auto row = [](const char* tag, const std::string& text, const char* field, const char* allowed) {
            QTest::newRow(tag) << QString::fromStdString(text) << field << allowed;
        };
        row("unknown top key", "colour = 1\n" + kBase, "colour", "device");
        row("unknown model key", "[model]\nlayers = 2\n" + kBase.substr(kBase.find("[data]")), "model.layers",
            "n_layer");
        row("device name", "device = \"tpu\"\n" + kBase, "device", "auto | cpu | cuda");
        row("lr negative", kBase + "lr = -0.1\n", "train.lr", "a number in (0, 10]");
        row(
            "domain weight negative",
            [] {
                std::string s = kBase;
                s.replace(s.find("weight = 0.5"), 12, "weight = -1");
                return s;
            }(),
            "data.domain[0].weight", "a number >= 0");
        row(
            "unknown source",
            [] {
                std::string s = kBase;
                s.replace(s.find("synthetic:noise"), 15, "synthetic:pink");
                return s;
            }(),
            "data.domain[1].source", "synthetic:markov");
        row(
            "steps not integer",
            [] {
                std::string s = kBase;
                s.replace(s.find("steps = 100"), 11, "steps = 1.5");
                return s;
            }(),
            "train.steps", "an integer from 1 to");
        row("betas length", kBase + "betas = [0.9]\n", "train.betas", "[beta1, beta2]");
        row("betas range", kBase + "betas = [0.9, 1.5]\n", "train.betas[1]", "a number in [0, 1)");
        row(
            "heads divide",
            [] {
                std::string s = kBase;
                s.replace(s.find("n_head = 2"), 10, "n_head = 3");
                return s;
            }(),
            "model.n_head", "a divisor of model.d_model");
        row("schedule kind", kBase + "[schedule]\nkind = \"cosinus\"\n", "schedule.kind",
            "constant | cosine | linear | inverse_sqrt | wsd | rewarm | infinite");
        row("key of another kind", kBase + "[schedule]\nkind = \"cosine\"\ndecay_fraction = 0.2\n",
            "schedule.decay_fraction", "used only when schedule.kind = inverse_sqrt | wsd");
        row("warmup too long", kBase + "[schedule]\nkind = \"cosine\"\nwarmup_steps = 500\n",
            "schedule.warmup_steps", "an integer from 0 to 100");
        row("wsd decay too long",
            kBase + "[schedule]\nkind = \"wsd\"\nwarmup_steps = 50\ndecay_fraction = 0.6\n",
            "schedule.decay_fraction", "decay_fraction <= 1 - warmup_steps / train.steps");
        row("decay shape", kBase + "[schedule]\nkind = \"wsd\"\ndecay_shape = \"sqrt\"\n",
            "schedule.decay_shape", "linear | cosine | 1-sqrt | square | exponential");
        row("exponential to zero",
            kBase + "[schedule]\nkind = \"wsd\"\ndecay_shape = \"exponential\"\nfinal_lr_fraction = 0.0\n",
            "schedule.final_lr_fraction", "a number in (0, 1]");
        row("temperature without sizes", kBase + "[mixture]\nkind = \"temperature\"\ntemperature = 2.0\n",
            "data.domain[0].size", "an integer > 0");
        row("upsample unknown domain",
            kBase + "[mixture.upsample]\nstart_fraction = 0.9\nweights = { c = 1.0 }\n",
            "mixture.upsample.weights.c", "a | b");
        row("upsample without weights", kBase + "[mixture.upsample]\nstart_fraction = 0.9\n",
            "mixture.upsample.weights", "a table of domain name = weight");
        row("reweight strategy", kBase + "[reweight]\nstrategy = \"focal\"\n", "reweight.strategy",
            "none | loss_linupper | loss_quadratic | loss_extremes | domain_scalarization | meta_rescale");
        row("reweight key of other strategy", kBase + "[reweight]\nstrategy = \"none\"\nkl_reg = 0.4\n",
            "reweight.kl_reg",
            "used only when reweight.strategy = loss_linupper | loss_quadratic | loss_extremes");
        row("log every zero", kBase + "[log]\nevery = 0\n", "log.every", "an integer from 1 to");
        row("no domains", "name = \"x\"\n[data]\nbatch_size = 4\n", "data.domain",
            "at least one [[data.domain]] table");
        row(
            "duplicate domain",
            [] {
                std::string s = kBase;
                s.replace(s.find("name = \"b\""), 10, "name = \"a\"");
                return s;
            }(),
            "data.domain[1].name", "unique names");
        row("bad toml", "name = \n", "<test>:1", "TOML");
    }

    void badFiles() {
        QFETCH(QString, toml);
        QFETCH(QString, field);
        QFETCH(QString, allowed);
        const std::string text = toml.toStdString();
        try {
            parseExperiment(text, "<test>");
            QFAIL(qPrintable("accepted a bad file; expected an error about " + field));
        } catch (const Error& e) {
            const QString msg = QString::fromStdString(e.what());
            QVERIFY2(e.code() == ErrorCode::InvalidConfig, qPrintable(msg));
            QVERIFY2(msg.startsWith(field) || QString::fromStdString(e.field()).startsWith(field),
                     qPrintable("expected field " + field + " in: " + msg));
            QVERIFY2(msg.contains(allowed), qPrintable("expected allowed '" + allowed + "' in: " + msg));
        }
    }

    void tokenizerSchemaIsWhatTheParserTakes() {
        // The editor's tables (config_schema.h) against the format as docs/DATA.md writes it.
        QCOMPARE(configKinds("tokenizer.kind"), (std::vector<std::string>{"bytes", "sentencepiece", "gpt2"}));
        QCOMPARE(configAllowedValues("tokenizer.kind"), configKinds("tokenizer.kind"));
        QCOMPARE(configAllowedValues("tokenizer.model_type"), (std::vector<std::string>{"bpe", "unigram"}));
        QCOMPARE(configKeysFor("tokenizer.kind", "gpt2"), (std::vector<std::string>{"vocab", "merges"}));
        QVERIFY(configKeysFor("tokenizer.kind", "bytes").empty());
        // Every key the schema gives a kind is refused under another kind, naming the key and its kind,
        // and accepted under its own (gpt2: the test vocabulary; bytes has no keys).
        const std::string vocab = test::dataFile("tokenizer/vocab.json");
        const std::string merges = test::dataFile("tokenizer/merges.txt");
        for (const std::string& key : configKeysFor("tokenizer.kind", "gpt2")) {
            const std::string text = kBase + "[tokenizer]\nkind = \"bytes\"\n" + key + " = \"" +
                                     (key == "vocab" ? vocab : merges) + "\"\n";
            try {
                parseExperiment(text, "<test>");
                QFAIL(qPrintable(QString::fromStdString("accepted tokenizer." + key + " with kind bytes")));
            } catch (const Error& e) {
                QCOMPARE(QString::fromStdString(e.field()), QString::fromStdString("tokenizer." + key));
                QVERIFY2(std::string(e.what()).find("gpt2") != std::string::npos, e.what());
            }
        }
        const ExperimentSpec ok = parseExperiment(
            "[model]\ncontext = 16\n[[data.domain]]\nname = \"t\"\nsource = \"text:" +
                test::dataFile("text/gpl-3.txt") + "\"\n[tokenizer]\nkind = \"gpt2\"\nvocab = \"" + vocab +
                "\"\nmerges = \"" + merges + "\"\n",
            "<test>");
        QCOMPARE(QString::fromStdString(ok.tokenizer.kind), QString("gpt2"));
    }

    void markovParamRange() {
        const std::string text = kBase.substr(0, kBase.find("[[data.domain]]\nname = \"b\"")) +
                                 "[data.domain.params]\norder = 12\n" +
                                 kBase.substr(kBase.find("[[data.domain]]\nname = \"b\""));
        try {
            parseExperiment(text, "<test>");
            QFAIL("accepted order = 12");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("data.domain[0].params.order"));
            QVERIFY(QString(e.what()).contains("an integer from 1 to 8"));
        }
    }

    void unknownSourceParam() {
        const std::string text = kBase + "[data.domain.params]\nentropi = 1.0\n";
        try {
            parseExperiment(text, "<test>");
            QFAIL("accepted an unknown param");
        } catch (const Error& e) {
            QCOMPARE(QString::fromStdString(e.field()), QString("data.domain[1].params.entropi"));
            QVERIFY(QString(e.what()).contains("seed"));
        }
    }

    void resolvedConfigRoundTrips_data() {
        QTest::addColumn<QString>("extra");
        QTest::newRow("defaults") << "";
        QTest::newRow("wsd") << "[schedule]\nkind = \"wsd\"\nwarmup_steps = 10\ndecay_fraction = "
                                "0.3\ndecay_shape = \"1-sqrt\"\n";
        QTest::newRow("infinite") << "[schedule]\nkind = \"infinite\"\nwarmup_steps = 5\ncooldown_steps = "
                                     "20\nanneal_fraction = 0.2\n"
                                     "final_lr_fraction = 0.05\n";
        QTest::newRow("upsample") << "[mixture.upsample]\nstart_fraction = 0.8\nweights = { a = 3.0 }\n"
                                     "[reweight]\nstrategy = \"loss_linupper\"\nkl_reg = 0.4\n";
    }
    void resolvedConfigRoundTrips() {
        QFETCH(QString, extra);
        const ExperimentSpec a = parseExperiment(kBase + extra.toStdString(), "<test>");
        const std::string resolved = toToml(a);
        const ExperimentSpec b = parseExperiment(resolved, "<resolved>");
        QCOMPARE(QString::fromStdString(toToml(b)), QString::fromStdString(resolved));
        QCOMPARE(b.schedule.kind, a.schedule.kind);
        QCOMPARE(b.schedule.decayFraction, a.schedule.decayFraction);
        QCOMPARE(b.train.lr, a.train.lr);
        QCOMPARE(b.mixture.upsample.weights, a.mixture.upsample.weights);
    }

    void controlCharactersInStringsRoundTrip() {
        // Found by fuzz_overrides: a name with DEL (U+007F) was written raw and the resolved config
        // no longer parsed. Every control character, set through an override, must survive.
        std::string name = "run";
        for (int c = 1; c < 0x20; ++c) {
            name += static_cast<char>(c);
        }
        name += '\x7f';
        name += "\"\\end";
        const ExperimentSpec a = parseExperiment(kBase, "<test>", {"name=" + name});
        QCOMPARE(QString::fromStdString(a.name), QString::fromStdString(name));
        const std::string resolved = toToml(a);
        const ExperimentSpec b = parseExperiment(resolved, "<resolved>");
        QCOMPARE(QString::fromStdString(b.name), QString::fromStdString(name));
        QVERIFY(resolved.find('\x7f') == std::string::npos);
    }

    void overridesSetAndUnset() {
        const ExperimentSpec s =
            parseExperiment(kBase, "<test>",
                            {"train.lr=0.02", "data.domain[1].weight=2", "schedule.kind=wsd", "name=my run",
                             "train.betas=[0.8, 0.9]"});
        QCOMPARE(s.train.lr, 0.02);
        QCOMPARE(s.data.domains[1].weight, 2.0);
        QCOMPARE(s.schedule.kind, std::string("wsd"));
        QCOMPARE(s.name, std::string("my run"));
        QCOMPARE(s.train.betas[0], 0.8);
        const ExperimentSpec u = parseExperiment(kBase + "[schedule]\nkind = \"wsd\"\ndecay_fraction = 0.3\n",
                                                 "<t>", {"schedule.kind=cosine", "!schedule.decay_fraction"});
        QCOMPARE(u.schedule.kind, std::string("cosine"));
    }

    void settingAKindDropsKeysItDoesNotUse() {
        const std::string wsd =
            kBase + "[schedule]\nkind = \"wsd\"\ndecay_fraction = 0.3\nfinal_lr_fraction = 0.0\n";
        const ExperimentSpec c = parseExperiment(wsd, "<t>", {"schedule.kind=constant"});
        QCOMPARE(c.schedule.kind, std::string("constant"));
        const ExperimentSpec k = parseExperiment(wsd, "<t>", {"schedule.kind=cosine"});
        QCOMPARE(k.schedule.finalLrFraction, 0.0);  // still used by cosine: kept
        // The file itself stays strict.
        QVERIFY_THROWS_EXCEPTION(
            Error,
            parseExperiment(kBase + "[schedule]\nkind = \"constant\"\nfinal_lr_fraction = 0.1\n", "<t>"));
        // A key set explicitly after the kind is still validated against it.
        QVERIFY_THROWS_EXCEPTION(
            Error, parseExperiment(wsd, "<t>", {"schedule.kind=constant", "schedule.decay_fraction=0.2"}));
    }

    void badOverrides_data() {
        QTest::addColumn<QString>("override");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no equals") << "train.lr"
                                   << "expected KEY=VALUE";
        QTest::newRow("bad index") << "data.domain[7].weight=1"
                                   << "data.domain[7] does not exist";
        QTest::newRow("wrong type") << "train.steps=abc"
                                    << "train.steps: expected an integer";
        QTest::newRow("unknown key") << "train.lrate=0.1"
                                     << "train.lrate: unknown key";
        QTest::newRow("bad path") << "train..lr=1"
                                  << "is not a key path";
    }
    void badOverrides() {
        QFETCH(QString, override);
        QFETCH(QString, expected);
        try {
            parseExperiment(kBase, "<test>", {override.toStdString()});
            QFAIL("accepted a bad override");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void shippedExperimentsParse() {
        const QDir dir(QString::fromStdString(test::sourceFile("resources/experiments")));
        const auto files = dir.entryList({"*.toml"}, QDir::Files);
        QVERIFY(!files.isEmpty());
        // real-text.toml reads the prepared corpus: a stand-in one.
        test::TempDir corpus;
        test::writeStandInCorpus(corpus.path());
        qputenv("ANNEAL_CORPUS", corpus.qpath().toUtf8());
        for (const QString& f : files) {
            try {
                loadExperiment(dir.filePath(f).toStdString());
            } catch (const Error& e) {
                QFAIL(qPrintable(f + ": " + e.what()));
            }
        }
        qunsetenv("ANNEAL_CORPUS");
    }

    void flattenListsKeys() {
        const auto flat = flattenToml(kBase);
        bool found = false;
        for (const auto& [k, v] : flat) {
            if (k == "data.domain[1].source") {
                found = v == "synthetic:noise";
            }
        }
        QVERIFY(found);
    }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
