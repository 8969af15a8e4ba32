// SPDX-License-Identifier: GPL-3.0-or-later
// The token cache (docs/DATA.md#the-token-cache) and runs with a subword tokenizer: a second
// Dataset on the same documents reads the cache (the entries' files are not written again), a
// changed file or tokenizer makes a new entry, a truncated or corrupt entry is rebuilt to the same
// bytes (SentencePiece training is deterministic), two runs are bit-identical and a resume is
// bit-exact, and val_bpb divides by the bytes the validation targets decode to.
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <functional>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "data_files.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;
using test::readAll;
using test::writeFile;
namespace fs = std::filesystem;

namespace {

std::string toml(const std::string& glob, int vocab = 500, int steps = 20, unsigned seed = 1) {
    return "name = \"spm\"\nseed = " + std::to_string(seed) +
           "\ndevice = \"cpu\"\n"
           "[model]\nn_layer = 1\nd_model = 32\nn_head = 2\ncontext = 32\n"
           "[tokenizer]\nkind = \"sentencepiece\"\nvocab_size = " +
           std::to_string(vocab) +
           "\n[data]\nbatch_size = 8\nval_every = 10\nval_batches = 2\n"
           "[[data.domain]]\nname = \"licenses\"\nsource = \"text:" +
           glob +
           "\"\n[data.domain.params]\nseparator = \"\"\n"
           "[train]\nsteps = " +
           std::to_string(steps) +
           "\nlr = 0.01\nthreads = 1\n[schedule]\nkind = \"cosine\"\nwarmup_steps = 2\n[log]\nevery = 1\n";
}

/// Files under the cache's subfolder and their modification times.
std::map<std::string, fs::file_time_type> entries(const std::string& dir) {
    std::map<std::string, fs::file_time_type> out;
    if (fs::exists(dir)) {
        for (const auto& e : fs::directory_iterator(dir)) {
            out[e.path().string()] = fs::last_write_time(e.path());
        }
    }
    return out;
}

std::vector<Token> window(const Dataset& ds, std::uint64_t id) {
    std::vector<Token> w(static_cast<size_t>(ds.sampleLength()));
    ds.fill(id, w.data());
    return w;
}

}  // namespace

class TestTokenCache : public QObject {
    Q_OBJECT
private slots:
    void init() {
        m_cache = std::make_unique<test::TempDir>();
        qputenv("ANNEAL_CACHE_DIR", QByteArray::fromStdString(m_cache->path("cache")));
        m_corpus = std::make_unique<test::TempDir>();
        for (const char* f : {"gpl-3.txt", "lgpl-3.txt"}) {
            fs::copy_file(test::dataFile(std::string("text/") + f), m_corpus->path(f));
        }
    }
    void cleanup() { qunsetenv("ANNEAL_CACHE_DIR"); }

    void secondDatasetReadsTheCache() {
        const ExperimentSpec spec = parseExperiment(toml(m_corpus->path("*.txt")), "<test>");
        const Dataset a(spec);
        QCOMPARE(a.vocabulary(), 500);
        const auto tokens = entries(m_cache->path("cache/tokens")),
                   models = entries(m_cache->path("cache/tokenizers"));
        QCOMPARE(tokens.size(), size_t{1});
        QCOMPARE(models.size(), size_t{1});
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const Dataset b(spec);
        QVERIFY(entries(m_cache->path("cache/tokens")) == tokens);  // same files, not rewritten
        QVERIFY(entries(m_cache->path("cache/tokenizers")) == models);
        for (std::uint64_t i : {std::uint64_t{0}, std::uint64_t{7}, kValidationBit | 3}) {
            QCOMPARE(window(a, i), window(b, i));
        }
        const CorpusStats* c = a.source(0).corpus();
        QVERIFY(c->tokens < c->bytes / 2);  // subwords
        // Documents and windows decode to the licences' text.
        const auto w = window(a, kValidationBit | 0);
        const std::string text = a.decode(w.data(), static_cast<int>(w.size()));
        QVERIFY2(readAll(m_corpus->path("gpl-3.txt")).find(text.substr(0, text.find('\xFF'))) !=
                         std::string::npos ||
                     readAll(m_corpus->path("lgpl-3.txt")).find(text.substr(0, text.find('\xFF'))) !=
                         std::string::npos,
                 text.c_str());
    }

    void changedFileOrTokenizerMakesANewEntry() {
        const ExperimentSpec spec = parseExperiment(toml(m_corpus->path("*.txt")), "<test>");
        { const Dataset a(spec); }
        QCOMPARE(entries(m_cache->path("cache/tokens")).size(), size_t{1});
        writeFile(m_corpus->path("lgpl-3.txt"),
                  readAll(m_corpus->path("lgpl-3.txt")) + "\nA new paragraph.\n");
        { const Dataset b(spec); }
        QCOMPARE(entries(m_cache->path("cache/tokens")).size(), size_t{2});
        { const Dataset c(parseExperiment(toml(m_corpus->path("*.txt"), 520), "<test>")); }
        QCOMPARE(entries(m_cache->path("cache/tokens")).size(), size_t{3});
        QVERIFY(entries(m_cache->path("cache/tokenizers")).size() >= 2);
    }

    void truncatedOrCorruptEntriesAreRebuilt() {
        const ExperimentSpec spec = parseExperiment(toml(m_corpus->path("*.txt")), "<test>");
        std::vector<Token> before;
        {
            const Dataset a(spec);
            before = window(a, 11);
        }
        const std::string tok = entries(m_cache->path("cache/tokens")).begin()->first;
        const std::string model = entries(m_cache->path("cache/tokenizers")).begin()->first;
        const std::string tokBytes = readAll(tok), modelBytes = readAll(model);
        fs::resize_file(tok, tokBytes.size() / 2);
        fs::resize_file(model, modelBytes.size() - 100);
        {
            const Dataset b(spec);
            QCOMPARE(window(b, 11), before);
        }
        QVERIFY(readAll(tok) == tokBytes);  // rebuilt, to the same bytes: training is deterministic
        QVERIFY(readAll(model) == modelBytes);
        std::string flipped = tokBytes;
        flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
        writeFile(tok, flipped);
        {
            const Dataset c(spec);
            QCOMPARE(window(c, 11), before);
        }
        QVERIFY(readAll(tok) == tokBytes);
    }

    void runsAreDeterministicAndResumeBitExact() {
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string glob = m_corpus->path("*.txt");
        const std::vector<Override> ckpt = {"log.checkpoint_every=10", "log.keep_checkpoints=10"};
        const auto full = test::runToml(db, toml(glob, 500, 30, 3), ckpt);
        const auto again = test::runToml(db, toml(glob, 500, 30, 3), ckpt);
        const auto other = test::runToml(db, toml(glob, 500, 30, 4), ckpt);
        const auto expected = test::storedMetric(db, full, "train_loss");
        QCOMPARE(expected.size(), size_t{30});
        QVERIFY(test::bitIdentical(test::storedMetric(db, again, "train_loss"), expected));
        QVERIFY(!test::bitIdentical(test::storedMetric(db, other, "train_loss"), expected));
        QVERIFY(expected.front() > std::log(500.0) - 1.0);  // starts near ln(vocabulary)

        LaunchRequest req;
        req.dbPath = db;
        req.specText = toml(glob, 500, 30, 3) + "checkpoint_every = 10\nkeep_checkpoints = 10\n";
        req.origin = "<test>";
        auto s = RunSession::launch(req);
        const std::int64_t id = s->runId();
        bool stopped = false;
        test::driveSession(*s, [&](const StepEvent& e) {
            if (e.step >= 14 && !stopped) {
                s->stop();
                stopped = true;
            }
        });
        s.reset();
        auto resumed = RunSession::resume(db, id);
        QVERIFY(resumed->startStep() >= 10);
        test::driveSession(*resumed);
        QVERIFY2(test::bitIdentical(test::storedMetric(db, id, "train_loss"), expected),
                 "resumed run differs from the uninterrupted one");
    }

    void runsBuildTheirDataOnceAndReportIt() {
        // A new run builds its data once, in launch (its record needs the domains' facts), reporting
        // the stages to the request's callback, and hands it to the run: the run publishes no
        // PrepareEvent of its own. A resumed run builds it on its thread and publishes the stages
        // before its first step. Cold cache: the tokenizer is trained and the domain tokenised.
        test::TempDir dir;
        const std::string db = dir.path("p.db");
        struct Seen {
            std::vector<PrepareEvent> launch, run;
            bool preparedAfterStep = false;
        };
        auto drive = [](RunSession& session, Seen& seen,
                        const std::function<void(const StepEvent&)>& onStep) {
            auto q = std::make_shared<EventQueue>(1 << 16);
            session.bus()->subscribe(q);
            session.start();
            bool stepSeen = false;
            std::vector<Event> events;
            while (!(session.run().finished() && q->size() == 0)) {
                events.clear();
                q->drain(events, std::chrono::milliseconds(50));
                for (const Event& e : events) {
                    if (const auto* p = std::get_if<PrepareEvent>(&e.payload)) {
                        seen.run.push_back(*p);
                        seen.preparedAfterStep = seen.preparedAfterStep || stepSeen;
                    } else if (const auto* st = std::get_if<StepEvent>(&e.payload)) {
                        stepSeen = true;
                        if (onStep) {
                            onStep(*st);
                        }
                    }
                }
            }
            session.wait();
        };
        auto launch = [&](Seen& seen, const std::string& extra) {
            LaunchRequest req;
            req.dbPath = db;
            req.specText = toml(m_corpus->path("*.txt"), 500, 20) + extra;
            req.origin = "<test>";
            req.progress = [&seen](const std::string& stage, std::int64_t done, std::int64_t total) {
                seen.launch.push_back(PrepareEvent{stage, done, total});
            };
            return RunSession::launch(req);
        };
        auto last = [](const std::vector<PrepareEvent>& ev, const std::string& stage) -> const PrepareEvent* {
            const PrepareEvent* out = nullptr;
            for (const auto& e : ev) {
                out = e.stage == stage ? &e : out;
            }
            return out;
        };
        auto count = [](const std::vector<PrepareEvent>& ev, const std::string& stage, std::int64_t done) {
            return std::count_if(ev.begin(), ev.end(),
                                 [&](const PrepareEvent& e) { return e.stage == stage && e.done == done; });
        };

        Seen cold;
        auto s = launch(cold, "checkpoint_every = 5\nkeep_checkpoints = 10\n");
        const std::int64_t id = s->runId();
        drive(*s, cold, [&](const StepEvent& e) {
            if (e.step >= 7) {
                s->stop();
            }
        });
        for (const auto& e : cold.launch) {
            QVERIFY2(e.done >= 0 && e.done <= e.total, e.stage.c_str());
        }
        const PrepareEvent* trained = last(cold.launch, "train tokenizer");
        const PrepareEvent* tokenised = last(cold.launch, "tokenise licenses");
        QVERIFY2(trained && tokenised, "launch reported no training or tokenising");
        QCOMPARE(trained->done, trained->total);  // each stage ends complete
        QCOMPARE(tokenised->done, tokenised->total);
        QVERIFY(tokenised->total > 0);
        QCOMPARE(count(cold.launch, "tokenise licenses", 0), 1);  // built once, not once per use
        QVERIFY2(cold.run.empty(), "the run built its data again");
        s.reset();

        Seen resumed;
        auto r = RunSession::resume(db, id);
        QVERIFY(r->startStep() >= 5);
        drive(*r, resumed, {});
        QVERIFY(!resumed.preparedAfterStep);
        const PrepareEvent* cached = last(resumed.run, "cached licenses");
        QVERIFY2(cached, "a resumed run does not say it read its data from the cache");
        QCOMPARE(cached->total, tokenised->total);                   // the same documents
        QVERIFY(last(resumed.run, "tokenise licenses") == nullptr);  // nothing tokenised again
    }

    void valBpbDividesByDecodedBytes() {
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string text = toml(m_corpus->path("*.txt"), 500, 10, 5);
        const auto id = test::runToml(db, text);
        const ExperimentSpec spec = parseExperiment(text, "<test>");
        const Dataset ds(spec);
        const int B = spec.data.batchSize, V = spec.data.valBatches, ctx = spec.model.context;
        // The bytes the targets stand for, from SentencePiece's own decode of each window's targets
        // (the end-of-document token is written as one byte by Dataset::decode).
        std::int64_t bytes = 0;
        for (int k = 0; k < B * V; ++k) {
            const auto w = window(ds, kValidationBit | static_cast<std::uint64_t>(k));
            bytes += static_cast<std::int64_t>(ds.decode(w.data() + 1, ctx).size());
        }
        QVERIFY2(bytes > 3 * B * V * ctx / 2,  // subwords: several bytes a token
                 qPrintable(QString("%1 bytes for %2 tokens").arg(bytes).arg(B * V * ctx)));
        const auto loss = test::storedMetric(db, id, "val_loss.licenses");
        const auto bpb = test::storedMetric(db, id, "val_bpb.licenses");
        QVERIFY(!loss.empty() && loss.size() == bpb.size());
        for (size_t i = 0; i < loss.size(); ++i) {
            const double expected = loss[i] * B * V * ctx / (static_cast<double>(bytes) * std::log(2.0));
            QVERIFY2(
                std::abs(bpb[i] - expected) <= 1e-6 * expected,
                qPrintable(
                    QString("stored %1, expected %2").arg(bpb[i], 0, 'g', 17).arg(expected, 0, 'g', 17)));
        }
    }

private:
    std::unique_ptr<test::TempDir> m_cache;
    std::unique_ptr<test::TempDir> m_corpus;
};

QTEST_APPLESS_MAIN(TestTokenCache)
#include "test_token_cache.moc"
