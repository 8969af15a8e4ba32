// SPDX-License-Identifier: GPL-3.0-or-later
// tokens: with Megatron-LM indexed datasets (.bin + .idx, MMIDIDX): pairs written by
// tests/tools/write_megatron.py (struct + numpy, from the format's field list) are read back
// document for document and token for token, for each integer dtype; every corruption of the
// index or the data is refused with the file and the byte offset in the message.
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>
#include <fstream>
#include <set>

#include "anneal/data_source.h"
#include "anneal/dataset.h"
#include "anneal/error.h"
#include "data_files.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;
using test::dataSpec;
using test::sourceError;

namespace {

/// Writes PREFIX.bin/.idx/.json with tests/tools/write_megatron.py.
void writeMegatron(const std::string& prefix, int docs, int dtype, const QStringList& extra = {}) {
    const auto r = test::runTestTool(
        QStringLiteral("write_megatron.py"),
        QStringList{QString::fromStdString(prefix), QString::number(docs), QString::number(dtype)} + extra);
    QVERIFY2(r.exitCode == 0, qPrintable("write_megatron.py failed: " + r.err));
}

/// The documents the writer wrote, as byte strings.
std::vector<std::string> writtenDocuments(const std::string& prefix) {
    std::ifstream f(prefix + ".json");
    const std::string text{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
    std::vector<std::string> out;
    for (const auto& doc : QJsonDocument::fromJson(QByteArray::fromStdString(text)).array()) {
        std::string d;
        for (const auto& id : doc.toArray()) {
            d += static_cast<char>(id.toInt());
        }
        out.push_back(d);
    }
    return out;
}

DomainSpec megatron(const std::string& glob, SourceParams params = {}) {
    DomainSpec d;
    d.name = "mega";
    d.source = "tokens:" + glob;
    d.params = std::move(params);
    return d;
}

std::vector<std::string> splitAtEod(const std::string& stream) {
    std::vector<std::string> docs(1);
    for (char ch : stream) {
        if (static_cast<std::uint8_t>(ch) == kEndOfDocumentByte) {
            docs.emplace_back();
        } else {
            docs.back() += ch;
        }
    }
    return docs;
}

}  // namespace

class TestMegatron : public QObject {
    Q_OBJECT
private slots:
    void documentsMatchTheWriter_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("uint8") << 1;
        QTest::newRow("int32") << 4;
        QTest::newRow("int64") << 5;
        QTest::newRow("uint16") << 8;
    }
    void documentsMatchTheWriter() {
        QFETCH(int, dtype);
        test::TempDir dir;
        writeMegatron(dir.path("m"), 40, dtype);
        const std::vector<std::string> docs = writtenDocuments(dir.path("m"));
        QCOMPARE(docs.size(), size_t{40});
        // The glob matches the .idx and .json too: the .idx is read with its .bin, the .json is
        // left out by naming only .bin and .idx.
        const int ctx = 16;
        const Dataset ds(dataSpec(megatron(dir.path("m.[bi][id]*"), {{"val_fraction", 0.3}}), ctx));
        const CorpusStats* c = ds.source(0).corpus();
        QVERIFY(c);
        QCOMPARE(c->files.size(), size_t{1});
        QCOMPARE(c->documents, std::int64_t{40});
        std::int64_t bytes = 0;
        for (const auto& d : docs) {
            bytes += static_cast<std::int64_t>(d.size());
        }
        QCOMPARE(c->bytes, bytes);
        QCOMPARE(c->tokens, bytes + 40);  // one end-of-document token per document
        QCOMPARE(c->trainDocuments + c->valDocuments, std::int64_t{40});
        QVERIFY(c->valDocuments >= 1 && c->trainDocuments >= 1);

        // The validation stream, rebuilt from its tiling windows, is whole documents in file order.
        std::string val;
        std::vector<std::uint8_t> w(static_cast<size_t>(ctx + 1));
        for (std::uint64_t j = 0; static_cast<std::int64_t>(val.size()) < c->valTokens; ++j) {
            ds.fill(makeSampleId(0, kValidationBit | j), w.data());
            val.append(reinterpret_cast<const char*>(w.data()), static_cast<size_t>(ctx));
        }
        val.resize(static_cast<size_t>(c->valTokens));
        QCOMPARE(static_cast<std::uint8_t>(val.back()), kEndOfDocumentByte);
        std::vector<std::string> held = splitAtEod(val);
        held.pop_back();  // after the last end-of-document token
        QCOMPARE(static_cast<std::int64_t>(held.size()), c->valDocuments);
        std::set<std::string> heldSet(held.begin(), held.end());
        size_t next = 0;
        for (const auto& h : held) {
            while (next < docs.size() && docs[next] != h) {
                ++next;
            }
            QVERIFY2(next < docs.size(), "a held-out document is not one the writer wrote, in order");
            ++next;
        }
        // Training windows: every piece between two end-of-document tokens is a whole training
        // document, never a held-out one.
        std::set<std::string> train;
        std::int64_t trainTokens = 0;
        for (const auto& d : docs) {
            if (!heldSet.count(d)) {
                train.insert(d);
                trainTokens += static_cast<std::int64_t>(d.size()) + 1;
            }
        }
        QCOMPARE(c->trainTokens, trainTokens);
        int whole = 0;
        std::vector<std::uint8_t> tw(256);
        const ExperimentSpec wide = dataSpec(megatron(dir.path("m.bin")), 255);
        const Dataset ds64(wide);
        for (std::uint64_t i = 0; i < 300; ++i) {
            ds64.fill(makeSampleId(0, i), tw.data());
            const auto pieces = splitAtEod(std::string(tw.begin(), tw.end()));
            for (size_t k = 1; k + 1 < pieces.size(); ++k) {
                QVERIFY2(std::find(docs.begin(), docs.end(), pieces[k]) != docs.end(),
                         "a training window holds a piece that is no document");
                ++whole;
            }
        }
        QVERIFY2(whole > 300, qPrintable(QString::number(whole)));
        QVERIFY(ds.source(0).description().find("Megatron") != std::string::npos);
    }

    void formatMegatronNamed() {
        test::TempDir dir;
        writeMegatron(dir.path("m"), 10, 8);
        const Dataset ds(dataSpec(megatron(dir.path("m.bin"), {{"format", std::string("megatron")}}), 8));
        QCOMPARE(ds.source(0).corpus()->documents, std::int64_t{10});
    }

    void corruptPairsAreRefused_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("wrong magic") << QStringList{"--magic", "NOTIDX"}
                                     << QStringList{"m.idx", "wrong magic", "byte offset 0"};
        QTest::newRow("version") << QStringList{"--version", "2"}
                                 << QStringList{"m.idx", "version 2", "byte offset 9"};
        QTest::newRow("float32 ids") << QStringList{"--dtype", "7"}
                                     << QStringList{"m.idx", "dtype code 7", "byte offset 17"};
        QTest::newRow("float64 ids") << QStringList{"--dtype", "6"}
                                     << QStringList{"m.idx", "dtype code 6", "byte offset 17"};
        // 10 documents, 5 odd ones in two sequences: 15 sequences; lengths at 34, pointers at 94.
        QTest::newRow("pointer past the end")
            << QStringList{"--shift-pointer", "14", "1000"}
            << QStringList{"m.idx", "sequence 14", "byte offset " + QString::number(34 + 15 * 4 + 14 * 8),
                           "do not fit"};
        // Document indices at 34 + 15 * 12 = 214: document 3's index set below document 2's.
        QTest::newRow("document indices fall")
            << QStringList{"--doc-index", "3", "1"}
            << QStringList{"m.idx", "document index 3 is 1", "byte offset " + QString::number(214 + 3 * 8)};
        QTest::newRow("sequence count disagrees with the size")
            << QStringList{"--header-sequences", "16"}
            << QStringList{"m.idx", "byte offsets 18 and 26", "16 sequences", "but the file has"};
        QTest::newRow("truncated bin") << QStringList{"--truncate-bin", "4"}
                                       << QStringList{"m.idx", "sequence 14", "do not fit", "m.bin"};
        QTest::newRow("id outside the vocabulary")
            << QStringList{"--set-id", "1", "1", "300"}
            << QStringList{"m.bin", "token id 300", "byte offset " + QString::number((5 + 1) * 2), "0..255"};
    }
    void corruptPairsAreRefused() {
        QFETCH(QStringList, args);
        QFETCH(QStringList, expected);
        test::TempDir dir;
        QStringList extra = args;
        int dtype = 8;
        if (args.first() == "--dtype") {
            dtype = args[1].toInt();
            extra.clear();
        }
        writeMegatron(dir.path("m"), 10, dtype, extra);
        // Named explicitly: a wrong magic is no Megatron index to auto-detection.
        const std::string msg =
            sourceError(megatron(dir.path("m.bin"), {{"format", std::string("megatron")}}));
        QVERIFY2(!msg.empty(), "no error");
        for (const QString& e : expected) {
            QVERIFY2(msg.find(e.toStdString()) != std::string::npos,
                     qPrintable("'" + e + "' not in: " + QString::fromStdString(msg)));
        }
    }
};

QTEST_APPLESS_MAIN(TestMegatron)
#include "test_megatron.moc"
