// SPDX-License-Identifier: GPL-3.0-or-later
// Real-data sources (text:, jsonl:, tokens:) against files other programs wrote: gzip, dictzip and
// zstd files from the system tools, nanoGPT and llm.c shards from numpy (tests/tools/
// write_token_shards.py, run by /usr/bin/python3 here), documents counted by Python. Bad input
// of every kind names the file and the line or byte offset; windows regenerate from their ids;
// training and validation documents are disjoint; a text run is deterministic and resumes bit for
// bit; val_bpb equals the summed loss over the bytes; and a short run on real text learns.
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "anneal/config.h"
#include "anneal/data_source.h"
#include "anneal/dataset.h"
#include "anneal/error.h"
#include "anneal/run_session.h"
#include "anneal/store.h"
#include "data_files.h"
#include "process.h"
#include "run_helpers.h"
#include "temp_paths.h"

using namespace anneal;
using test::dataSpec;
using test::readAll;
using test::sourceError;
using test::writeFile;

namespace {

const std::string kGpl = test::dataFile("text/gpl-3.txt");
const std::string kLgpl = test::dataFile("text/lgpl-3.txt");

void run(const QString& program, const QStringList& args) {
    const auto r = test::runProcess(program, args);
    QVERIFY2(r.exitCode == 0, qPrintable(program + " failed: " + r.err));
}

/// Writes a shard with tests/tools/write_token_shards.py (numpy), t[i] = (a i + b) mod 256.
void writeShard(const QString& format, const std::string& path, int count, int a, int b,
                const QStringList& extra = {}) {
    const auto r = test::runTestTool(QStringLiteral("write_token_shards.py"),
                                     QStringList{format, QString::fromStdString(path), QString::number(count),
                                                 QString::number(a), QString::number(b)} +
                                         extra);
    QVERIFY2(r.exitCode == 0, qPrintable("write_token_shards.py failed: " + r.err));
}

DomainSpec domain(const std::string& source, SourceParams params = {}) {
    DomainSpec d;
    d.name = "text";
    d.source = source;
    d.params = std::move(params);
    return d;
}

/// Documents of a file split at blank lines, as Python's str.split on lines computes them.
std::vector<std::string> pythonParagraphs(const std::string& path) {
    const auto r = test::runProcess(
        QStringLiteral("/usr/bin/python3"),
        {QStringLiteral("-c"),
         QStringLiteral("import sys, json\n"
                        "text = open(sys.argv[1], encoding='utf-8', newline='').read()\n"
                        "parts = text.split('\\n')\n"
                        "lines = [p + '\\n' for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])\n"
                        "docs, cur = [], ''\n"
                        "for line in lines:\n"
                        "    body = line[:-1] if line.endswith('\\n') else line\n"
                        "    if body.endswith('\\r'): body = body[:-1]\n"
                        "    if body == '':\n"
                        "        if cur: docs.append(cur)\n"
                        "        cur = ''\n"
                        "    else: cur += line\n"
                        "if cur: docs.append(cur)\n"
                        "print(json.dumps(docs))\n"),
         QString::fromStdString(path)});
    std::vector<std::string> out;
    const QJsonDocument j = QJsonDocument::fromJson(r.out.toUtf8());
    for (const auto& v : j.array()) {
        out.push_back(v.toString().toStdString());
    }
    return out;
}

/// The validation stream of a domain, rebuilt from its validation windows: they tile it with
/// stride `context`, so their first `context` tokens, in order, are the stream.
std::string validationStream(const Dataset& ds, int domain) {
    const CorpusStats* c = ds.source(domain).corpus();
    const int ctx = ds.sampleLength() - 1;
    std::string out;
    std::vector<std::uint8_t> w(static_cast<size_t>(ds.sampleLength()));
    for (std::uint64_t j = 0; static_cast<std::int64_t>(out.size()) < c->valTokens; ++j) {
        ds.fill(makeSampleId(domain, kValidationBit | j), w.data());
        out.append(reinterpret_cast<const char*>(w.data()), static_cast<size_t>(ctx));
    }
    out.resize(static_cast<size_t>(c->valTokens));
    return out;
}

std::vector<std::string> splitAtEod(const std::string& stream) {
    std::vector<std::string> docs;
    std::string cur;
    for (char ch : stream) {
        if (static_cast<std::uint8_t>(ch) == kEndOfDocumentByte) {
            docs.push_back(cur);
            cur.clear();
        } else {
            cur += ch;
        }
    }
    return docs;
}

std::string textToml(const std::string& glob, int steps, unsigned seed, const std::string& extra = {}) {
    return "name = \"real\"\nseed = " + std::to_string(seed) +
           "\ndevice = \"cpu\"\n"
           "[model]\nn_layer = 1\nd_model = 32\nn_head = 2\ncontext = 32\n"
           "[data]\nbatch_size = 8\nval_every = 10\nval_batches = 2\n"
           "[[data.domain]]\nname = \"licenses\"\nsource = \"text:" +
           glob + "\"\n" + extra +
           "[data.domain.params]\nseparator = \"\"\n"
           "[[data.domain]]\nname = \"markov\"\nsource = \"synthetic:markov\"\nweight = 0.5\n"
           "[data.domain.params]\norder = 1\nalphabet = 8\nentropy = 1.0\n"
           "[train]\nsteps = " +
           std::to_string(steps) +
           "\nlr = 0.01\nthreads = 1\n[schedule]\nkind = \"cosine\"\nwarmup_steps = 2\n[log]\nevery = 1\n";
}

}  // namespace

class TestRealData : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        qputenv("OPENBLAS_NUM_THREADS", "1");
        QVERIFY2(std::filesystem::file_size(kGpl) > 30000, "tests/data/text/gpl-3.txt is missing");
    }

    // --- readers -----------------------------------------------------------------------------

    void textDocumentsMatchPython() {
        const auto expected = pythonParagraphs(kGpl);
        QVERIFY(expected.size() > 100);
        const Dataset ds(dataSpec(domain("text:" + kGpl, {{"separator", std::string("")}})));
        const CorpusStats* c = ds.source(0).corpus();
        QVERIFY(c);
        QCOMPARE(c->files, std::vector<std::string>{kGpl});
        QCOMPARE(c->documents, static_cast<std::int64_t>(expected.size()));
        std::int64_t docBytes = 0;
        for (const auto& d : expected) {
            docBytes += static_cast<std::int64_t>(d.size());
        }
        // Tokens: every document's bytes plus one end-of-document token.
        QCOMPARE(c->tokens, docBytes + c->documents);
        QCOMPARE(c->trainDocuments + c->valDocuments, c->documents);
        QCOMPARE(c->trainTokens + c->valTokens, c->tokens);
        QCOMPARE(c->bytes, static_cast<std::int64_t>(std::filesystem::file_size(kGpl)));
        // Every held-out document is one of Python's, whole.
        const std::set<std::string> all(expected.begin(), expected.end());
        const auto val = splitAtEod(validationStream(ds, 0));
        QCOMPARE(static_cast<std::int64_t>(val.size()), c->valDocuments);
        for (const auto& d : val) {
            QVERIFY2(all.count(d), d.c_str());
        }
        QVERIFY(std::isnan(ds.source(0).entropyRate()));
        QVERIFY(std::isnan(ds.entropyFloors()[0]));
    }

    void fortuneSeparator() {
        test::TempDir dir;
        writeFile(dir.path("f"), "one\n%\ntwo\nlines\n%\n%\nthree\r\n%\r\nfour");
        const Dataset ds(dataSpec(domain("text:" + dir.path("f"), {{"separator", std::string("%")}}), 8));
        const CorpusStats* c = ds.source(0).corpus();
        QCOMPARE(c->documents, std::int64_t{4});  // the empty document between two '%' lines is dropped
        QCOMPARE(c->tokens, std::int64_t{4 + 10 + 7 + 4} + 4);
    }

    void compressedFilesReadLikePlainOnes_data() {
        QTest::addColumn<QString>("tool");
        QTest::newRow("gzip") << "gzip";
        QTest::newRow("dictzip") << "dictzip";
        QTest::newRow("zstd") << "zstd";
        QTest::newRow("two gzip members") << "gzip2";
    }
    void compressedFilesReadLikePlainOnes() {
        QFETCH(QString, tool);
        test::TempDir dir;
        const std::string plain = dir.path("plain/gpl.txt");
        std::filesystem::create_directories(dir.path("plain"));
        std::filesystem::create_directories(dir.path("z"));
        std::filesystem::copy_file(kGpl, plain);
        const std::string z = dir.path("z/gpl.txt");
        std::filesystem::copy_file(kGpl, z);
        const QString qz = QString::fromStdString(z);
        if (tool == "gzip") {
            run("/usr/bin/gzip", {qz});
        } else if (tool == "dictzip") {
            run("/usr/bin/dictzip", {qz});
        } else if (tool == "zstd") {
            run("/usr/bin/zstd", {"-q", "--rm", qz});
        } else {
            // Two gzip members back to back (what `cat a.gz b.gz` makes) read as the concatenation.
            const std::string text = readAll(kGpl);
            const size_t half = text.size() / 2;
            writeFile(z + ".a", text.substr(0, half));
            writeFile(z + ".b", text.substr(half));
            run("/usr/bin/gzip", {qz + ".a", qz + ".b"});
            writeFile(z + ".gz", readAll(z + ".a.gz") + readAll(z + ".b.gz"));
            std::filesystem::remove(z + ".a.gz");
            std::filesystem::remove(z + ".b.gz");
            std::filesystem::remove(z);
        }
        const SourceParams params{{"separator", std::string("")}, {"seed", std::int64_t{7}}};
        const Dataset a(dataSpec(domain("text:" + dir.path("plain/*"), params)));
        const Dataset b(dataSpec(domain("text:" + dir.path("z/*"), params)));
        const CorpusStats* ca = a.source(0).corpus();
        const CorpusStats* cb = b.source(0).corpus();
        QCOMPARE(cb->files.size(), size_t{1});
        QVERIFY(cb->files[0] != z);  // the compressed file (.gz, .dz, .zst), not the removed plain one
        QCOMPARE(cb->documents, ca->documents);
        QCOMPARE(cb->bytes, ca->bytes);
        QCOMPARE(cb->valDocuments, ca->valDocuments);
        std::vector<std::uint8_t> wa(65), wb(65);
        for (std::uint64_t i = 0; i < 50; ++i) {
            for (std::uint64_t idx : {i, kValidationBit | i}) {
                a.fill(makeSampleId(0, idx), wa.data());
                b.fill(makeSampleId(0, idx), wb.data());
                QVERIFY(wa == wb);
            }
        }
    }

    void jsonlField() {
        test::TempDir dir;
        writeFile(dir.path("a.jsonl"),
                  "{\"text\": \"alpha\", \"body\": \"A\"}\n\n{\"text\": \"b\\u00e9ta\", \"body\": \"B\"}\n");
        writeFile(dir.path("b.jsonl"), "{\"text\": \"gamma\", \"body\": \"C\"}");
        run("/usr/bin/gzip", {dir.qpath("b.jsonl")});
        const Dataset ds(dataSpec(domain("jsonl:" + dir.path("*.jsonl*")), 8));
        const CorpusStats* c = ds.source(0).corpus();
        QCOMPARE(c->files.size(), size_t{2});
        QCOMPARE(c->documents, std::int64_t{3});
        QCOMPARE(c->bytes, std::int64_t{5 + 5 + 5});  // "béta" is 5 UTF-8 bytes
        const Dataset body(
            dataSpec(domain("jsonl:" + dir.path("*.jsonl*"), {{"field", std::string("body")}}), 8));
        QCOMPARE(body.source(0).corpus()->bytes, std::int64_t{3});
    }

    void tokenShardsMatchNumpy_data() {
        QTest::addColumn<QString>("format");
        QTest::newRow("nanoGPT uint16") << "nanogpt";
        QTest::newRow("llm.c uint16") << "llmc16";
        QTest::newRow("llm.c uint32") << "llmc32";
    }
    void tokenShardsMatchNumpy() {
        QFETCH(QString, format);
        test::TempDir dir;
        // Two shards of 1024 tokens, one chunk each: one is held out, the other trained on.
        // t[i] = (7 i + 3) mod 256 and (13 i + 5) mod 256 have period 256, so cyclic reads keep them.
        writeShard(format, dir.path("a.bin"), 1024, 7, 3);
        writeShard(format, dir.path("b.bin"), 1024, 13, 5);
        const Dataset ds(
            dataSpec(domain("tokens:" + dir.path("*.bin"), {{"chunk", std::int64_t{1024}}}), 32));
        const CorpusStats* c = ds.source(0).corpus();
        QCOMPARE(c->tokens, std::int64_t{2048});
        QCOMPARE(c->valDocuments, std::int64_t{1});
        QCOMPARE(c->trainDocuments, std::int64_t{1});
        std::vector<std::uint8_t> w(33);
        ds.fill(makeSampleId(0, kValidationBit | 0), w.data());
        const int valA = w[0] == 3 ? 7 : 13;  // which shard is held out
        QCOMPARE(int(w[0]), valA == 7 ? 3 : 5);
        for (std::uint64_t j = 0; j < 40; ++j) {
            ds.fill(makeSampleId(0, kValidationBit | j), w.data());
            for (int k = 0; k < 33; ++k) {
                const std::uint64_t i = (j * 32 + static_cast<std::uint64_t>(k)) % 1024;
                QCOMPARE(int(w[static_cast<size_t>(k)]), int((valA * i + (valA == 7 ? 3 : 5)) % 256));
            }
        }
        const int trainA = valA == 7 ? 13 : 7;
        for (std::uint64_t i = 0; i < 200; ++i) {
            ds.fill(makeSampleId(0, i), w.data());
            for (int k = 1; k < 33; ++k) {
                QCOMPARE((256 + w[static_cast<size_t>(k)] - w[static_cast<size_t>(k - 1)]) % 256, trainA);
            }
        }
    }

    // A shard that another program truncates while a run holds it open: the next window that
    // falls past the new end is an Io error naming the file and byte offset, not a SIGBUS from a
    // read through the mapping.
    void shardTruncatedWhileOpenIsAnError() {
        test::TempDir dir;
        writeShard("nanogpt", dir.path("a.bin"), 1024, 7, 3);
        writeShard("nanogpt", dir.path("b.bin"), 1024, 13, 5);
        const Dataset ds(
            dataSpec(domain("tokens:" + dir.path("*.bin"), {{"chunk", std::int64_t{1024}}}), 32));
        std::vector<std::uint8_t> w(33);
        ds.fill(makeSampleId(0, 0), w.data());  // reads before the truncation work
        std::filesystem::resize_file(dir.path("a.bin"), 64);
        std::filesystem::resize_file(dir.path("b.bin"), 64);
        std::string msg;
        try {
            for (std::uint64_t i = 0; i < 200 && msg.empty(); ++i) {
                ds.fill(makeSampleId(0, i), w.data());
                ds.fill(makeSampleId(0, kValidationBit | i), w.data());
            }
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::Io);
            msg = e.what();
        }
        QVERIFY2(msg.find(".bin\" at byte offset ") != std::string::npos, msg.c_str());
        QVERIFY2(msg.find("truncated") != std::string::npos, msg.c_str());
    }

    // --- bad input ---------------------------------------------------------------------------

    void badInputNamesFileAndPlace_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("expected");  // substrings of the message
        QTest::newRow("missing file")
            << "missing" << QStringList{"data.domain[0].source", "no file matches", "nope.txt"};
        QTest::newRow("empty glob") << "empty-glob" << QStringList{"no file matches", "*.none"};
        QTest::newRow("invalid UTF-8")
            << "utf8" << QStringList{"bad.txt", "invalid UTF-8 at byte offset 6", "0xC3", "invalid_utf8"};
        QTest::newRow("invalid UTF-8 in gzip") << "utf8-gz" << QStringList{"bad.txt.gz", "byte offset 6"};
        QTest::newRow("corrupt gzip") << "corrupt-gz" << QStringList{"c.txt.gz", "cannot read"};
        QTest::newRow("JSON without the field")
            << "json-field" << QStringList{"x.jsonl", "line 3", "no field \"text\""};
        QTest::newRow("not JSON") << "json-syntax" << QStringList{"x.jsonl", "line 2", "not valid JSON"};
        QTest::newRow("field not a string")
            << "json-type" << QStringList{"x.jsonl", "line 1", "not a string"};
        QTest::newRow("truncated llm.c shard")
            << "truncated"
            << QStringList{"t.bin", "says 100 tokens", "byte offset 1224", "1200 bytes", "truncated"};
        QTest::newRow("llm.c count too small")
            << "trailing" << QStringList{"t.bin", "says 50 tokens", "trailing bytes"};
        QTest::newRow("wrong magic") << "magic" << QStringList{"t.bin", "wrong magic 12345", "byte offset 0"};
        QTest::newRow("short llm.c header") << "short-header" << QStringList{"t.bin", "1024"};
        QTest::newRow("token id >= 256 (nanoGPT)")
            << "id-nanogpt" << QStringList{"t.bin", "token id 300", "byte offset 10", "0..255"};
        QTest::newRow("token id >= 256 (llm.c uint32)")
            << "id-llmc" << QStringList{"t.bin", "token id 70000", "byte offset 1036"};
        QTest::newRow("odd nanoGPT size") << "odd" << QStringList{"t.bin", "odd size", "byte offset 20"};
        QTest::newRow("one document") << "one-doc" << QStringList{"one.txt", "at least two", "separator"};
    }
    void badInputNamesFileAndPlace() {
        QFETCH(QString, kind);
        QFETCH(QStringList, expected);
        test::TempDir dir;
        const std::string k = kind.toStdString();
        DomainSpec d;
        if (k == "missing") {
            d = domain("text:" + dir.path("nope.txt"));
        } else if (k == "empty-glob") {
            d = domain("text:" + dir.path("*.none"));
        } else if (k == "utf8" || k == "utf8-gz") {
            writeFile(dir.path("bad.txt"), "hello \xC3\x28 world\n");
            writeFile(dir.path("good.txt"), "fine\n");
            if (k == "utf8-gz") {
                run("/usr/bin/gzip", {dir.qpath("bad.txt")});
            }
            d = domain("text:" + dir.path("*"));
        } else if (k == "corrupt-gz") {
            writeFile(dir.path("c.txt"), readAll(kGpl));
            run("/usr/bin/gzip", {dir.qpath("c.txt")});
            std::string gz = readAll(dir.path("c.txt.gz"));
            writeFile(dir.path("c.txt.gz"), gz.substr(0, gz.size() / 2));
            d = domain("text:" + dir.path("c.txt.gz"));
        } else if (k.rfind("json", 0) == 0) {
            const std::string line3 = k == "json-field" ? "{\"body\": \"x\"}\n" : "{\"text\": \"c\"}\n";
            const std::string line2 = k == "json-syntax" ? "{\"text\": \"b\",\n" : "{\"text\": \"b\"}\n";
            const std::string line1 = k == "json-type" ? "{\"text\": 5}\n" : "{\"text\": \"a\"}\n";
            writeFile(dir.path("x.jsonl"), line1 + line2 + line3);
            d = domain("jsonl:" + dir.path("x.jsonl"));
        } else if (k == "truncated") {
            writeShard("llmc16", dir.path("t.bin"), 100, 1, 0, {"--truncate", "24"});
            d = domain("tokens:" + dir.path("t.bin"));
        } else if (k == "trailing") {
            writeShard("llmc16", dir.path("t.bin"), 100, 1, 0, {"--header-count", "50"});
            d = domain("tokens:" + dir.path("t.bin"));
        } else if (k == "magic") {
            writeShard("llmc16", dir.path("t.bin"), 100, 1, 0, {"--magic", "12345"});
            d = domain("tokens:" + dir.path("t.bin"), {{"format", std::string("llmc")}});
        } else if (k == "short-header") {
            writeShard("nanogpt", dir.path("t.bin"), 100, 1, 0);
            d = domain("tokens:" + dir.path("t.bin"), {{"format", std::string("llmc")}});
        } else if (k == "id-nanogpt") {
            writeShard("nanogpt", dir.path("t.bin"), 100, 1, 0, {"--set-id", "5", "300"});
            d = domain("tokens:" + dir.path("t.bin"));
        } else if (k == "id-llmc") {
            writeShard("llmc32", dir.path("t.bin"), 100, 1, 0, {"--set-id", "3", "70000"});
            d = domain("tokens:" + dir.path("t.bin"));
        } else if (k == "odd") {
            writeShard("nanogpt", dir.path("t.bin"), 10, 1, 0);
            writeFile(dir.path("t.bin"), readAll(dir.path("t.bin")) + std::string(1, '\x01'));
            d = domain("tokens:" + dir.path("t.bin"));
        } else if (k == "one-doc") {
            writeFile(dir.path("one.txt"), "a single document\n");
            d = domain("text:" + dir.path("one.txt"));
        }
        const std::string msg = sourceError(d);
        QVERIFY2(!msg.empty(), "no error");
        for (const QString& e : expected) {
            QVERIFY2(msg.find(e.toStdString()) != std::string::npos,
                     qPrintable("'" + e + "' not in: " + QString::fromStdString(msg)));
        }
    }

    void replaceKeyReplacesInvalidUtf8() {
        test::TempDir dir;
        writeFile(dir.path("bad.txt"), "hello \xC3\x28 world\n");
        writeFile(dir.path("good.txt"), "fine\n");
        const Dataset ds(
            dataSpec(domain("text:" + dir.path("*"), {{"invalid_utf8", std::string("replace")}}), 8));
        // "hello " + U+FFFD (3 bytes) + "( world\n": the 0xC3 that starts no valid sequence is replaced.
        QCOMPARE(ds.source(0).corpus()->bytes, std::int64_t{6 + 3 + 8 + 5});
    }

    void badKeysListAllowedOnes_data() {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");  // TOML literal
        QTest::addColumn<QString>("expected");
        const QString text = "text:" + QString::fromStdString(kGpl);
        QTest::newRow("text: unknown key") << text << "sep"
                                           << "\"%\""
                                           << "invalid_utf8 | noise_rate | seed | separator | val_fraction";
        QTest::newRow("text: invalid_utf8") << text << "invalid_utf8"
                                            << "\"drop\""
                                            << "error | replace";
        QTest::newRow("text: separator of two lines") << text << "separator"
                                                      << "\"a\\nb\""
                                                      << "one line";
        QTest::newRow("text: separator not a string") << text << "separator"
                                                      << "3"
                                                      << "expected a string";
        QTest::newRow("text: val_fraction 0") << text << "val_fraction"
                                              << "0"
                                              << "a number in (0, 0.9]";
        QTest::newRow("text: val_fraction 1") << text << "val_fraction"
                                              << "1.0"
                                              << "a number in (0, 0.9]";
        const QString jsonl = "jsonl:" + QString::fromStdString(kGpl);
        QTest::newRow("jsonl: unknown key") << jsonl << "separator"
                                            << "\"\""
                                            << "field | noise_rate | seed | val_fraction";
        QTest::newRow("jsonl: empty field") << jsonl << "field"
                                            << "\"\""
                                            << "params.field";
        const QString tokens = "tokens:" + QString::fromStdString(kGpl);
        QTest::newRow("tokens: unknown key") << tokens << "dtype"
                                             << "\"uint16\""
                                             << "chunk | format | noise_rate | seed | val_fraction";
        QTest::newRow("tokens: format") << tokens << "format"
                                        << "\"fairseq\""
                                        << "auto | nanogpt | llmc | megatron";
        QTest::newRow("tokens: chunk") << tokens << "chunk"
                                       << "1"
                                       << "an integer from 16";
        QTest::newRow("no argument") << "text:"
                                     << "seed"
                                     << "1"
                                     << "names no file";
        QTest::newRow("unknown prefix") << "txt:/x"
                                        << "seed"
                                        << "1"
                                        << "text:<glob>";
    }
    void badKeysListAllowedOnes() {
        QFETCH(QString, source);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        // Through the experiment parser: the error is an InvalidConfig naming the key path.
        const std::string toml = "[model]\ncontext = 16\n[[data.domain]]\nname = \"t\"\nsource = \"" +
                                 source.toStdString() + "\"\n[data.domain.params]\n" + key.toStdString() +
                                 " = " + value.toStdString() + "\n";
        try {
            parseExperiment(toml, "<test>");
            QFAIL("parsed");
        } catch (const Error& e) {
            QCOMPARE(e.code(), ErrorCode::InvalidConfig);
            QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("data.domain[0]") != std::string::npos, e.what());
        }
    }

    void badFileStoresNothing() {
        test::TempDir dir;
        writeFile(dir.path("a.txt"), "fine\n\nalso fine\n");
        writeFile(dir.path("b.txt"), "broken \xFF here\n");
        const std::string db = dir.path("r.db");
        LaunchRequest req;
        req.dbPath = db;
        req.specText = textToml(dir.path("*.txt"), 5, 1);
        req.origin = "<test>";
        try {
            RunSession::launch(req);
            QFAIL("launched");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("b.txt") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("byte offset 7") != std::string::npos, e.what());
        }
        if (std::filesystem::exists(db)) {
            QCOMPARE(Store::open(db)->listRuns().size(), size_t{0});
        }
    }

    // --- windows, split, noise ------------------------------------------------------------------

    void windowsRegenerateFromTheirIds() {
        const DomainSpec d = domain("text:" + kGpl, {{"separator", std::string("")}});
        const Dataset a(dataSpec(d));
        const Dataset b(dataSpec(d));
        std::vector<std::uint8_t> w1(65), w2(65), w3(65);
        std::set<std::vector<std::uint8_t>> distinct;
        for (std::uint64_t i = 0; i < 500; ++i) {
            const std::uint64_t id = makeSampleId(0, i * 7919);
            a.fill(id, w1.data());
            a.fill(id, w2.data());
            b.fill(id, w3.data());
            QVERIFY(w1 == w2);
            QVERIFY(w1 == w3);
            distinct.insert(w1);
        }
        QVERIFY(distinct.size() > 490);  // random offsets: hardly any repeats
        // A different source seed moves the training windows; the validation windows stay.
        DomainSpec other = d;
        other.params["seed"] = std::int64_t{99};
        const Dataset c(dataSpec(other));
        a.fill(makeSampleId(0, 1), w1.data());
        c.fill(makeSampleId(0, 1), w2.data());
        QVERIFY(w1 != w2);
        a.fill(makeSampleId(0, kValidationBit | 3), w1.data());
        c.fill(makeSampleId(0, kValidationBit | 3), w2.data());
        QVERIFY(w1 == w2);
    }

    void trainingNeverSeesValidationDocuments() {
        // Windows of 1025 bytes hold several whole paragraphs (documents) between end-of-document
        // tokens; none of them may be a held-out document, and held-out ones must be whole documents.
        const std::string glob = test::dataFile("text/*.txt");
        const Dataset ds(
            dataSpec(domain("text:" + glob, {{"separator", std::string("")}, {"val_fraction", 0.2}}), 1024));
        const CorpusStats* c = ds.source(0).corpus();
        QVERIFY(c->valDocuments > 20);
        const auto valDocs = splitAtEod(validationStream(ds, 0));
        const std::set<std::string> val(valDocs.begin(), valDocs.end());
        std::vector<std::uint8_t> w(1025);
        int whole = 0;
        for (std::uint64_t i = 0; i < 3000; ++i) {
            ds.fill(makeSampleId(0, i), w.data());
            const std::string s(w.begin(), w.end());
            size_t from = s.find(static_cast<char>(kEndOfDocumentByte));
            while (from != std::string::npos) {
                const size_t to = s.find(static_cast<char>(kEndOfDocumentByte), from + 1);
                if (to == std::string::npos) {
                    break;
                }
                const std::string doc = s.substr(from + 1, to - from - 1);
                QVERIFY2(!val.count(doc), doc.c_str());
                ++whole;
                from = to;
            }
        }
        QVERIFY(whole > 3000);
        // And the held-out documents are the ones whose hash says so: about val_fraction of them.
        QVERIFY(std::abs(static_cast<double>(c->valDocuments) / static_cast<double>(c->documents) - 0.2) <
                0.06);
    }

    void noiseRateWorksOnText() {
        DomainSpec d = domain("text:" + kGpl, {{"separator", std::string("")}});
        const Dataset clean(dataSpec(d));
        d.noiseRate = 0.3;
        const Dataset noisy(dataSpec(d));
        std::vector<std::uint8_t> a(65), b(65);
        int n = 0;
        for (std::uint64_t i = 0; i < 4000; ++i) {
            const std::uint64_t id = makeSampleId(0, i);
            clean.fill(id, a.data());
            noisy.fill(id, b.data());
            QVERIFY(std::equal(a.begin(), a.begin() + 32, b.begin()));  // the prompt half is kept
            if (noisy.isNoisy(id)) {
                ++n;
                QVERIFY(a != b);
            } else {
                QVERIFY(a == b);
            }
        }
        QVERIFY(std::abs(n / 4000.0 - 0.3) < 0.03);
        QVERIFY(!noisy.isNoisy(makeSampleId(0, kValidationBit | 1)));
    }

    // --- runs ---------------------------------------------------------------------------------

    void textRunIsDeterministicAndResumesBitExact() {
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string glob = test::dataFile("text/*.txt");
        const std::vector<Override> ckpt = {"log.checkpoint_every=10", "log.keep_checkpoints=10"};
        const auto full = test::runToml(db, textToml(glob, 40, 3), ckpt);
        const auto again = test::runToml(db, textToml(glob, 40, 3), ckpt);
        const auto other = test::runToml(db, textToml(glob, 40, 4), ckpt);
        const auto expected = test::storedMetric(db, full, "train_loss");
        QCOMPARE(expected.size(), size_t{40});
        QVERIFY(test::bitIdentical(test::storedMetric(db, again, "train_loss"), expected));
        QVERIFY(!test::bitIdentical(test::storedMetric(db, other, "train_loss"), expected));

        LaunchRequest req;
        req.dbPath = db;
        req.specText = textToml(glob, 40, 3) + "checkpoint_every = 10\nkeep_checkpoints = 10\n";
        req.origin = "<test>";
        auto s = RunSession::launch(req);
        const std::int64_t id = s->runId();
        bool stopped = false;
        test::driveSession(*s, [&](const StepEvent& e) {
            if (e.step >= 24 && !stopped) {
                s->stop();
                stopped = true;
            }
        });
        s.reset();
        {
            auto store = Store::open(db);
            QCOMPARE(store->run(id).status, RunStatus::Stopped);
        }
        auto resumed = RunSession::resume(db, id);
        QVERIFY(resumed->startStep() >= 20);
        test::driveSession(*resumed);
        QVERIFY2(test::bitIdentical(test::storedMetric(db, id, "train_loss"), expected),
                 "resumed text run differs from the uninterrupted one");
        QVERIFY(test::bitIdentical(test::storedMetric(db, id, "val_bpb.licenses"),
                                   test::storedMetric(db, full, "val_bpb.licenses")));
    }

    void valBpbIsSummedLossOverBytes() {
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string glob = test::dataFile("text/*.txt");
        const auto id = test::runToml(db, textToml(glob, 20, 5));
        const ExperimentSpec spec = parseExperiment(textToml(glob, 20, 5), "<test>");
        const Dataset ds(spec);
        const int B = spec.data.batchSize, V = spec.data.valBatches, ctx = spec.model.context;
        for (int d = 0; d < 2; ++d) {
            const std::string name = spec.data.domains[static_cast<size_t>(d)].name;
            const auto loss = test::storedMetric(db, id, "val_loss." + name);
            const auto bpb = test::storedMetric(db, id, "val_bpb." + name);
            QCOMPARE(bpb.size(), loss.size());
            QVERIFY(loss.size() >= 2);
            // The bytes the validation targets stand for, counted here from the windows themselves:
            // with byte tokens, every target position is one byte (the end-of-document byte too).
            std::int64_t bytes = 0;
            std::vector<std::uint8_t> w(static_cast<size_t>(ctx + 1));
            for (int k = 0; k < B * V; ++k) {
                ds.fill(makeSampleId(d, kValidationBit | static_cast<std::uint64_t>(k)), w.data());
                bytes += static_cast<std::int64_t>(w.size()) - 1;
            }
            for (size_t i = 0; i < loss.size(); ++i) {
                // val_loss is the mean per-token loss over B·V windows of ctx targets: summed nats =
                // val_loss · B · V · ctx.
                const double summedNats = loss[i] * B * V * ctx;
                const double expected = summedNats / (static_cast<double>(bytes) * std::log(2.0));
                QVERIFY2(std::abs(bpb[i] - expected) <= 1e-6 * expected,
                         qPrintable(QString("%1: stored %2, expected %3")
                                        .arg(QString::fromStdString(name))
                                        .arg(bpb[i], 0, 'g', 17)
                                        .arg(expected, 0, 'g', 17)));
            }
        }
    }

    void shortTextRunLearns() {
        // A 300-step run on the two licences: its final validation loss must be clearly below the
        // unigram entropy of the held-out text (what a model that ignores context can reach),
        // computed here from the validation windows' bytes.
        test::TempDir dir;
        const std::string db = dir.path("r.db");
        const std::string toml =
            "name = \"learn\"\nseed = 1\ndevice = \"cpu\"\n"
            "[model]\nn_layer = 2\nd_model = 64\nn_head = 4\ncontext = 64\n"
            "[data]\nbatch_size = 16\nval_every = 100\nval_batches = 4\n"
            "[[data.domain]]\nname = \"licenses\"\nsource = \"text:" +
            test::dataFile("text/*.txt") +
            "\"\n"
            "[data.domain.params]\nseparator = \"\"\nval_fraction = 0.1\n"
            "[train]\nsteps = 300\nlr = 0.003\nthreads = 1\n[schedule]\nkind = \"cosine\"\nwarmup_steps = "
            "20\n";
        const auto id = test::runToml(db, toml);
        const ExperimentSpec spec = parseExperiment(toml, "<test>");
        const Dataset ds(spec);
        std::map<int, double> counts;
        double n = 0;
        std::vector<std::uint8_t> w(65);
        for (std::uint64_t k = 0; k < 64; ++k) {
            ds.fill(makeSampleId(0, kValidationBit | k), w.data());
            for (size_t t = 1; t < w.size(); ++t) {
                counts[w[t]] += 1;
                n += 1;
            }
        }
        double unigram = 0;
        for (const auto& [b, c] : counts) {
            unigram -= c / n * std::log(c / n);
        }
        const auto val = test::storedMetric(db, id, "val_loss.licenses");
        QVERIFY(!val.empty());
        qInfo(
            "final val_loss %.4f nats/token, unigram entropy of the validation text %.4f nats (val_bpb %.4f)",
            val.back(), unigram, test::storedMetric(db, id, "val_bpb.licenses").back());
        QVERIFY2(val.back() < unigram - 0.3,
                 qPrintable(QString("val_loss %1, unigram %2").arg(val.back()).arg(unigram)));
    }

    // --- the CLI ------------------------------------------------------------------------------

    void dataInspectCli() {
        test::TempDir dir;
        const std::string spec = dir.path("e.toml");
        writeFile(spec, textToml(test::dataFile("text/*.txt"), 5, 1));
        const auto r =
            test::runCli({"data", "inspect", QString::fromStdString(spec), "--json", "--samples", "4"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray doms = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(doms.size(), 2);
        const QJsonObject t = doms[0].toObject();
        QCOMPARE(t["name"].toString(), QStringLiteral("licenses"));
        const auto gpl = pythonParagraphs(kGpl).size() + pythonParagraphs(kLgpl).size();
        QCOMPARE(t["documents"].toInteger(), static_cast<qint64>(gpl));
        QCOMPARE(t["files"].toArray().size(), 2);
        QCOMPARE(t["bytes"].toInteger(),
                 static_cast<qint64>(std::filesystem::file_size(kGpl) + std::filesystem::file_size(kLgpl)));
        QCOMPARE(t["train_documents"].toInteger() + t["validation_documents"].toInteger(),
                 t["documents"].toInteger());
        QCOMPARE(t["samples"].toArray().size(), 4);
        QVERIFY(t["entropy_rate"].isNull());
        // The text is the window, escaped: no raw newline or control byte reaches the terminal.
        const QString text = t["samples"].toArray()[0].toObject()["text"].toString();
        QVERIFY(!text.contains('\n'));
        QCOMPARE(t["samples"].toArray()[0].toObject()["tokens"].toArray().size(), 33);
        QVERIFY(!doms[1].toObject().contains("files"));  // synthetic: no files

        const auto plain = test::runCli({"data", "inspect", QString::fromStdString(spec), "--samples", "1"});
        QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
        QVERIFY(plain.out.contains("documents   " + QString::number(gpl)));
        QVERIFY(plain.out.contains("floor       unknown"));
        const auto check = test::runCli({"check", QString::fromStdString(spec)});
        QVERIFY(check.out.contains("floor   unknown"));

        writeFile(dir.path("bad.toml"), textToml(dir.path("none/*.txt"), 5, 1));
        const auto bad = test::runCli({"data", "inspect", dir.qpath("bad.toml")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("no file matches"));
    }

    void escapingForTheTerminal() {
        const std::string s = "a\nb\t\\\x01\xC3\xA9\xE2\x80\xAE\xC3";
        std::vector<std::uint8_t> b(s.begin(), s.end());
        b.push_back(kEndOfDocumentByte);
        QCOMPARE(escapeSampleText(b.data(), static_cast<int>(b.size()), true),
                 std::string("a\\nb\\t\\\\\\x01\xC3\xA9\\u{202E}\\xC3\u27E8eod\u27E9"));
        const std::string noEod = escapeSampleText(b.data(), static_cast<int>(b.size()), false);
        QCOMPARE(noEod.substr(noEod.size() - 4), std::string("\\xFF"));
    }
};

QTEST_APPLESS_MAIN(TestRealData)
#include "test_real_data.moc"
