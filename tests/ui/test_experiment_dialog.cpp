// SPDX-License-Identifier: GPL-3.0-or-later
// The new-experiment dialog: presets load and validate, the TOML it produces round-trips through
// anneal::parseExperiment, a bad value shows the backend's field and message under its widget (or
// the domain table), files save and load, and "Start run" hands the TOML over.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QtTest>

#include "anneal/config.h"
#include "domain_table.h"
#include "experiment_dialog.h"
#include "resources.h"
#include "temp_paths.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

void typeInto(QWidget* w, const QString& text) {
    auto* edit = qobject_cast<QLineEdit*>(w);
    QVERIFY2(edit, "a line edit");
    edit->selectAll();
    QTest::keyClicks(edit, text);
}

}  // namespace

class TestExperimentDialog : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { initResources(); }
    void defaultPresetRoundTrips();
    void badValueShowsFieldError_data();
    void badValueShowsFieldError();
    void domainErrorShowsUnderTable();
    void kindHidesUnusedKeys();
    void saveLoadAndStart();
    void paramsText();

private:
    test::TempDir m_tmp;
};

void TestExperimentDialog::defaultPresetRoundTrips() {
    ExperimentDialog dialog;
    QVERIFY2(dialog.validate().isEmpty(), qPrintable(dialog.validationError()));
    const ExperimentSpec preset = parseExperiment(defaultExperimentText().toStdString(), "default");
    QCOMPARE(dialog.tomlText(), QString::fromStdString(toToml(preset)));
    QCOMPARE(dialog.domainTable()->table()->rowCount(), 4);
    QCOMPARE(qobject_cast<QLineEdit*>(dialog.fieldWidget(QStringLiteral("train.lr")))->text(),
             QStringLiteral("0.003"));
}

void TestExperimentDialog::badValueShowsFieldError_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("errorKey");
    QTest::newRow("negative lr") << "train.lr"
                                 << "-1"
                                 << "train.lr";
    QTest::newRow("lr not a number") << "train.lr"
                                     << "abc"
                                     << "train.lr";
    QTest::newRow("heads do not divide width") << "model.n_head"
                                               << "3"
                                               << "model.n_head";
    QTest::newRow("zero batch") << "data.batch_size"
                                << "0"
                                << "data.batch_size";
    QTest::newRow("beta2 above 1") << "train.betas[1]"
                                   << "1.5"
                                   << "train.betas";
}

void TestExperimentDialog::badValueShowsFieldError() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, errorKey);
    ExperimentDialog dialog;
    typeInto(dialog.fieldWidget(key), value);
    const QString error = dialog.validate();
    QVERIFY2(!error.isEmpty(), "the dialog reports the bad value");
    // The message sits under the widget of the field the backend names (or of its parent key).
    QString shown = dialog.fieldError(key);
    if (shown.isEmpty()) {
        shown = dialog.fieldError(errorKey);
    }
    QVERIFY2(!shown.isEmpty(), qPrintable(QStringLiteral("no message under %1; error: %2").arg(key, error)));
    QVERIFY2(error.contains(errorKey), qPrintable(error));
    // Its tab is marked.
    bool marked = false;
    for (int i = 0; i < dialog.pages()->count(); ++i) {
        marked = marked || dialog.pages()->tabText(i).endsWith(QStringLiteral("⚠"));
    }
    QVERIFY(marked);
}

void TestExperimentDialog::domainErrorShowsUnderTable() {
    ExperimentDialog dialog;
    QTableWidget* table = dialog.domainTable()->table();
    table->item(1, DomainTable::WeightColumn)->setText(QStringLiteral("-2"));
    const QString error = dialog.validate();
    QVERIFY2(error.contains(QStringLiteral("data.domain[1]")), qPrintable(error));
    QVERIFY(dialog.domainTable()->errorLabel()->text().contains(QStringLiteral("data.domain[1]")));
    QCOMPARE(table->currentRow(), 1);
    table->item(1, DomainTable::WeightColumn)->setText(QStringLiteral("0.25"));
    table->item(0, DomainTable::ParamsColumn)
        ->setText(QStringLiteral("order=2, alphabet=16, entropy=1.2, bogus=3"));
    const QString paramError = dialog.validate();
    QVERIFY2(
        paramError.contains(QStringLiteral("data.domain[0]")) && paramError.contains(QStringLiteral("bogus")),
        qPrintable(paramError));
}

void TestExperimentDialog::kindHidesUnusedKeys() {
    ExperimentDialog dialog;
    auto* kind = qobject_cast<QComboBox*>(dialog.fieldWidget(QStringLiteral("schedule.kind")));
    kind->setCurrentText(QStringLiteral("wsd"));
    QVERIFY(!dialog.fieldWidget(QStringLiteral("schedule.decay_fraction"))->isHidden());
    typeInto(dialog.fieldWidget(QStringLiteral("schedule.decay_fraction")), QStringLiteral("0.2"));
    QVERIFY2(dialog.validate().isEmpty(), qPrintable(dialog.validationError()));
    ExperimentSpec spec;
    QVERIFY(dialog.experiment(spec));
    QCOMPARE(spec.schedule.kind, std::string("wsd"));
    QCOMPARE(spec.schedule.decayFraction, 0.2);
    kind->setCurrentText(QStringLiteral("cosine"));
    QVERIFY(dialog.fieldWidget(QStringLiteral("schedule.decay_fraction"))->isHidden());
    QVERIFY(dialog.validate().isEmpty());  // the hidden key is not written
    QVERIFY(!dialog.tomlText().contains(QStringLiteral("decay_fraction")));
    auto* strategy = qobject_cast<QComboBox*>(dialog.fieldWidget(QStringLiteral("reweight.strategy")));
    strategy->setCurrentText(QStringLiteral("loss_linupper"));
    QVERIFY(!dialog.fieldWidget(QStringLiteral("reweight.delta"))->isHidden());
    QVERIFY(dialog.fieldWidget(QStringLiteral("reweight.meta_lr"))->isHidden());
    QVERIFY2(dialog.validate().isEmpty(), qPrintable(dialog.validationError()));
}

void TestExperimentDialog::saveLoadAndStart() {
    ExperimentDialog dialog;
    typeInto(dialog.fieldWidget(QStringLiteral("name")), QStringLiteral("saved-one"));
    typeInto(dialog.fieldWidget(QStringLiteral("train.steps")), QStringLiteral("123"));
    const QString path = m_tmp.qpath(QStringLiteral("saved.toml"));
    QString error;
    QVERIFY2(dialog.saveFile(path, &error), qPrintable(error));
    const ExperimentSpec saved = loadExperiment(path.toStdString());
    QCOMPARE(saved.name, std::string("saved-one"));
    QCOMPARE(saved.train.steps, std::int64_t(123));

    ExperimentDialog other;
    QVERIFY2(other.loadFile(path, &error), qPrintable(error));
    QCOMPARE(qobject_cast<QLineEdit*>(other.fieldWidget(QStringLiteral("train.steps")))->text(),
             QStringLiteral("123"));
    QSignalSpy run(&other, &ExperimentDialog::runRequested);
    for (QPushButton* b : other.findChildren<QPushButton*>()) {
        if (b->text().remove(QLatin1Char('&')) == QLatin1String("Start run")) {
            b->click();
        }
    }
    QCOMPARE(run.count(), 1);
    QCOMPARE(run.first().at(0).toString(), QString::fromStdString(toToml(saved)));

    QFile bad(m_tmp.qpath(QStringLiteral("bad.toml")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write(QString::fromStdString(test::tinyExperimentToml(10))
                  .replace(QStringLiteral("lr = 0.01"), QStringLiteral("lr = \"fast\""))
                  .toUtf8());
    bad.close();
    QVERIFY(!other.loadFile(bad.fileName(), &error));
    QVERIFY2(error.contains(QStringLiteral("train.lr")), qPrintable(error));
}

void TestExperimentDialog::paramsText() {
    SourceParams p;
    QString error;
    QVERIFY(DomainTable::parseParams(QStringLiteral("order=2, entropy=1.5, ops=\"+-*\", flag=true, x=3.0"), p,
                                     &error));
    QCOMPARE(std::get<std::int64_t>(p.at("order")), std::int64_t(2));
    QCOMPARE(std::get<double>(p.at("entropy")), 1.5);
    QCOMPARE(std::get<std::string>(p.at("ops")), std::string("+-*"));
    QCOMPARE(std::get<bool>(p.at("flag")), true);
    QCOMPARE(std::get<double>(p.at("x")), 3.0);
    SourceParams back;
    QVERIFY(DomainTable::parseParams(DomainTable::paramsText(p), back, &error));
    QVERIFY(back == p);
    QVERIFY(!DomainTable::parseParams(QStringLiteral("novalue"), p, &error));
}

QTEST_MAIN(TestExperimentDialog)
#include "test_experiment_dialog.moc"
