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
// Errors name the figure and the field.

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace anneal::render {

struct RenderOutcome {
    QStringList written;  ///< PNG files written
    QStringList errors;   ///< "figures[2]: ..." for each figure that failed
};

/// Draws every figure of a document. Needs a QApplication (the offscreen platform will do).
RenderOutcome renderDocument(const QByteArray& json);
/// Draws one figure; `db` is the document's database ("" when no series reads one).
bool renderFigure(const QJsonObject& figure, const QString& db, QString* error);

}  // namespace anneal::render
