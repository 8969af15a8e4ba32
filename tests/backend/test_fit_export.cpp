// SPDX-License-Identifier: GPL-3.0-or-later
// Exports of fits: JSON re-loads to the same law and parameters; the exported Python function, run by
// /usr/bin/python3, gives the C++ values; CSV and LaTeX carry the points and values; SHA-256 against the
// FIPS 180-4 test vectors.
#include <QFile>
#include <QtTest>

#include <cmath>

#include "anneal/error.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/fit_export.h"
#include "anneal/sha256.h"
#include "anneal/fit/steplaw.h"
#include "process.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

// A quick fit of each law on synthetic data (bootstrap included, so intervals are exported too).
FitResult quickFit(const QString& law) {
    FitInput in;
    FitOptions opt;
    opt.law = law.toStdString();
    opt.bootstrap = 20;
    if (law == "chinchilla") {
        in = fittest::chinchillaSynthetic(1.8, 480.0, 2100.0, 0.35, 0.37, 0.01, 1, 6, 5);
        opt.starts = {{1.8, 480.0, 2100.0, 0.35, 0.37}};
    } else if (law == "power") {
        fittest::Noise noise(2, 0.01);
        for (double x : fittest::logSpace(1e6, 1e10, 25)) {
            in.n.push_back(x);
            in.loss.push_back(noise(1.9 + 400.0 * std::pow(x, -0.34)));
        }
    } else if (law == "kaplan") {
        fittest::Noise noise(3, 0.005);
        for (double n : fittest::logSpace(1e6, 1e9, 5)) {
            for (double r : fittest::logSpace(2, 200, 5)) {
                in.n.push_back(n);
                in.d.push_back(r * n);
                in.loss.push_back(
                    noise(std::pow(std::pow(6.4e13 / n, 0.076 / 0.103) + 1.8e13 / (r * n), 0.103)));
            }
        }
    } else if (law == "steplaw") {
        fittest::Noise noise(4, 0.05);
        for (double n : fittest::logSpace(1e8, 1e9, 3)) {
            for (double d : fittest::logSpace(1e10, 1e11, 3)) {
                in.n.push_back(n);
                in.d.push_back(d);
                in.lr.push_back(noise(steplaw::optimalLr(n, d)));
                in.batch.push_back(noise(steplaw::optimalBatchTokens(d)));
            }
        }
    } else {
        const auto lr = fittest::cosineSchedule(1e-3, 1500, 30);
        in.curves.push_back(fittest::sampledCurve(
            "cosine", lr, fittest::annealingLawClosedForm(lr, 2.0, 0.6, 0.5, 0.3, 0.999), 15, 0.002));
        opt.warmup = WarmupMode::StartAfterWarmup;
        opt.holdOutAbove = 1200;
    }
    return fitLaw(in, opt);
}

Provenance provenance() {
    Provenance p;
    p.source = "synthetic test data, \"quoted\"";
    p.runIds = {"run-1", "run-2"};
    p.metric = "val_loss.markov";
    p.filePath = "/tmp/points.csv";
    p.fileSha256 = sha256Hex(std::string("points"));
    p.annealVersion = "0.1.0-test";
    p.createdAt = "2026-11-27T00:00:00Z";
    return p;
}

// Evaluation points for the Python check: (N, D) pairs, or x for the power law.
std::vector<Point> probePoints() {
    std::vector<Point> pts;
    for (double n : {3e7, 1e9, 7e10}) {
        for (double d : {1e9, 2e11}) {
            Point p;
            p.n = n;
            p.d = d;
            pts.push_back(p);
        }
    }
    return pts;
}

}  // namespace

class TestFitExport : public QObject {
    Q_OBJECT

private slots:
    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void jsonErrors_data();
    void jsonErrors();
    void python_data();
    void python();
    void csv();
    void latex();
    void sha256Vectors_data();
    void sha256Vectors();
};

void TestFitExport::jsonRoundTrip_data() {
    QTest::addColumn<QString>("law");
    for (const char* law : {"power", "kaplan", "chinchilla", "lr_annealing", "steplaw"}) {
        QTest::newRow(law) << law;
    }
}

void TestFitExport::jsonRoundTrip() {
    QFETCH(QString, law);
    const FitResult fit = quickFit(law);
    const Provenance prov = provenance();
    const LoadedFit back = fitFromJson(fitToJson(fit, prov));
    const FitResult& r = back.fit;
    QCOMPARE(QString::fromStdString(r.law), law);
    QCOMPARE(r.params.size(), fit.params.size());
    for (size_t j = 0; j < fit.params.size(); ++j) {
        QCOMPARE(r.params[j].name, fit.params[j].name);
        QCOMPARE(r.params[j].value, fit.params[j].value);  // exact: doubles round-trip
        QCOMPARE(r.params[j].fixed, fit.params[j].fixed);
        QCOMPARE(r.params[j].ciLow, fit.params[j].ciLow);
        QCOMPARE(r.params[j].ciHigh, fit.params[j].ciHigh);
        QVERIFY(r.params[j].seAsymptotic == fit.params[j].seAsymptotic ||
                (std::isnan(r.params[j].seAsymptotic) && std::isnan(fit.params[j].seAsymptotic)));
    }
    QCOMPARE(r.objective, fit.objective);
    QCOMPARE(r.nPoints, fit.nPoints);
    QCOMPARE(r.nHeldOut, fit.nHeldOut);
    QCOMPARE(r.startsTotal, fit.startsTotal);
    QCOMPARE(r.ciLevel, fit.ciLevel);
    QVERIFY(r.bootstrapSamples == fit.bootstrapSamples);
    QCOMPARE(r.points.size(), fit.points.size());
    for (size_t i = 0; i < fit.points.size(); ++i) {
        QCOMPARE(r.points[i].observed, fit.points[i].observed);
        QCOMPARE(r.points[i].residual, fit.points[i].residual);
        QCOMPARE(r.points[i].heldOut, fit.points[i].heldOut);
        QCOMPARE(r.points[i].target, fit.points[i].target);
    }
    QCOMPARE(r.holdOut.has_value(), fit.holdOut.has_value());
    QCOMPARE(r.options.variable, fit.options.variable);
    QCOMPARE(r.options.warmup, fit.options.warmup);
    QCOMPARE(r.options.bootstrap, fit.options.bootstrap);
    QVERIFY(r.options.starts == fit.options.starts);
    QCOMPARE(back.provenance.source, prov.source);
    QVERIFY(back.provenance.runIds == prov.runIds);
    QCOMPARE(back.provenance.metric, prov.metric);
    QCOMPARE(back.provenance.fileSha256, prov.fileSha256);
    QCOMPARE(back.provenance.annealVersion, prov.annealVersion);
    // The re-loaded fit predicts like the original.
    if (law == "lr_annealing") {
        QCOMPARE(r.curves.size(), size_t(1));
        QVERIFY(r.curves[0].lr == fit.curves[0].lr);
        const auto lr = fittest::wsdSchedule(1e-3, 500, 30, 100);
        const auto a = predictCurve(r, lr), b = predictCurve(fit, lr);
        for (size_t u = 0; u < lr.size(); ++u) {
            QVERIFY(a[u] == b[u] || (std::isnan(a[u]) && std::isnan(b[u])));
        }
    } else {
        for (Point p : probePoints()) {
            p.x = p.n;
            QCOMPARE(predict(r, p), predict(fit, p));
        }
    }
}

void TestFitExport::jsonErrors_data() {
    QTest::addColumn<QString>("edit");  // "from=>to" applied to a valid export
    QTest::addColumn<QString>("field");
    QTest::addColumn<int>("code");
    QTest::newRow("format") << "\"anneal-fit\"=>\"other\""
                            << "json: format" << int(ErrorCode::InvalidInput);
    QTest::newRow("newer version") << "\"format_version\": 1=>\"format_version\": 7"
                                   << "json: format_version" << int(ErrorCode::SchemaTooNew);
    QTest::newRow("unknown law") << "\"law\": \"power\"=>\"law\": \"farseer\""
                                 << "json: law" << int(ErrorCode::InvalidInput);
    QTest::newRow("param name") << "\"name\": \"A\"=>\"name\": \"Z\""
                                << "json: params[1].name" << int(ErrorCode::InvalidInput);
    QTest::newRow("value type") << "\"value\": =>\"value\": \"x\", \"was\": "
                                << "json: params[0].value" << int(ErrorCode::InvalidInput);
    QTest::newRow("not json") << "{=>["
                              << "json" << int(ErrorCode::InvalidInput);
}

void TestFitExport::jsonErrors() {
    QFETCH(QString, edit);
    QFETCH(QString, field);
    QFETCH(int, code);
    FitResult fit = quickFit("power");
    QString json = QString::fromStdString(fitToJson(fit, {}));
    const QStringList parts = edit.split("=>");
    QVERIFY2(json.contains(parts[0]), qPrintable(parts[0]));
    json.replace(json.indexOf(parts[0]), parts[0].size(), parts[1]);
    try {
        fitFromJson(json.toStdString());
        QFAIL("no error");
    } catch (const Error& e) {
        QCOMPARE(int(e.code()), code);
        QVERIFY2(QString::fromStdString(e.field()) == field, e.what());
    }
}

void TestFitExport::python_data() {
    QTest::addColumn<QString>("law");
    for (const char* law : {"power", "kaplan", "chinchilla", "lr_annealing", "steplaw"}) {
        QTest::newRow(law) << law;
    }
}

// The exported function, run by Python, against the C++ evaluation of the same fit.
void TestFitExport::python() {
    QFETCH(QString, law);
    if (!QFile::exists(kPython)) {
        QSKIP("/usr/bin/python3 is missing");
    }
    const FitResult fit = quickFit(law);
    std::string script = fitToPython(fit, provenance());
    std::vector<double> expected;
    script += "\n\nif __name__ == '__main__':\n";
    if (law == "lr_annealing") {
        const auto lr = fittest::wsdSchedule(1e-3, 700, 30, 200);
        expected = predictCurve(fit, lr);
        script += "    lr = [";
        for (double v : lr) {
            script += std::to_string(v) + ", ";
        }
        script += "]\n    for v in law(lr):\n        print(repr(v))\n";
        // std::to_string rounds; evaluate the C++ side on the same rounded LRs.
        std::vector<double> rounded;
        for (double v : lr) {
            rounded.push_back(std::stod(std::to_string(v)));
        }
        expected = predictCurve(fit, rounded);
    } else {
        for (const Point& p : probePoints()) {
            char buf[512];
            if (law == "power") {
                std::snprintf(buf, sizeof buf, "    print(repr(law(%.17g)))\n", p.n);
                Point q = p;
                q.x = p.n;
                expected.push_back(predict(fit, q));
            } else if (law == "steplaw") {
                std::snprintf(
                    buf, sizeof buf,
                    "    print(repr(law(%.17g, %.17g)[0]))\n    print(repr(law(%.17g, %.17g)[1]))\n", p.n,
                    p.d, p.n, p.d);
                expected.push_back(steplaw::optimalLr(p.n, p.d, steplaw::coefficientsOf(fit)));
                expected.push_back(steplaw::optimalBatchTokens(p.d, steplaw::coefficientsOf(fit)));
            } else {
                std::snprintf(buf, sizeof buf, "    print(repr(law(%.17g, %.17g)))\n", p.n, p.d);
                expected.push_back(predict(fit, p));
            }
            script += buf;
        }
    }
    test::TempDir dir;
    QFile f(dir.qpath("law.py"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(script.c_str());
    f.close();
    const test::ProcessResult run = test::runProcess(kPython, {dir.qpath("law.py")}, 60000);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QStringList lines = run.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(size_t(lines.size()), expected.size());
    double worst = 0.0;
    for (size_t k = 0; k < expected.size(); ++k) {
        const double got = lines[int(k)] == "nan" ? std::nan("") : lines[int(k)].toDouble();
        if (std::isnan(expected[k])) {
            QVERIFY(std::isnan(got));
            continue;
        }
        worst = std::max(worst, std::fabs(got - expected[k]) / std::fabs(expected[k]));
    }
    qInfo("%s: %zu values, worst relative difference Python vs C++ %.3g", qPrintable(law), expected.size(),
          worst);
    QVERIFY(worst < 1e-13);
}

void TestFitExport::csv() {
    const FitResult fit = quickFit("chinchilla");
    const std::string text = fitToCsv(fit);
    const Table t =
        parseCsv(text, "export.csv",
                 TableSpec{{"index", "n", "d", "observed", "predicted", "residual_log", "weight", "held_out"},
                           {},
                           {"label"},
                           {},
                           {}});
    QCOMPARE(t.rows(), fit.points.size());
    QVERIFY(t.columnsFound == (std::vector<std::string>{"index", "label", "n", "d", "c", "observed",
                                                        "predicted", "residual_log", "weight", "held_out"}));
    for (size_t i = 0; i < t.rows(); ++i) {
        QCOMPARE(t.column("observed")[i], fit.points[i].observed);
        QCOMPARE(t.column("residual_log")[i],
                 std::log(fit.points[i].predicted) - std::log(fit.points[i].observed));
    }
    const std::string curves = fitToCsv(quickFit("lr_annealing"));
    QVERIFY(curves.rfind("index,curve,step,label,observed,predicted,residual_log,weight,held_out\n", 0) == 0);
    QVERIFY(curves.find(",1\n") != std::string::npos);  // held-out rows flagged
}

void TestFitExport::latex() {
    const FitResult fit = quickFit("chinchilla");
    const QString tex = QString::fromStdString(fitToLatex(fit));
    QVERIFY(tex.contains("\\begin{align}"));
    QVERIFY(tex.contains("L(N, D) = E + \\frac{A}{N^{\\alpha}} + \\frac{B}{D^{\\beta}}"));
    QVERIFY(tex.contains(
        QString("\\frac{%1}{N^{%2}}").arg(fit.value("A"), 0, 'g', 4).arg(fit.value("alpha"), 0, 'g', 4)));
    QVERIFY(tex.contains("95\\,\\% CI"));
    QVERIFY(tex.contains(
        QString("[%1, %2]").arg(fit.params[0].ciLow, 0, 'g', 4).arg(fit.params[0].ciHigh, 0, 'g', 4)));
    const QString kap = QString::fromStdString(fitToLatex(quickFit("kaplan")));
    QVERIFY(kap.contains("\\times 10^{13}"));
    const QString ann = QString::fromStdString(fitToLatex(quickFit("lr_annealing")));
    QVERIFY(ann.contains("S_1(s)^{-\\alpha}") && ann.contains("(fixed)"));
}

// FIPS 180-4 / NIST example vectors.
void TestFitExport::sha256Vectors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("digest");
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("million a") << QByteArray(1000000, 'a')
                               << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
}

void TestFitExport::sha256Vectors() {
    QFETCH(QByteArray, input);
    QFETCH(QString, digest);
    QCOMPARE(QString::fromStdString(sha256Hex(input.constData(), size_t(input.size()))), digest);
    test::TempDir dir;
    QFile f(dir.qpath("blob"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(input);
    f.close();
    QCOMPARE(QString::fromStdString(sha256File(dir.path("blob"))), digest);
}

QTEST_APPLESS_MAIN(TestFitExport)
#include "test_fit_export.moc"
