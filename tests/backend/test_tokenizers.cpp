// SPDX-License-Identifier: GPL-3.0-or-later
// Tokenizers ([tokenizer], docs/DATA.md#tokenizers) against independent references: SentencePiece
// ids against the spm_encode program on the same model (one trained by Anneal, one trained by the
// spm_train program), GPT-2 ids against tests/tools/gpt2_reference.py (encoder.py's algorithm in
// Python, its \p{L}/\p{N} classes from unicodedata), round trips on text from every Unicode plane,
// and the [tokenizer] table's errors, each naming its key.
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>
#include <fstream>

#include "anneal/config.h"
#include "anneal/error.h"
#include "data/tokenizer.h"
#include "data_files.h"
#include "process.h"
#include "temp_paths.h"

using namespace anneal;
using test::readAll;
using test::writeFile;

namespace {

/// Lines of the two licences (SentencePiece's training sentences).
std::vector<std::string> licenceLines() {
    std::vector<std::string> lines;
    for (const char* f : {"text/gpl-3.txt", "text/lgpl-3.txt"}) {
        const std::string text = readAll(test::dataFile(f));
        size_t pos = 0;
        while (pos < text.size()) {
            const size_t nl = text.find('\n', pos);
            const size_t end = nl == std::string::npos ? text.size() : nl + 1;
            if (end - pos > 1) {
                lines.push_back(text.substr(pos, end - pos));
            }
            pos = end;
        }
    }
    return lines;
}

/// Text with a character of every Unicode plane (0 to 16, assigned or not), C0 and C1 controls,
/// DEL, tabs and newlines, combining marks and runs of spaces.
std::string everyPlane() {
    std::string s =
        "The GNU General Public License, version 3 \xE2\x80\x94 caf\xC3\xA9 na\xC3\xAFve \xCE\xA9\xCE\xB1 "
        "\xD0\x96\xD0\xB8 \xE4\xB8\xAD\xE6\x96\x87 \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A e\xCC\x81 ";
    for (char32_t plane = 0; plane <= 16; ++plane) {
        const char32_t cp = plane * 0x10000 + (plane == 0 ? 0x263A : plane == 1 ? 0xF600 : 0x0021);
        s += "p" + std::to_string(plane) + "=" + QString::fromUcs4(&cp, 1).toUtf8().toStdString() + " ";
    }
    s += std::string("ctl:\x01\x02\x1b[0m\x7f\t\ttab\r\nline\n\n   spaces  ") + "\xC2\x85\xC2\x9F" + "end.";
    return s;
}

/// Invalid UTF-8: a lone continuation byte, 0xFF, an overlong '/', a cut sequence.
const std::string kInvalid = std::string("ok \x80 then \xFF and \xC0\xAF and \xE2\x82 end");
/// The same without the cut sequence: Python's "replace" writes one U+FFFD for the cut sequence
/// (its maximal valid prefix), SentencePiece one per byte; for these bytes they agree.
const std::string kInvalidBytes = std::string("ok \x80 then \xFF and \xC0\xAF end");

std::shared_ptr<const data::Tokenizer> trainedSpm(const std::string& type, int vocab) {
    TokenizerSpec spec;
    spec.kind = "sentencepiece";
    spec.modelType = type;
    spec.vocabSize = vocab;
    return data::makeSentencePieceTokenizer(data::trainSentencePiece(licenceLines(), spec), "tokenizer.model",
                                            "<test>");
}

std::string configError(const std::string& toml) {
    try {
        parseExperiment(toml, "<test>");
    } catch (const Error& e) {
        return e.field() + ": " + e.what();
    }
    return "no error";
}

std::string experiment(const std::string& tokenizer, const std::string& source = {}) {
    return "name = \"t\"\n" + tokenizer + "\n[[data.domain]]\nname = \"d\"\nsource = \"" +
           (source.empty() ? "text:" + test::dataFile("text/*.txt") : source) + "\"\n";
}

}  // namespace

class TestTokenizers : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY2(data::haveSentencePiece(),
                 "spm_train/spm_encode are not in PATH (Debian package sentencepiece)");
    }

    void sentencePieceRoundTrips_data() {
        QTest::addColumn<QString>("type");
        QTest::newRow("bpe") << "bpe";
        QTest::newRow("unigram") << "unigram";
    }
    void sentencePieceRoundTrips() {
        QFETCH(QString, type);
        const auto tok = trainedSpm(type.toStdString(), 600);
        QCOMPARE(tok->vocabulary(), 600);
        for (const std::string& text : {everyPlane(), readAll(test::dataFile("text/lgpl-3.txt"))}) {
            const auto ids = tok->encode(text);
            QVERIFY(ids.size() < text.size());  // subwords: fewer tokens than bytes
            const std::string back = tok->decode(ids.data(), static_cast<int>(ids.size()));
            size_t at = 0;
            while (at < back.size() && at < text.size() && back[at] == text[at]) {
                ++at;
            }
            QVERIFY2(back == text,
                     qPrintable(QString("differs at byte %1 of %2/%3: %4 | %5")
                                    .arg(at)
                                    .arg(text.size())
                                    .arg(back.size())
                                    .arg(QByteArray::fromStdString(text.substr(at, 20)).toHex())
                                    .arg(QByteArray::fromStdString(back.substr(at, 20)).toHex())));
            std::int64_t bytes = 0;
            for (Token id : ids) {
                QVERIFY(id >= 0 && id < tok->vocabulary() && id != tok->endOfDocument());
                bytes += tok->tokenBytes(id);
            }
            QCOMPARE(bytes, static_cast<std::int64_t>(text.size()));  // bits per byte's denominator
        }
        // SentencePiece's normaliser replaces invalid UTF-8 by U+FFFD (docs/DATA.md): what decode
        // gives back is Python's bytes.decode("utf-8", "replace") of the input.
        const auto r = test::runProcess("/usr/bin/python3",
                                        {"-c",
                                         "import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1])"
                                         ".decode('utf-8', 'replace').encode())",
                                         QByteArray::fromStdString(kInvalidBytes).toHex()});
        const auto ids = tok->encode(kInvalidBytes);
        QCOMPARE(QByteArray::fromStdString(tok->decode(ids.data(), static_cast<int>(ids.size()))),
                 r.out.toUtf8());
    }

    void sentencePieceMatchesSpmEncode_data() {
        QTest::addColumn<QString>("trainer");
        QTest::newRow("anneal bpe") << "bpe";
        QTest::newRow("anneal unigram") << "unigram";
        QTest::newRow("spm_train unigram") << "spm_train";
    }
    void sentencePieceMatchesSpmEncode() {
        QFETCH(QString, trainer);
        test::TempDir dir;
        const std::string model = dir.path("m.model");
        if (trainer == "spm_train") {
            const auto r = test::runProcess(
                "spm_train", {QString::fromStdString("--input=" + test::dataFile("text/gpl-3.txt")),
                              QString::fromStdString("--model_prefix=" + dir.path("m")), "--vocab_size=700",
                              "--model_type=unigram", "--byte_fallback=true", "--num_threads=1"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        } else {
            TokenizerSpec spec;
            spec.kind = "sentencepiece";
            spec.modelType = trainer.toStdString();
            spec.vocabSize = 700;
            writeFile(model, data::trainSentencePiece(licenceLines(), spec));
        }
        TokenizerSpec load;
        load.kind = "sentencepiece";
        load.model = model;
        const auto tok = data::loadTokenizer(load);
        // spm_encode encodes line by line: compare line by line, on text it never saw.
        std::vector<std::string> lines = {
            "Everyone is permitted to copy and distribute verbatim copies",
            "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80 x\x01y  two  spaces",
            "12345 + 678 = 13023; \"quoted\" (parens) [brackets] {braces}"};
        std::string input;
        for (const auto& l : lines) {
            input += l + "\n";
        }
        writeFile(dir.path("in.txt"), input);
        const auto r =
            test::runProcess("spm_encode", {QString::fromStdString("--model=" + model), "--output_format=id",
                                            QString::fromStdString(dir.path("in.txt"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList outLines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(outLines.size(), static_cast<qsizetype>(lines.size()));
        for (size_t i = 0; i < lines.size(); ++i) {
            QString ours;
            for (Token id : tok->encode(lines[i])) {
                ours += (ours.isEmpty() ? "" : " ") + QString::number(id);
            }
            QCOMPARE(ours, outLines[static_cast<qsizetype>(i)]);
        }
    }

    void gpt2MatchesReference_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("sentence") << QByteArray(
            "Hello world, there's 123 caf\xC3\xA9s and  now\n\nthe end.  ");
        QTest::newRow("contractions")
            << QByteArray("I'm sure they're here; we'll see, you'd've... 'tis O'Neil's");
        QTest::newRow("every plane") << QByteArray::fromStdString(everyPlane());
        QTest::newRow("invalid utf-8") << QByteArray::fromStdString(kInvalid);
        QTest::newRow("licence") << QByteArray::fromStdString(readAll(test::dataFile("text/lgpl-3.txt")));
    }
    void gpt2MatchesReference() {
        QFETCH(QByteArray, text);
        test::TempDir dir;
        const QString script = QString::fromUtf8(test::kSourceDir) + "/tests/tools/gpt2_reference.py";
        auto r = test::runProcess("/usr/bin/python3",
                                  {script, "--make-vocab", QString::fromStdString(dir.path())});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        writeFile(dir.path("text.txt"), text.toStdString());
        r = test::runProcess("/usr/bin/python3", {script, QString::fromStdString(dir.path("vocab.json")),
                                                  QString::fromStdString(dir.path("merges.txt")),
                                                  QString::fromStdString(dir.path("text.txt"))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        std::vector<Token> expected;
        for (const auto& v : QJsonDocument::fromJson(r.out.toUtf8()).array()) {
            expected.push_back(v.toInt());
        }
        TokenizerSpec spec;
        spec.kind = "gpt2";
        spec.vocab = dir.path("vocab.json");
        spec.merges = dir.path("merges.txt");
        const auto tok = data::loadTokenizer(spec);
        const auto ids = tok->encode(text.toStdString());
        QCOMPARE(ids, expected);
        QVERIFY(ids.size() < static_cast<size_t>(text.size()));  // the merges applied
        // Byte-level: every byte string round-trips, invalid UTF-8 included.
        QCOMPARE(QByteArray::fromStdString(tok->decode(ids.data(), static_cast<int>(ids.size()))), text);
        QCOMPARE(tok->endOfDocument(), tok->vocabulary() - 1);  // <|endoftext|>, written last
        std::int64_t bytes = 0;
        for (Token id : ids) {
            bytes += tok->tokenBytes(id);
        }
        QCOMPARE(bytes, static_cast<std::int64_t>(text.size()));
    }

    void configErrorsNameTheKey_data() {
        QTest::addColumn<QString>("toml");
        QTest::addColumn<QString>("expected");
        QTest::newRow("bad kind") << QString::fromStdString(experiment("[tokenizer]\nkind = \"wordpiece\""))
                                  << "tokenizer.kind: ";
        QTest::newRow("missing model")
            << QString::fromStdString(
                   experiment("[tokenizer]\nkind = \"sentencepiece\"\nmodel = \"/nonexistent/m.model\""))
            << "tokenizer.model: ";
        QTest::newRow("not a model") << QString::fromStdString(
                                            experiment("[tokenizer]\nkind = \"sentencepiece\"\nmodel = \"" +
                                                       test::dataFile("text/gpl-3.txt") + "\""))
                                     << "tokenizer.model: ";
        QTest::newRow("vocab_size low")
            << QString::fromStdString(experiment("[tokenizer]\nkind = \"sentencepiece\"\nvocab_size = 100"))
            << "tokenizer.vocab_size: ";
        QTest::newRow("vocab_size high")
            << QString::fromStdString(
                   experiment("[tokenizer]\nkind = \"sentencepiece\"\nvocab_size = 99999999"))
            << "tokenizer.vocab_size: ";
        QTest::newRow("model_type") << QString::fromStdString(experiment(
                                           "[tokenizer]\nkind = \"sentencepiece\"\nmodel_type = \"char\""))
                                    << "tokenizer.model_type: ";
        QTest::newRow("model and training")
            << QString::fromStdString(
                   experiment("[tokenizer]\nkind = \"sentencepiece\"\nmodel = \"m.model\"\n"
                              "vocab_size = 1000"))
            << "tokenizer.vocab_size: ";
        QTest::newRow("gpt2 without merges")
            << QString::fromStdString(experiment("[tokenizer]\nkind = \"gpt2\"\nvocab = \"v.json\""))
            << "tokenizer.merges: ";
        QTest::newRow("gpt2 missing vocab")
            << QString::fromStdString(
                   experiment("[tokenizer]\nkind = \"gpt2\"\nvocab = \"/nonexistent/v.json\"\n"
                              "merges = \"/nonexistent/m.txt\""))
            << "tokenizer.vocab: ";
        QTest::newRow("key of another kind")
            << QString::fromStdString(experiment(
                   "[tokenizer]\nkind = \"gpt2\"\nvocab = \"v.json\"\nmerges = \"m.txt\"\nvocab_size = 1000"))
            << "tokenizer.vocab_size: ";
        QTest::newRow("unknown key") << QString::fromStdString(
                                            experiment("[tokenizer]\nkind = \"bytes\"\nlower = true"))
                                     << "tokenizer.lower: ";
        QTest::newRow("synthetic domain")
            << QString::fromStdString(experiment("[tokenizer]\nkind = \"sentencepiece\"", "synthetic:markov"))
            << "data.domain[0].source: ";
    }
    void configErrorsNameTheKey() {
        QFETCH(QString, toml);
        QFETCH(QString, expected);
        const QString msg = QString::fromStdString(configError(toml.toStdString()));
        QVERIFY2(msg.startsWith(expected), qPrintable(msg));
    }

    void configResolvesTheVocabulary() {
        QCOMPARE(parseExperiment(experiment(""), "<test>").model.vocab, 256);
        const ExperimentSpec s =
            parseExperiment(experiment("[tokenizer]\nkind = \"sentencepiece\"\nvocab_size = 777"), "<test>");
        QCOMPARE(s.model.vocab, 777);
        QCOMPARE(s.tokenizer.modelType, std::string("bpe"));
        // The resolved config carries the table and parses back to the same spec.
        const ExperimentSpec back = parseExperiment(toToml(s), "<resolved>");
        QCOMPARE(back.tokenizer.vocabSize, 777);
        QCOMPARE(back.tokenizer.kind, std::string("sentencepiece"));
        // A byte experiment's resolved config has no [tokenizer] (it resolves as before the table).
        QVERIFY(toToml(parseExperiment(experiment(""), "<test>")).find("[tokenizer]") == std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestTokenizers)
#include "test_tokenizers.moc"
