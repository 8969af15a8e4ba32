// SPDX-License-Identifier: GPL-3.0-or-later
// SeriesPlot's axes: log scales, labels, the placeholder text, and following the data vs a range the
// user chose.
#include <qcustomplot.h>

#include "series_plot.h"

namespace anneal::ui {

namespace {

QSharedPointer<QCPAxisTicker> tickerFor(bool log) {
    if (log) {
        auto t = QSharedPointer<QCPAxisTickerLog>::create();
        t->setLogBase(10);
        t->setSubTickCount(8);
        return t;
    }
    return QSharedPointer<QCPAxisTicker>::create();
}

}  // namespace

void SeriesPlot::setLogX(bool on) {
    m_logX = on;
    m_settingRange = true;
    m_plot->xAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->xAxis2->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->xAxis->setTicker(tickerFor(on));
    m_plot->xAxis2->setTicker(tickerFor(on));
    // Log: "10⁵", "3·10⁵", "1.2·10⁶", "250" ('g' with 3 digits, powers beautified). Over less than
    // about two decades QCPAxisTickerLog falls back to linear ticks, which an 'e' format with no
    // digits after the point rounded to duplicate labels (1.2·10⁶ shown as a second "10⁶").
    m_plot->xAxis->setNumberFormat(QStringLiteral("gb"));
    m_plot->xAxis->setNumberPrecision(on ? 3 : 6);
    m_settingRange = false;
    followData();
}

void SeriesPlot::setLogY(bool on) {
    m_logY = on;
    m_settingRange = true;
    m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->yAxis2->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    m_plot->yAxis->setTicker(tickerFor(on));
    m_plot->yAxis2->setTicker(tickerFor(on));
    m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
    m_settingRange = false;
    followData();
}

void SeriesPlot::setAxisLabels(const QString& x, const QString& y) {
    m_plot->xAxis->setLabel(x);
    m_plot->yAxis->setLabel(y);
    scheduleRefresh();
}

QString SeriesPlot::placeholder() const {
    return m_placeholder->visible() ? m_placeholder->text() : QString();
}

void SeriesPlot::setPlaceholder(const QString& text) {
    m_placeholder->setText(text);
    m_placeholder->setVisible(!text.isEmpty());
    scheduleRefresh();
}

void SeriesPlot::followData() {
    const bool changed = !m_follow;
    m_follow = true;
    if (changed) {
        emit followingChanged(true);
    }
    scheduleRefresh();
}

void SeriesPlot::setRange(double xLo, double xHi, double yLo, double yHi) {
    m_settingRange = true;
    m_plot->xAxis->setRange(xLo, xHi);
    m_plot->yAxis->setRange(yLo, yHi);
    m_settingRange = false;
    m_follow = false;
    scheduleRefresh();
}

void SeriesPlot::onRangeChanged() {
    if (!m_settingRange && m_follow) {
        m_follow = false;  // the user zoomed or panned
        emit followingChanged(false);
    }
    scheduleRefresh();
}

}  // namespace anneal::ui
