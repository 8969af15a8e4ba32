// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Figure descriptions (JSON, written by anneal-cli report: backend/src/report) drawn to PNG with the
// app's plot widget, SeriesPlot, offscreen. A document is
//   {"db": FILE, "figures": [{"out": PNG, "title", "x_label", "y_label", "x": "step" | "tokens",
//     "log_x", "log_y", "width", "height", "x_range": [lo, hi], "y_range": [lo, hi],
//     "series": [{"label", "style": "line" | "dash" | "markers" | "line+markers", "color": PALETTE_INDEX,
//     "legend": BOOL,
//                 "run": ID, "metric": NAME, "with_history": true}            (from the database)
//              | {"label", "style", "x": [...], "y": [...]}],                (computed points)
//     "runs": [ID...], "metrics": [NAME...],       (shorthand: one series per run and metric)
//     "reference_lines": [{"y", "label"}]}]}
// A relative "out" (what anneal-cli report writes) and a relative "db" are relative to the
// document's directory. Errors name the figure and the field.

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace anneal::render {

struct RenderOutcome {
    QStringList written;  ///< PNG files written
    QStringList errors;   ///< "figures[2]: ..." for each figure that failed
};

/// Draws every figure of a document. Needs a QApplication (the offscreen platform will do).
/// `baseDir`: the directory relative paths are resolved in (the document's; "" = the working
/// directory). `db`: a database to read instead of the document's "db" ("" = the document's).
RenderOutcome renderDocument(const QByteArray& json, const QString& baseDir = QString(),
                             const QString& db = QString());
/// Draws one figure; `db` is the document's database ("" when no series reads one).
bool renderFigure(const QJsonObject& figure, const QString& db, QString* error);

}  // namespace anneal::render
