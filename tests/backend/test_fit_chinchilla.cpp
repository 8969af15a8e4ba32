// SPDX-License-Identifier: GPL-3.0-or-later
// The Chinchilla reference data (METHODS 8.1 items 1-3): facts about the CSV, and Hoffmann et al.'s exact
// procedure (4500-point grid, L-BFGS, summed Huber(1e-3) of log residuals) reproducing Epoch's
// "replicate exactly" refit, recomputed with SciPy 1.10 in METHODS.
#include <QtTest>

#include <cmath>
#include <set>

#include "anneal/fit/fit.h"
#include "anneal/sha256.h"
#include "anneal/fit/table.h"
#include "test_fit_support.h"

using namespace anneal;
using namespace anneal::fit;

class TestFitChinchilla : public QObject {
    Q_OBJECT

private:
    FitResult m_fit;

private slots:
    void initTestCase();
    void csvFacts();
    void csvSha256();
    void dropHighestLosses();
    void hoffmannGrid();
    void exactRefit_data();
    void exactRefit();
    void objective();
    void residualsAreLogResiduals();
};

void TestFitChinchilla::initTestCase() {
    FitOptions opt;
    opt.law = "chinchilla";
    m_fit = fitLaw(fittest::chinchillaReferencePoints(), opt);
    qInfo(
        "chinchilla refit: E %.6f A %.3f B %.2f alpha %.6f beta %.6f objective %.9e (%zu/%zu starts "
        "converged, %.2f s)",
        m_fit.value("E"), m_fit.value("A"), m_fit.value("B"), m_fit.value("alpha"), m_fit.value("beta"),
        m_fit.objective, m_fit.startsConverged, m_fit.startsTotal, m_fit.seconds);
}

// METHODS 8.1 item 1.
void TestFitChinchilla::csvFacts() {
    TableSpec spec;
    spec.numeric = {"x", "y", "Model Size", "Training FLOP", "loss"};
    spec.text = {"color", "hex_color"};
    const Table t = readTable(test::dataFile("reference/chinchilla_svg_extracted.csv"), spec);
    QCOMPARE(t.rows(), size_t(245));
    const std::vector<std::string> columns = {"x",         "y",   "color", "Model Size", "Training FLOP",
                                              "hex_color", "loss"};
    QVERIFY(t.columnsFound == columns);
    QCOMPARE(t.column("Model Size")[0], 6795600349.289497);
    QCOMPARE(t.column("Training FLOP")[0], 9.993852799709755e18);
    QCOMPARE(t.column("loss")[0], 5.005581996196243);
    const auto& loss = t.column("loss");
    QCOMPARE(*std::min_element(loss.begin(), loss.end()), 2.0773942450664395);
    QCOMPARE(*std::max_element(loss.begin(), loss.end()), 5.005581996196243);
    QCOMPARE(t.text.at("hex_color")[0], std::string("#faebdd"));
    QCOMPARE(t.lines[0], size_t(2));
}

// METHODS 7.3: SHA-256 of the verbatim copy.
void TestFitChinchilla::csvSha256() {
    QCOMPARE(QString::fromStdString(sha256File(test::dataFile("reference/chinchilla_svg_extracted.csv"))),
             QString("193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30"));
}

// METHODS 8.1 item 2.
void TestFitChinchilla::dropHighestLosses() {
    const FitInput in = fittest::chinchillaReferencePoints();
    QCOMPARE(in.loss.size(), size_t(240));
    QCOMPARE(m_fit.nPoints, size_t(240));
    QCOMPARE(m_fit.points.size(), size_t(240));
    QVERIFY(*std::max_element(in.loss.begin(), in.loss.end()) < 5.0);
}

// METHODS 7.2: alpha, beta in {0, .5, .., 2}, e in {-1, -.5, .., 1}, a, b in {0, 5, .., 25}; 4500 starts.
void TestFitChinchilla::hoffmannGrid() {
    const auto grid = lawByName("chinchilla").startGrid(fittest::chinchillaReferencePoints(), FitOptions{});
    QCOMPARE(grid.size(), size_t(4500));
    QCOMPARE(m_fit.startsTotal, size_t(4500));
    std::set<std::vector<long>> seen;
    for (const auto& p : grid) {
        // Reported units: E = e^e, A = e^a, B = e^b; map back to the grid's lattice.
        const long e = std::lround(2 * std::log(p[0])), a = std::lround(std::log(p[1]) / 5);
        const long b = std::lround(std::log(p[2]) / 5), al = std::lround(2 * p[3]),
                   be = std::lround(2 * p[4]);
        QVERIFY(std::fabs(std::log(p[0]) - 0.5 * e) < 1e-12 && std::fabs(std::log(p[1]) - 5.0 * a) < 1e-12);
        QVERIFY(e >= -2 && e <= 2 && a >= 0 && a <= 5 && b >= 0 && b <= 5 && al >= 0 && al <= 4 && be >= 0 &&
                be <= 4);
        seen.insert({e, a, b, al, be});
    }
    QCOMPARE(seen.size(), size_t(4500));
}

// METHODS 8.1 item 3 (Epoch "replicate exactly"; recomputed with SciPy 1.10), suggested tolerances.
void TestFitChinchilla::exactRefit_data() {
    QTest::addColumn<QString>("param");
    QTest::addColumn<double>("reference");
    QTest::addColumn<double>("absTol");
    QTest::addColumn<double>("relTol");
    QTest::newRow("E") << "E" << 1.8172 << 0.002 << 0.0;
    QTest::newRow("alpha") << "alpha" << 0.3473 << 0.002 << 0.0;
    QTest::newRow("beta") << "beta" << 0.3672 << 0.002 << 0.0;
    QTest::newRow("A") << "A" << 477.8 << 0.0 << 0.03;
    QTest::newRow("B") << "B" << 2143.8 << 0.0 << 0.05;
}

void TestFitChinchilla::exactRefit() {
    QFETCH(QString, param);
    QFETCH(double, reference);
    QFETCH(double, absTol);
    QFETCH(double, relTol);
    const double v = m_fit.value(param.toStdString());
    const double tol = absTol > 0 ? absTol : relTol * reference;
    qInfo("%s = %.6g, reference %.6g, error %.3g (tolerance %.3g)", qPrintable(param), v, reference,
          std::fabs(v - reference), tol);
    QVERIFY2(std::fabs(v - reference) <= tol, qPrintable(QString("%1 = %2").arg(param).arg(v)));
}

// Minimum objective 1.018274e-3 (SciPy). L-BFGS-B's looser stop can only be above the true minimum.
void TestFitChinchilla::objective() {
    qInfo("objective %.9e vs reference 1.018274e-3", m_fit.objective);
    QVERIFY(std::fabs(m_fit.objective - 1.018274e-3) <= 1e-5 * 1.018274e-3);
    QVERIFY(m_fit.objective <= 1.018274e-3 * (1 + 1e-6));
    QVERIFY(m_fit.startsConverged > 0);
}

// Each residual is log(Lhat) - log(L) with Lhat from the fitted formula, and the objective is the sum of
// their Huber terms (recomputed here from the parameters).
void TestFitChinchilla::residualsAreLogResiduals() {
    const double E = m_fit.value("E"), A = m_fit.value("A"), B = m_fit.value("B");
    const double al = m_fit.value("alpha"), be = m_fit.value("beta");
    double sum = 0.0, worst = 0.0;
    for (const PointResult& p : m_fit.points) {
        const double lhat = E + A / std::pow(p.n, al) + B / std::pow(p.c / (6 * p.n), be);
        const double r = std::log(lhat) - std::log(p.observed);
        worst = std::max(worst, std::fabs(r - p.residual));
        sum += std::fabs(r) <= 1e-3 ? 0.5 * r * r : 1e-3 * (std::fabs(r) - 0.5e-3);
        QVERIFY(!p.heldOut);
    }
    qInfo("worst residual mismatch %.3g", worst);
    QVERIFY(worst < 1e-12);
    QVERIFY(std::fabs(sum - m_fit.objective) < 1e-12);
}

QTEST_APPLESS_MAIN(TestFitChinchilla)
#include "test_fit_chinchilla.moc"
