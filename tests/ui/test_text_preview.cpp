// SPDX-License-Identifier: GPL-3.0-or-later
// Decoded text for real-text samples (text_preview.h) against hand-written expectations: the bytes
// are written out in hex and the expected text as code points, so neither side depends on the
// other's decoder. Also: synthetic bytes keep one character per byte, a picked file or folder
// becomes the right source glob, and a run's sample decoder previews real domains as text and
// synthetic ones byte by byte.
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

#include "anneal/config.h"
#include "anneal/dataset.h"
#include "domain_table.h"
#include "sample_decoder.h"
#include "source_picker.h"
#include "temp_paths.h"
#include "text_preview.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

QString previewOf(const QByteArray& bytes, bool endOfDocument = true) {
    return textPreview(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                       static_cast<std::size_t>(bytes.size()), endOfDocument);
}

/// The text of code points (the expected side, written without a UTF-8 decoder).
QString codePoints(std::initializer_list<char32_t> cps) {
    QString out;
    for (char32_t c : cps) {
        out += QString::fromUcs4(&c, 1);
    }
    return out;
}

}  // namespace

class TestTextPreview : public QObject {
    Q_OBJECT

private slots:
    void decodesAndShowsControls_data();
    void decodesAndShowsControls();
    void endOfDocumentMarker();
    void syntheticBytesStayOneCharEach();
    void sourceForPicked_data();
    void sourceForPicked();
    void domainTableTakesPickedPath();
    void sampleDecoderPreviewsByDomain();
};

void TestTextPreview::decodesAndShowsControls_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const char32_t nl = 0x23ce, tab = 0x21e5, dot = 0xb7, bad = 0xfffd;
    QTest::newRow("ascii, newline, tab") << QByteArray("a\nb\tc") << codePoints({'a', nl, 'b', tab, 'c'});
    QTest::newRow("russian") << QByteArray("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82")
                             << codePoints({0x41f, 0x440, 0x438, 0x432, 0x435, 0x442});
    QTest::newRow("german") << QByteArray(
                                   "Gr\xc3\xb6\xc3\x9f"
                                   "e")
                            << codePoints({'G', 'r', 0xf6, 0xdf, 'e'});
    QTest::newRow("chinese") << QByteArray("\xe4\xb8\xad\xe6\x96\x87") << codePoints({0x4e2d, 0x6587});
    QTest::newRow("emoji (4 bytes)") << QByteArray("\xf0\x9f\x98\x80") << codePoints({0x1f600});
    QTest::newRow("control bytes") << QByteArray(
                                          "a\x01"
                                          "b\x7f")
                                   << codePoints({'a', dot, 'b', dot});
    QTest::newRow("CR LF") << QByteArray("x\r\n") << codePoints({'x', dot, nl});
    QTest::newRow("C1 control NEL") << QByteArray("a\xc2\x85") << codePoints({'a', dot});
    QTest::newRow("right-to-left override") << QByteArray(
                                                   "a\xe2\x80\xae"
                                                   "b")
                                            << codePoints({'a', dot, 'b'});
    QTest::newRow("stray continuation") << QByteArray(
                                               "a\x80"
                                               "b")
                                        << codePoints({'a', bad, 'b'});
    QTest::newRow("cut short at the end") << QByteArray("a\xe4\xb8") << codePoints({'a', bad, bad});
    QTest::newRow("cut short by ASCII") << QByteArray(
                                               "\xd0"
                                               "A")
                                        << codePoints({bad, 'A'});
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << codePoints({bad, bad});
    QTest::newRow("overlong 3 bytes") << QByteArray("\xe0\x80\xaf") << codePoints({bad, bad, bad});
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << codePoints({bad, bad, bad});
    QTest::newRow("beyond U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << codePoints({bad, bad, bad, bad});
    QTest::newRow("empty") << QByteArray() << QString();
}

void TestTextPreview::decodesAndShowsControls() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    const QString got = previewOf(bytes);
    QCOMPARE(got, expected);
    QVERIFY(!got.contains(QLatin1Char('\n')));
}

void TestTextPreview::endOfDocumentMarker() {
    const QByteArray b(
        "ab\xff"
        "cd");
    QCOMPARE(previewOf(b), QStringLiteral("ab") + codePoints({0x27e8}) + QStringLiteral("eod") +
                               codePoints({0x27e9}) + QStringLiteral("cd"));
    QCOMPARE(previewOf(b, false), codePoints({'a', 'b', 0xfffd, 'c', 'd'}));
}

void TestTextPreview::syntheticBytesStayOneCharEach() {
    const std::vector<std::uint8_t> bytes{'a', '\n', 0xc3, 0xbc, 0x01, 'z'};
    const QString p = printableBytes(bytes);
    QCOMPARE(p.size(), qsizetype(6));
    QCOMPARE(p, codePoints({'a', 0xb7, 0xb7, 0xb7, 0xb7, 'z'}));
}

void TestTextPreview::sourceForPicked_data() {
    QTest::addColumn<QString>("current");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("folder");
    QTest::addColumn<QString>("expected");
    QTest::newRow("text file") << "synthetic:markov"
                               << "/d/a.txt" << false << "text:/d/a.txt";
    QTest::newRow("jsonl by name") << "synthetic:markov"
                                   << "/d/x.jsonl.zst" << false << "jsonl:/d/x.jsonl.zst";
    QTest::newRow("shard by name") << ""
                                   << "/d/s_000.bin" << false << "tokens:/d/s_000.bin";
    QTest::newRow("kind kept") << "jsonl:/old/*.jsonl"
                               << "/d/a.txt" << false << "jsonl:/d/a.txt";
    QTest::newRow("text folder") << "text:/x/*"
                                 << "/d/" << true << "text:/d/*";
    QTest::newRow("jsonl folder") << "jsonl:/x.jsonl"
                                  << "/d" << true << "jsonl:/d/*.jsonl*";
    QTest::newRow("shard folder") << "tokens:/x.bin"
                                  << "/d" << true << "tokens:/d/*.bin";
    QTest::newRow("folder from synthetic") << "synthetic:noise"
                                           << "/d/e" << true << "text:/d/e/*";
}

void TestTextPreview::sourceForPicked() {
    QFETCH(QString, current);
    QFETCH(QString, path);
    QFETCH(bool, folder);
    QFETCH(QString, expected);
    QCOMPARE(sourceForPath(current, path, folder), expected);
}

void TestTextPreview::domainTableTakesPickedPath() {
    DomainTable table;
    DomainSpec a, b;
    a.name = "a";
    a.source = "synthetic:noise";
    b.name = "b";
    b.source = "synthetic:markov";
    b.params["order"] = std::int64_t{2};
    table.load({a, b});
    QSignalSpy edited(&table, &DomainTable::edited);
    // Two rows and none selected: which one is meant is unknown; nothing changes.
    table.applyPickedPath(QStringLiteral("/d/x.txt"), false);
    QVERIFY(table.errorLabel()->isVisibleTo(&table));
    QCOMPARE(table.sourceText(0), QStringLiteral("synthetic:noise"));
    QCOMPARE(edited.count(), 0);
    table.table()->setCurrentCell(1, DomainTable::NameColumn);
    table.applyPickedPath(QStringLiteral("/d/corpus"), true);
    QCOMPARE(table.sourceText(1), QStringLiteral("text:/d/corpus/*"));
    QCOMPARE(table.sourceText(0), QStringLiteral("synthetic:noise"));
    QVERIFY(edited.count() >= 1);
    std::vector<DomainSpec> out;
    QVERIFY(table.store(out));
    QCOMPARE(out[1].source, std::string("text:/d/corpus/*"));
    QVERIFY(out[1].params.empty());  // markov's order means nothing to text:
}

void TestTextPreview::sampleDecoderPreviewsByDomain() {
    ExperimentSpec spec;
    spec.seed = 3;
    spec.model.context = 48;
    DomainSpec text;
    text.name = "licenses";
    text.source = "text:" + test::dataFile("text/*.txt");
    text.params["separator"] = std::string("");
    DomainSpec markov;
    markov.name = "markov";
    markov.source = "synthetic:markov";
    spec.data.domains = {text, markov};
    spec = parseExperiment(toToml(spec), "test");
    const auto decoder = SampleDecoder::fromExperiment(spec);
    QVERIFY(decoder->isText(0));
    QVERIFY(!decoder->isText(1));

    // Synthetic: one character per byte, as before.
    const std::uint64_t sid = makeSampleId(1, 5);
    const auto sbytes = decoder->bytes(sid);
    QCOMPARE(sbytes.size(), std::size_t(49));
    QCOMPARE(decoder->preview(1, sbytes), printableBytes(sbytes));

    // Real text: the window's text, read independently from the licence files, with its newlines
    // shown as ⏎ and its document ends as ⟨eod⟩.
    QString corpus;
    for (const char* f : {"text/gpl-3.txt", "text/lgpl-3.txt"}) {
        QFile file(QString::fromStdString(test::dataFile(f)));
        QVERIFY(file.open(QIODevice::ReadOnly));
        corpus += QString::fromUtf8(file.readAll());
    }
    int checked = 0;
    for (std::uint64_t i = 0; i < 20; ++i) {
        const std::uint64_t id = makeSampleId(0, i);
        const QString p = decoder->preview(0, decoder->bytes(id));
        QVERIFY(!p.contains(QLatin1Char('\n')));
        QVERIFY(!p.contains(QChar(0xfffd)));  // the licences are valid UTF-8
        QString longest;
        for (QString piece : p.split(QStringLiteral("⟨eod⟩"))) {
            piece.replace(QChar(0x23ce), QLatin1Char('\n'));
            if (piece.size() > longest.size()) {
                longest = piece;
            }
        }
        if (longest.size() >= 16) {
            QVERIFY2(corpus.contains(longest), qPrintable(longest));
            ++checked;
        }
    }
    QVERIFY(checked >= 10);
}

QTEST_MAIN(TestTextPreview)
#include "test_text_preview.moc"
