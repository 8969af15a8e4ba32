// SPDX-License-Identifier: GPL-3.0-or-later
#include "figure_renderer.h"

#include <qcustomplot.h>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>
#include <map>
#include <memory>
#include <vector>

#include "anneal/error.h"
#include "anneal/store.h"
#include "series_plot.h"

namespace anneal::render {

namespace {

double number(const QJsonValue& v) { return v.isDouble() ? v.toDouble() : std::nan(""); }

ui::CurveStyle styleFor(const QJsonObject& s, int index, QString* error) {
    ui::CurveStyle st;
    st.label = s.value("label").toString();
    st.color = ui::curveColor(s.value("color").toInt(index));
    st.width = 1.8;
    const QString style = s.value("style").toString("line");
    if (style == "dash") {
        st.penStyle = Qt::DashLine;
    } else if (style == "markers") {
        st.penStyle = Qt::DotLine;
        st.width = 1.0;
        st.markers = true;
    } else if (style == "line+markers") {
        st.markers = true;
    } else if (style != "line") {
        *error = "style: '" + style + "' (allowed: line | dash | markers | line+markers)";
    }
    st.smoothable = false;
    st.inLegend = s.value("legend").toBool(true);
    return st;
}

}  // namespace

bool renderFigure(const QJsonObject& fig, const QString& db, QString* error) {
    const QString out = fig.value("out").toString();
    if (out.isEmpty()) {
        *error = "out: missing (the PNG to write)";
        return false;
    }
    const int width = fig.value("width").toInt(960), height = fig.value("height").toInt(540);
    if (width < 100 || height < 100 || width > 8000 || height > 8000) {
        *error = "width/height: out of range (100-8000)";
        return false;
    }
    const QString xAxis = fig.value("x").toString("step");
    if (xAxis != "step" && xAxis != "tokens") {
        *error = "x: '" + xAxis + "' (allowed: step | tokens)";
        return false;
    }
    // Series: explicit ones, then the runs x metrics shorthand.
    QJsonArray series = fig.value("series").toArray();
    for (const auto& run : fig.value("runs").toArray()) {
        for (const auto& m : fig.value("metrics").toArray()) {
            series.append(QJsonObject{{"label", QString("run %1 %2").arg(run.toInteger()).arg(m.toString())},
                                      {"run", run},
                                      {"metric", m},
                                      {"with_history", true}});
        }
    }
    std::unique_ptr<Store> store;
    ui::SeriesPlot plot;
    plot.resize(width, height);
    plot.setAttribute(Qt::WA_DontShowOnScreen, true);
    plot.show();  // lays the plot out, so decimation knows its pixel columns
    QCoreApplication::processEvents();
    for (int i = 0; i < series.size(); ++i) {
        const QJsonObject s = series[i].toObject();
        QString why;
        const ui::CurveStyle st = styleFor(s, i, &why);
        if (!why.isEmpty()) {
            *error = QString("series[%1].%2").arg(i).arg(why);
            return false;
        }
        std::vector<double> x, y;
        if (s.contains("run")) {
            if (db.isEmpty()) {
                *error = QString("series[%1]: reads run %2 but the document names no db")
                             .arg(i)
                             .arg(s.value("run").toInteger());
                return false;
            }
            if (!store) {
                store = Store::open(db.toStdString(), Store::Mode::ReadOnly);
            }
            const std::int64_t run = s.value("run").toInteger();
            const bool history = s.value("with_history").toBool(true);
            const MetricSeries m = store->metric(run, s.value("metric").toString().toStdString(), history);
            std::map<std::int64_t, double> tokens;
            if (xAxis == "tokens") {
                const StepAxis axis = store->stepAxis(run, history);
                for (size_t k = 0; k < axis.steps.size(); ++k) {
                    tokens[axis.steps[k]] = static_cast<double>(axis.tokens[k]);
                }
            }
            for (size_t k = 0; k < m.steps.size(); ++k) {
                double xv = static_cast<double>(m.steps[k]);
                if (xAxis == "tokens") {
                    auto it = tokens.find(m.steps[k]);
                    // Tokens after update `step` (the store's axis); the first points of a run may precede
                    // it.
                    xv = it != tokens.end() ? it->second : std::nan("");
                }
                if (std::isfinite(xv) && std::isfinite(m.values[k])) {
                    x.push_back(xv);
                    y.push_back(m.values[k]);
                }
            }
        } else {
            const QJsonArray xs = s.value("x").toArray(), ys = s.value("y").toArray();
            if (xs.size() != ys.size()) {
                *error =
                    QString("series[%1]: x has %2 values, y has %3").arg(i).arg(xs.size()).arg(ys.size());
                return false;
            }
            for (int k = 0; k < xs.size(); ++k) {
                const double xv = number(xs[k]), yv = number(ys[k]);
                if (std::isfinite(xv) && std::isfinite(yv)) {
                    x.push_back(xv);
                    y.push_back(yv);
                }
            }
        }
        const QString key = QString("s%1").arg(i);
        plot.setCurve(key, st);
        plot.setCurveData(key, std::move(x), std::move(y));
    }
    QVector<ui::ReferenceLine> refs;
    const QColor refColors[] = {QColor(0x55, 0x55, 0x55), QColor(0xb0, 0x3a, 0x2e), QColor(0x2e, 0x6f, 0xb0)};
    const QJsonArray rl = fig.value("reference_lines").toArray();
    for (int i = 0; i < rl.size(); ++i) {
        const double yv = number(rl[i].toObject().value("y"));
        if (!std::isfinite(yv)) {
            continue;
        }
        ui::ReferenceLine l;
        l.y = yv;
        l.color = refColors[i % 3];
        l.penStyle = Qt::DashLine;
        l.label = rl[i].toObject().value("label").toString();
        refs.push_back(l);
    }
    plot.setReferenceLines(refs);
    plot.setLogX(fig.value("log_x").toBool());
    plot.setLogY(fig.value("log_y").toBool());
    plot.setAxisLabels(fig.value("x_label").toString(xAxis),
                       fig.value("y_label").toString("loss (nats/token)"));
    const QString title = fig.value("title").toString();
    if (!title.isEmpty()) {
        QCustomPlot* qcp = plot.plot();
        qcp->plotLayout()->insertRow(0);
        QFont f = plot.font();
        f.setPointSizeF(f.pointSizeF() * 1.15);
        f.setBold(true);
        qcp->plotLayout()->addElement(0, 0, new QCPTextElement(qcp, title, f));
    }
    plot.refreshNow();
    const QJsonArray xr = fig.value("x_range").toArray(), yr = fig.value("y_range").toArray();
    if (xr.size() == 2 || yr.size() == 2) {
        QCustomPlot* qcp = plot.plot();
        const double x0 = xr.size() == 2 ? number(xr[0]) : qcp->xAxis->range().lower;
        const double x1 = xr.size() == 2 ? number(xr[1]) : qcp->xAxis->range().upper;
        const double y0 = yr.size() == 2 ? number(yr[0]) : qcp->yAxis->range().lower;
        const double y1 = yr.size() == 2 ? number(yr[1]) : qcp->yAxis->range().upper;
        plot.setRange(x0, x1, y0, y1);
    }
    QDir().mkpath(QFileInfo(out).absolutePath());
    QString exportError;
    if (!plot.exportImage(out, &exportError)) {
        *error = exportError;
        return false;
    }
    return true;
}

RenderOutcome renderDocument(const QByteArray& json, const QString& baseDir, const QString& dbOverride) {
    RenderOutcome o;
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (doc.isNull() || !doc.isObject()) {
        o.errors << "not a JSON object: " + pe.errorString() + QString(" at offset %1").arg(pe.offset);
        return o;
    }
    const QDir base(baseDir.isEmpty() ? QDir::currentPath() : baseDir);
    const QString docDb = doc.object().value("db").toString();
    const QString db = !dbOverride.isEmpty() ? dbOverride
                       : docDb.isEmpty()     ? docDb
                                             : base.absoluteFilePath(docDb);
    const QJsonArray figs = doc.object().value("figures").toArray();
    if (figs.isEmpty()) {
        o.errors << "figures: missing or empty";
    }
    for (int i = 0; i < figs.size(); ++i) {
        QString error;
        try {
            QJsonObject fig = figs[i].toObject();
            if (!fig.value("out").toString().isEmpty()) {
                fig["out"] = base.absoluteFilePath(fig.value("out").toString());
            }
            if (renderFigure(fig, db, &error)) {
                o.written << fig.value("out").toString();
                continue;
            }
        } catch (const anneal::Error& e) {
            error = QString::fromStdString(e.what());
        }
        o.errors << QString("figures[%1]: %2").arg(i).arg(error);
    }
    return o;
}

}  // namespace anneal::render
