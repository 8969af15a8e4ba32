// SPDX-License-Identifier: GPL-3.0-or-later
// anneal-render (app/render): figure descriptions drawn with the app's SeriesPlot, offscreen. A figure
// with a database series, computed points and a reference line is drawn in-process and its pixels
// checked (size, not blank, each curve's colour present, the y range honoured); bad descriptions name
// the figure and field; and `anneal-cli report` run end to end writes non-blank PNGs through the
// anneal-render executable next to it.
#include <QDir>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>
#include <fstream>

#include "../../app/render/figure_renderer.h"
#include "process.h"
#include "run_helpers.h"
#include "series_plot.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

/// Pixels within `tol` of `c` in every channel.
int countNear(const QImage& img, const QColor& c, int tol = 40) {
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        const QRgb* line = reinterpret_cast<const QRgb*>(img.constScanLine(y));
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = line[x];
            n += std::abs(qRed(p) - c.red()) <= tol && std::abs(qGreen(p) - c.green()) <= tol &&
                 std::abs(qBlue(p) - c.blue()) <= tol;
        }
    }
    return n;
}

/// Share of pixels that are not (near) the background colour of the image's corner.
double inkShare(const QImage& img) {
    const QColor bg = img.pixelColor(2, 2);
    return 1.0 -
           static_cast<double>(countNear(img, bg, 12)) / (static_cast<double>(img.width()) * img.height());
}

}  // namespace

class TestRender : public QObject {
    Q_OBJECT
private:
    test::TempDir m_dir;

private slots:
    void initTestCase() { qputenv("OPENBLAS_NUM_THREADS", "1"); }

    void drawsDatabaseAndComputedSeries() {
        const std::string db = m_dir.path("r.db");
        const std::int64_t run = test::runToml(db, test::tinyExperimentToml(30));
        const QString png = m_dir.qpath("fig.png");
        const QJsonObject fig{{"out", png},
                              {"title", "A test figure"},
                              {"width", 600},
                              {"height", 400},
                              {"y_range", QJsonArray{0.0, 10.0}},
                              {"series", QJsonArray{QJsonObject{{"label", "train"},
                                                                {"run", static_cast<qint64>(run)},
                                                                {"metric", "train_loss"}},
                                                    QJsonObject{{"label", "points"},
                                                                {"style", "line+markers"},
                                                                {"x", QJsonArray{0, 10, 20, 29}},
                                                                {"y", QJsonArray{9.0, 7.0, 6.0, 5.5}}}}},
                              {"reference_lines", QJsonArray{QJsonObject{{"y", 1.0}, {"label", "floor"}}}}};
        const auto o = render::renderDocument(
            QJsonDocument(QJsonObject{{"db", QString::fromStdString(db)}, {"figures", QJsonArray{fig}}})
                .toJson());
        QVERIFY2(o.errors.isEmpty(), qPrintable(o.errors.join("; ")));
        QCOMPARE(o.written, QStringList{png});
        QImage img(png);
        QVERIFY(!img.isNull());
        QCOMPARE(img.size(), QSize(1200, 800));  // twice the requested size (SeriesPlot's PNG export)
        img = img.convertToFormat(QImage::Format_ARGB32);
        QVERIFY2(inkShare(img) > 0.02, qPrintable(QString("blank figure: %1 ink").arg(inkShare(img))));
        QVERIFY2(countNear(img, ui::curveColor(0)) > 150, "the database curve is not drawn");
        QVERIFY2(countNear(img, ui::curveColor(1)) > 150, "the computed curve is not drawn");
        // A y range that excludes every point: the curves are clipped away, the frame stays.
        QJsonObject off = fig;
        off["out"] = m_dir.qpath("off.png");
        off["y_range"] = QJsonArray{100.0, 200.0};
        QString err;
        QVERIFY2(render::renderFigure(off, QString::fromStdString(db), &err), qPrintable(err));
        QImage clipped = QImage(m_dir.qpath("off.png")).convertToFormat(QImage::Format_ARGB32);
        QVERIFY(countNear(clipped, ui::curveColor(0)) < countNear(img, ui::curveColor(0)) / 4);
    }

    void badDescriptionsNameTheField_data() {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{") << "not a JSON object";
        QTest::newRow("no figures") << QByteArray("{\"figures\": []}") << "figures: missing or empty";
        QTest::newRow("no out") << QByteArray("{\"figures\": [{}]}") << "figures[0]: out: missing";
        QTest::newRow("bad style")
            << QByteArray(
                   R"({"figures": [{"out": "/tmp/x.png", "series": [{"style": "zig", "x": [1], "y": [1]}]}]})")
            << "figures[0]: series[0].style";
        QTest::newRow("run without db")
            << QByteArray(
                   R"({"figures": [{"out": "/tmp/x.png", "series": [{"run": 1, "metric": "val_loss"}]}]})")
            << "names no db";
        QTest::newRow("x and y differ")
            << QByteArray(R"({"figures": [{"out": "/tmp/x.png", "series": [{"x": [1, 2], "y": [1]}]}]})")
            << "x has 2 values, y has 1";
    }
    void badDescriptionsNameTheField() {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        const auto o = render::renderDocument(json);
        QVERIFY(o.written.isEmpty());
        QVERIFY2(!o.errors.isEmpty() && o.errors.first().contains(expected), qPrintable(o.errors.join("; ")));
    }

    void reportRendersThroughAnnealRender() {
        const QString renderer = QFileInfo(test::cliPath()).absoluteDir().filePath("anneal-render");
        QVERIFY2(QFileInfo(renderer).isExecutable(),
                 qPrintable("a GUI build has anneal-render next to anneal-cli: " + renderer));
        {
            std::ofstream b(m_dir.path("base.toml"));
            b << test::tinyExperimentToml(20);
            std::ofstream p(m_dir.path("plan.toml"));
            p << "name = \"render-test\"\nbase = \"base.toml\"\n[grid]\nseed = [1, 2]\n[resources]\njobs = "
                 "2\n";
        }
        const QString db = m_dir.qpath("plan.db");
        const auto s = test::runCli({"sweep", m_dir.qpath("plan.toml"), "--db", db}, 300000);
        QVERIFY2(s.exitCode == 0, qPrintable(s.err));
        const QString out = m_dir.qpath("report");
        const auto r =
            test::runCli({"report", m_dir.qpath("plan.toml"), "--db", db, "--out", out, "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY2(j["figures_rendered"].toBool(), qPrintable(j["figures_note"].toString()));
        const QJsonArray files = j["figures"].toArray();
        QVERIFY(!files.isEmpty());
        for (const auto& f : files) {
            QImage img(f.toString());
            QVERIFY2(!img.isNull(), qPrintable(f.toString()));
            img = img.convertToFormat(QImage::Format_ARGB32);
            QVERIFY2(inkShare(img) > 0.02, qPrintable(f.toString() + " is blank"));
            QVERIFY2(countNear(img, ui::curveColor(0)) > 150 && countNear(img, ui::curveColor(1)) > 150,
                     qPrintable(f.toString() + " lacks a run's curve"));
        }
        // The report directory moved elsewhere (a committed report) re-renders in place: figures.json
        // names its PNGs relative to itself, and --db points at a copy of the database.
        const QString moved = m_dir.qpath("moved");
        QVERIFY(QDir().rename(out, moved));
        QVERIFY(QFile::copy(db, m_dir.qpath("copy.db")));
        QVERIFY(QFile::remove(db));
        for (const auto& f : files) {
            QFile::remove(moved + "/" + QFileInfo(f.toString()).fileName());
        }
        QProcess p;
        p.start(renderer, {moved + "/figures.json", "--db", m_dir.qpath("copy.db")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        for (const auto& f : files) {
            const QString again = moved + "/" + QFileInfo(f.toString()).fileName();
            QVERIFY2(!QImage(again).isNull(), qPrintable(again + " was not re-rendered"));
        }
        QVERIFY(!QDir(out).exists());  // nothing written where the report used to be
    }
};

QTEST_MAIN(TestRender)
#include "test_render.moc"
