// SPDX-License-Identifier: GPL-3.0-or-later
// ScalingLawView's drawing of a fit: the points with the law (slices, power curve or annealing
// curves) and the bootstrap band, residuals, the compute-optimal frontier, the parameter table and
// the prediction at the typed target.
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <algorithm>
#include <cmath>

#include "anneal/fit/compute_optimal.h"
#include "anneal/fit/fit.h"
#include "anneal/fit/law.h"
#include "fit_plot.h"
#include "scaling_law_view.h"
#include "series_plot.h"

namespace anneal::ui {

namespace {

constexpr int kCurvePoints = 160;
const QColor kHeldOut(0xf2, 0x8e, 0x2b);

QString num(double v) { return std::isfinite(v) ? QString::number(v, 'g', 5) : QStringLiteral("—"); }

QString bandText(double lo, double hi, double level) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) {
        return {};
    }
    return QObject::tr(" [%1, %2] (%3 % bootstrap)").arg(num(lo), num(hi)).arg(level * 100, 0, 'g', 3);
}

}  // namespace

void ScalingLawView::drawFit() {
    fillParams();
    updatePrediction();
    drawPoints();
    drawResiduals();
    drawFrontier();
}

void ScalingLawView::fillParams() {
    const fit::FitResult& f = m_fit;
    m_params->setRowCount(static_cast<int>(f.params.size()));
    for (int i = 0; i < static_cast<int>(f.params.size()); ++i) {
        const fit::ParamEstimate& p = f.params[static_cast<std::size_t>(i)];
        const QStringList cells = {QString::fromStdString(p.name) + (p.fixed ? tr(" (fixed)") : QString()),
                                   num(p.value),
                                   num(p.ciLow),
                                   num(p.ciHigh),
                                   num(p.seBootstrap),
                                   num(p.seAsymptotic)};
        for (int c = 0; c < cells.size(); ++c) {
            m_params->setItem(i, c, new QTableWidgetItem(cells[c]));
        }
    }
    QString summary =
        tr("<b>%1</b>: %2<br>objective %3 on %4 points")
            .arg(QString::fromStdString(f.law),
                 QString::fromStdString(fit::lawByName(f.law).equation()).toHtmlEscaped(), num(f.objective))
            .arg(f.nPoints);
    if (f.nHeldOut > 0) {
        summary += tr(", %1 held out").arg(f.nHeldOut);
    }
    if (f.holdOut) {
        summary += tr("<br>hold-out: RMSE(log) %1, max |relative error| %2")
                       .arg(num(f.holdOut->rmseLog), num(f.holdOut->maxAbsRelative));
    }
    if (f.bootstrapResamples > 0) {
        summary += tr("<br>%1 bootstrap resamples, intervals at %2 %")
                       .arg(f.bootstrapResamples)
                       .arg(f.ciLevel * 100, 0, 'g', 3);
    }
    summary += tr("<br>source: %1").arg(QString::fromStdString(m_provenance.source).toHtmlEscaped());
    for (const fit::RunPrediction& r : m_heldOut) {
        const fit::CurveErrors& e = r.errors;
        summary +=
            tr("<br>held-out run %1 (%2), %3 at %4 steps: PredE %5 %, WorstE %6 % (step %7), final "
               "loss %8 predicted %9 (%10 %)")
                .arg(r.runId)
                .arg(QString::fromStdString(r.runName).toHtmlEscaped(), QString::fromStdString(r.metric))
                .arg(r.steps.size())
                .arg(100 * e.meanRelative, 0, 'g', 3)
                .arg(100 * e.worstRelative, 0, 'g', 3)
                .arg(r.steps[e.worstIndex])
                .arg(r.observed.back(), 0, 'f', 4)
                .arg(r.predicted.back(), 0, 'f', 4)
                .arg(QString::asprintf("%+.3g", 100 * e.finalRelative));
    }
    for (const fit::FitWarning& w : f.warnings) {
        summary += tr("<br>⚠ %1: %2")
                       .arg(QString::fromStdString(w.field).toHtmlEscaped(),
                            QString::fromStdString(w.message).toHtmlEscaped());
    }
    m_summary->setText(summary);
}

void ScalingLawView::updatePrediction() {
    m_prediction = Prediction{};
    const fit::FitResult& f = m_fit;
    if (fit::isCurveLaw(f.law)) {
        m_predictionLabel->setText(
            tr("An %1 fit predicts whole loss curves: open the Schedule tab and pick this fit.")
                .arg(QString::fromStdString(f.law)));
        return;
    }
    QStringList lines;
    try {
        m_prediction = predictWithBand(f, m_target);
        const double level = std::isfinite(f.ciLevel) ? f.ciLevel : 0.95;
        lines << tr("%1 = <b>%2</b>%3")
                     .arg(f.law == "steplaw" ? tr("best LR") : tr("loss"), num(m_prediction.value),
                          bandText(m_prediction.lo, m_prediction.hi, level));
    } catch (const std::exception&) {
        lines << (f.law == "power" ? tr("Type the law's variable (%1) to extrapolate.")
                                         .arg(QString::fromStdString(f.options.variable))
                                   : tr("Type N and D (or N and C) to extrapolate."));
    }
    if (f.law == "chinchilla") {
        double c = m_target.c;
        if (!std::isfinite(c) && std::isfinite(m_target.n) && std::isfinite(m_target.d)) {
            c = 6.0 * m_target.n * m_target.d;
        }
        if (std::isfinite(c) && c > 0) {
            const fit::Allocation a = fit::computeOptimal(fit::chinchillaParams(f), c);
            lines << tr("compute-optimal at C = %1: N = %2, D = %3 (%4 tokens/parameter), loss %5")
                         .arg(num(c), num(a.nOpt), num(a.dOpt), num(a.dOpt / a.nOpt), num(a.loss));
        }
    }
    m_predictionLabel->setText(lines.join(QStringLiteral("<br>")));
}

void ScalingLawView::drawPoints() {
    const fit::FitResult& f = m_fit;
    const std::vector<double> params = f.values();
    FitPlot* plot = m_fitPlot;
    plot->clear();
    plot->setPlaceholder({});
    const QString yLabel = fitPlotYLabel(f);
    if (fit::isCurveLaw(f.law)) {
        plot->setAxes(fitPlotXLabel(f), false, yLabel, false);
        const std::vector<XYCurve> predicted = annealingCurves(f, params);
        for (std::size_t i = 0; i < f.curves.size(); ++i) {
            const QColor color = curveColor(static_cast<int>(i));
            XYCurve obs{QString::fromStdString(f.curves[i].name), {}, {}};
            XYCurve held{tr("%1 (held out)").arg(obs.label), {}, {}};
            for (const fit::PointResult& p : f.points) {
                if (p.curve == static_cast<int>(i)) {
                    (p.heldOut ? held : obs).x.push_back(p.x);
                    (p.heldOut ? held : obs).y.push_back(p.observed);
                }
            }
            const fit::Curve& curve = f.curves[i];
            const std::vector<std::int64_t> steps = curvePlotSteps(curve.lr.size());
            plot->addBand(
                bootstrapBand(f, predicted[i].x,
                              [&](const std::vector<double>& ps) { return curveLawAt(f, ps, curve, steps); }),
                color);
            XYCurve law = predicted[i];
            law.label = tr("fit: %1").arg(obs.label);
            plot->addCurve(law, color);
            plot->addPoints(obs, color);
            if (!held.x.empty()) {
                plot->addPoints(held, color, true);
            }
        }
        // Held-out runs: observed (hollow) and predicted from their own LR sequence (dashed).
        for (std::size_t k = 0; k < m_heldOut.size(); ++k) {
            const fit::RunPrediction& r = m_heldOut[k];
            const QColor color = curveColor(static_cast<int>(f.curves.size() + k));
            const QString name =
                tr("held out: run %1 (%2)").arg(r.runId).arg(QString::fromStdString(r.runName));
            XYCurve obs{name, {}, {}}, pred{tr("%1, predicted").arg(name), {}, {}};
            for (std::size_t i = 0; i < r.steps.size(); ++i) {
                obs.x.push_back(static_cast<double>(r.steps[i]));
                obs.y.push_back(r.observed[i]);
                pred.x.push_back(static_cast<double>(r.steps[i]));
                pred.y.push_back(r.predicted[i]);
            }
            plot->addCurve(pred, color, Qt::DashLine);
            plot->addPoints(obs, color, true);
        }
        plot->rescale();
        return;
    }
    plot->setAxes(fitPlotXLabel(f), true, yLabel, true);
    const std::string target = f.law == "steplaw" ? "lr" : "loss";
    double xLo = INFINITY, xHi = -INFINITY;
    for (const fit::PointResult& p : f.points) {
        const double x = fitPlotX(f, p);
        if (p.target == target && x > 0) {
            xLo = std::min(xLo, x);
            xHi = std::max(xHi, x);
        }
    }
    if (!(xLo <= xHi)) {
        plot->setPlaceholder(tr("No points to draw"));
        return;
    }
    double targetX = m_target.n;
    if (f.law == "power") {
        const std::string& v = f.options.variable;
        targetX = v == "N" ? m_target.n : v == "D" ? m_target.d : v == "C" ? m_target.c : m_target.x;
    }
    const bool hasTarget = std::isfinite(m_prediction.value) && std::isfinite(targetX) && targetX > 0;
    auto evaluator = [&f](const std::vector<fit::Point>& pts) {
        return [&f, pts](const std::vector<double>& ps) { return evaluateLaw(f, ps, pts); };
    };
    if (fitHasSlices(f)) {
        const std::vector<Slice> slices = fitSlices(f);
        std::vector<bool> shown(f.points.size(), false);
        for (std::size_t k = 0; k < slices.size(); ++k) {
            const Slice& s = slices[k];
            const QColor color = curveColor(static_cast<int>(k));
            double lo = INFINITY, hi = -INFINITY;
            XYCurve obs{s.label, {}, {}}, held{tr("%1 (held out)").arg(s.label), {}, {}};
            for (std::size_t i : s.points) {
                const fit::PointResult& p = f.points[i];
                shown[i] = true;
                lo = std::min(lo, p.n);
                hi = std::max(hi, p.n);
                (p.heldOut ? held : obs).x.push_back(p.n);
                (p.heldOut ? held : obs).y.push_back(p.observed);
            }
            const std::vector<fit::Point> pts = slicePoints(s, lo / 1.3, hi * 1.3, kCurvePoints);
            XYCurve law{tr("fit at %1").arg(s.label), {}, evaluateLaw(f, params, pts)};
            for (const fit::Point& p : pts) {
                law.x.push_back(p.n);
            }
            plot->addBand(bootstrapBand(f, law.x, evaluator(pts)), color);
            plot->addCurve(law, color);
            plot->addPoints(obs, color, false, false);
            if (!held.x.empty()) {
                plot->addPoints(held, color, true, false);
            }
        }
        XYCurve other{tr("other points"), {}, {}};
        for (std::size_t i = 0; i < f.points.size(); ++i) {
            if (!shown[i] && f.points[i].target == target) {
                other.x.push_back(f.points[i].n);
                other.y.push_back(f.points[i].observed);
            }
        }
        if (!other.x.empty()) {
            plot->addPoints(other, QColor(0x9e, 0x9e, 0x9e));
        }
        if (hasTarget) {
            // The law along N at the target's D (or C), from the data to the target, with its band.
            Slice t;
            t.byCompute = !std::isfinite(m_target.d) && std::isfinite(m_target.c);
            t.value = t.byCompute ? m_target.c : m_target.d;
            const std::vector<fit::Point> pts =
                slicePoints(t, std::min(xLo, targetX) / 1.3, std::max(xHi, targetX) * 1.3, kCurvePoints);
            XYCurve law{tr("extrapolation at %1 = %2")
                            .arg(t.byCompute ? QStringLiteral("C") : QStringLiteral("D"), num(t.value)),
                        {},
                        evaluateLaw(f, params, pts)};
            for (const fit::Point& p : pts) {
                law.x.push_back(p.n);
            }
            plot->addBand(bootstrapBand(f, law.x, evaluator(pts)), QColor(0x55, 0x55, 0x55));
            plot->addCurve(law, palette().color(QPalette::WindowText), Qt::DashLine, 1.4);
        }
    } else {
        XYCurve obs{tr("points"), {}, {}}, held{tr("held out"), {}, {}};
        for (const fit::PointResult& p : f.points) {
            (p.heldOut ? held : obs).x.push_back(p.x);
            (p.heldOut ? held : obs).y.push_back(p.observed);
        }
        const double lo = (hasTarget ? std::min(xLo, targetX) : xLo) / 1.5;
        const double hi = (hasTarget ? std::max(xHi, targetX) : xHi) * 1.5;
        const std::vector<fit::Point> pts = powerPoints(f, lo, hi, kCurvePoints);
        XYCurve law{tr("fit: %1").arg(QString::fromStdString(fit::lawByName(f.law).equation())),
                    {},
                    evaluateLaw(f, params, pts)};
        for (const fit::Point& p : pts) {
            law.x.push_back(p.x);
        }
        plot->addBand(bootstrapBand(f, law.x, evaluator(pts)), curveColor(0), tr("bootstrap band"));
        plot->addCurve(law, curveColor(0));
        plot->addPoints(obs, curveColor(0));
        if (!held.x.empty()) {
            plot->addPoints(held, kHeldOut, true);
        }
    }
    if (hasTarget) {
        plot->addMarker(targetX, m_prediction.value, tr("target: %1").arg(num(m_prediction.value)),
                        QColor(0xe1, 0x57, 0x59));
    }
    plot->rescale();
}

void ScalingLawView::drawResiduals() {
    const fit::FitResult& f = m_fit;
    FitPlot* plot = m_residualPlot;
    plot->clear();
    const bool steps = fit::isCurveLaw(f.law);
    plot->setAxes(fitPlotXLabel(f), !steps, tr("log residual: log(predicted) − log(observed)"), false);
    XYCurve fitted{tr("fitted points"), {}, {}}, held{tr("held out"), {}, {}};
    for (const fit::PointResult& p : f.points) {
        const double x = fitPlotX(f, p);
        (p.heldOut ? held : fitted).x.push_back(x);
        (p.heldOut ? held : fitted).y.push_back(p.residual);
    }
    plot->addPoints(fitted, curveColor(0));
    if (!held.x.empty()) {
        plot->addPoints(held, kHeldOut, true);
    }
    QColor zero = palette().color(QPalette::WindowText);
    zero.setAlphaF(0.6);
    plot->addHorizontalLine(0, tr("0 = the law predicts the point exactly"), zero);
    plot->rescale();
}

void ScalingLawView::drawFrontier() {
    const fit::FitResult& f = m_fit;
    FitPlot* plot = m_frontierPlot;
    plot->clear();
    if (f.law != "chinchilla") {
        plot->setPlaceholder(tr("The compute-optimal frontier needs a chinchilla fit"));
        return;
    }
    plot->setPlaceholder({});
    plot->setAxes(tr("C (training FLOPs)"), true, tr("parameters N, tokens D"), true);
    double cLo = INFINITY, cHi = -INFINITY;
    XYCurve runs{tr("the fitted points' N"), {}, {}};
    for (const fit::PointResult& p : f.points) {
        const double c = std::isfinite(p.c) && p.c > 0 ? p.c : 6.0 * p.n * p.d;
        if (c > 0) {
            cLo = std::min(cLo, c);
            cHi = std::max(cHi, c);
            runs.x.push_back(c);
            runs.y.push_back(p.n);
        }
    }
    double targetC = m_target.c;
    if (!std::isfinite(targetC) && std::isfinite(m_target.n) && std::isfinite(m_target.d)) {
        targetC = 6.0 * m_target.n * m_target.d;
    }
    if (!(cLo <= cHi)) {
        return;
    }
    const double hi = std::max(cHi * 1e3, std::isfinite(targetC) ? targetC * 3 : 0.0);
    const Frontier fr = computeFrontier(f, cLo / 10, hi, kCurvePoints);
    plot->addCurve(XYCurve{tr("N_opt(C): parameters"), fr.c, fr.n}, curveColor(0));
    plot->addCurve(XYCurve{tr("D_opt(C): tokens"), fr.c, fr.d}, curveColor(1));
    plot->addPoints(runs, curveColor(0), true);
    if (std::isfinite(targetC) && targetC > 0) {
        const fit::Allocation a = fit::computeOptimal(fit::chinchillaParams(f), targetC);
        plot->addMarker(targetC, a.nOpt, tr("N_opt at the target C: %1").arg(num(a.nOpt)),
                        QColor(0xe1, 0x57, 0x59));
        plot->addMarker(targetC, a.dOpt, tr("D_opt at the target C: %1").arg(num(a.dOpt)),
                        QColor(0xe1, 0x57, 0x59));
    }
    plot->rescale();
}

}  // namespace anneal::ui
