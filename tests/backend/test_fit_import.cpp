// SPDX-License-Identifier: GPL-3.0-or-later
// Tabular import for fitting: good CSV and JSONL files parse completely; each broken file in
// tests/data/fit gives one error naming the file, the line and the column, never a partial table.
#include <QtTest>

#include "anneal/error.h"
#include "anneal/fit/table.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

std::string dataPath(const QString& name) { return test::dataFile("fit/" + name.toStdString()); }

TableSpec curveTableSpec() { return curveSpec(CurveColumns{}); }

}  // namespace

class TestFitImport : public QObject {
    Q_OBJECT

private slots:
    void badFiles_data();
    void badFiles();
    void missingFile();
    void goodCsvPoints();
    void goodCsvCurveCrlf();
    void goodJsonlCurves();
    void pointsFromTable();
    void curveInterpolatesLr();
    void missingColumnAccessor();
};

void TestFitImport::badFiles_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("where");    // expected end of Error::field()
    QTest::addColumn<QString>("message");  // expected part of the message
    QTest::newRow("missing column") << "bad_missing_column.csv"
                                    << "bad_missing_column.csv:1"
                                    << "missing required column 'loss' (columns found: step, lr)";
    QTest::newRow("not a number") << "bad_not_number.csv"
                                  << "bad_not_number.csv:4"
                                  << "column 'loss': 'abc' is not a number";
    QTest::newRow("unsorted steps") << "bad_unsorted_steps.csv"
                                    << "bad_unsorted_steps.csv:4"
                                    << "column 'step': 5 comes after 10 on line 3";
    QTest::newRow("duplicate step") << "bad_duplicate_step.csv"
                                    << "bad_duplicate_step.csv:4"
                                    << "column 'step': duplicate value 10 (also on line 3)";
    QTest::newRow("empty file") << "empty.csv"
                                << "empty.csv"
                                << "file is empty";
    QTest::newRow("header only") << "header_only.csv"
                                 << "header_only.csv"
                                 << "no data rows";
    QTest::newRow("ragged row") << "bad_ragged.csv"
                                << "bad_ragged.csv:3"
                                << "expected 3 fields as in the header, found 2";
    QTest::newRow("NaN") << "bad_nan.csv"
                         << "bad_nan.csv:3"
                         << "column 'loss': 'nan' is not a finite number";
    QTest::newRow("empty cell") << "bad_empty_cell.csv"
                                << "bad_empty_cell.csv:3"
                                << "column 'loss': empty cell";
    QTest::newRow("unterminated quote") << "bad_quote.csv"
                                        << "bad_quote.csv:2"
                                        << "unterminated quoted field";
    QTest::newRow("jsonl not a number") << "bad_not_number.jsonl"
                                        << "bad_not_number.jsonl:2"
                                        << "column 'loss': 'abc' is not a number";
    QTest::newRow("jsonl missing key") << "bad_missing_key.jsonl"
                                       << "bad_missing_key.jsonl:3"
                                       << "missing column 'loss' (keys on this line: step, lr)";
    QTest::newRow("jsonl invalid") << "bad_json.jsonl"
                                   << "bad_json.jsonl:2"
                                   << "invalid JSON";
    QTest::newRow("jsonl infinite") << "bad_inf.jsonl"
                                    << "bad_inf.jsonl:1"
                                    << "number overflow parsing '1e400'";
}

void TestFitImport::badFiles() {
    QFETCH(QString, file);
    QFETCH(QString, where);
    QFETCH(QString, message);
    try {
        readTable(dataPath(file), curveTableSpec());
        QFAIL("no error");
    } catch (const Error& e) {
        qInfo("%s", e.what());
        QCOMPARE(e.code(), ErrorCode::InvalidInput);
        QVERIFY2(QString::fromStdString(e.field()).endsWith(where), e.what());
        QVERIFY2(QString::fromStdString(e.detail()).contains(message), e.what());
        // what() reads "<file>:<line>: <message>" as the CLI prints it.
        QVERIFY(QString(e.what()).contains(where + ": "));
    }
}

void TestFitImport::missingFile() {
    try {
        readTable(dataPath("no_such_file.csv"), curveTableSpec());
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(e.code(), ErrorCode::Io);
        QVERIFY(QString::fromStdString(e.field()).endsWith("no_such_file.csv"));
    }
}

// Quoted fields with commas, doubled quotes and a line break; spaces and '+' around numbers; text columns.
void TestFitImport::goodCsvPoints() {
    TableSpec spec;
    spec.numeric = {"N", "D", "loss"};
    spec.text = {"run", "note"};
    const Table t = readTable(dataPath("points_good.csv"), spec);
    QCOMPARE(t.rows(), size_t(3));
    QCOMPARE(t.column("N"), (std::vector<double>{1e8, 2e8, 4e8}));
    QCOMPARE(t.column("loss"), (std::vector<double>{3.21, 3.05, 2.93}));
    QCOMPARE(t.text.at("run"), (std::vector<std::string>{"r1", "r2", "r3"}));
    QCOMPARE(t.text.at("note")[0], std::string("first, with comma"));
    QCOMPARE(t.text.at("note")[1], std::string("quoted \"word\""));
    QCOMPARE(t.text.at("note")[2], std::string("line\nbreak"));
    QCOMPARE(t.lines, (std::vector<size_t>{2, 3, 4}));
    QVERIFY(!t.has("D2"));
}

void TestFitImport::goodCsvCurveCrlf() {
    const Table t = readTable(dataPath("curve_good_crlf.csv"), curveTableSpec());
    QCOMPARE(t.rows(), size_t(4));
    QCOMPARE(t.column("step"), (std::vector<double>{0, 10, 20, 40}));
    QCOMPARE(t.column("loss").back(), 3.6);
}

// Two runs interleaved, a blank line, an extra key, a number given as a string.
void TestFitImport::goodJsonlCurves() {
    CurveColumns cols;
    cols.group = "run";
    const Table t = readTable(dataPath("curves_good.jsonl"), curveSpec(cols));
    QCOMPARE(t.rows(), size_t(5));
    QCOMPARE(t.lines, (std::vector<size_t>{1, 2, 3, 5, 6}));
    QVERIFY(t.columnsFound == (std::vector<std::string>{"run", "step", "lr", "loss", "extra"}));
    const std::vector<Curve> curves = tableToCurves(t, cols);
    QCOMPARE(curves.size(), size_t(2));
    QCOMPARE(curves[0].name, std::string("a"));
    QCOMPARE(curves[0].steps, (std::vector<int64_t>{0, 5, 10}));
    QCOMPARE(curves[1].losses, (std::vector<double>{4.0, 3.5}));
    QCOMPARE(curves[1].lr.size(), size_t(6));
    QCOMPARE(curves[1].lr[5], 0.001);
}

void TestFitImport::pointsFromTable() {
    TableSpec spec;
    spec.numeric = {"Model Size", "Training FLOP", "loss"};
    const Table t = readTable(test::dataFile("reference/chinchilla_svg_extracted.csv"), spec);
    PointColumns cols;
    cols.n = "Model Size";
    cols.c = "Training FLOP";
    cols.loss = "loss";
    const FitInput in = tableToPoints(t, cols);
    QCOMPARE(in.n.size(), size_t(245));
    QCOMPARE(in.c.size(), size_t(245));
    QVERIFY(in.d.empty());
    cols.d = "tokens";
    QVERIFY_THROWS_EXCEPTION(Error, tableToPoints(t, cols));
}

// LR between logged steps is interpolated linearly; before the first logged step it is held.
void TestFitImport::curveInterpolatesLr() {
    const Table t =
        parseCsv("step,lr,loss\n2,0.002,4\n6,0.001,3\n7,0.001,2.9\n", "inline.csv", curveTableSpec());
    const std::vector<Curve> c = tableToCurves(t, CurveColumns{});
    QCOMPARE(c.size(), size_t(1));
    QCOMPARE(c[0].name, std::string("inline.csv"));
    QCOMPARE(c[0].lr.size(), size_t(8));
    QCOMPARE(c[0].lr[0], 0.002);
    QCOMPARE(c[0].lr[2], 0.002);
    QCOMPARE(c[0].lr[4], 0.0015);
    QCOMPARE(c[0].lr[7], 0.001);
    QVERIFY_THROWS_EXCEPTION(
        Error,
        tableToCurves(parseCsv("step,lr,loss\n1.5,0.001,3\n", "x.csv", curveTableSpec()), CurveColumns{}));
}

void TestFitImport::missingColumnAccessor() {
    const Table t = parseCsv("a,b\n1,2\n", "t.csv", TableSpec{{"a"}, {"b", "c"}, {}, {}, {}});
    QVERIFY(t.has("a") && t.has("b") && !t.has("c"));
    try {
        t.column("c");
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(QString::fromStdString(e.allowed()), QString("a, b"));
    }
}

QTEST_APPLESS_MAIN(TestFitImport)
#include "test_fit_import.moc"
