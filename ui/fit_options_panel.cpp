// SPDX-License-Identifier: GPL-3.0-or-later
#include "fit_options_panel.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

#include "anneal/fit/law.h"
#include "anneal/table.h"

namespace anneal::ui {

namespace {

QString runList(const QList<qint64>& runs) {
    QStringList ids;
    for (qint64 id : runs) {
        ids << QString::number(id);
    }
    return ids.join(QStringLiteral(", "));
}

const QStringList kColumnRoles = {QStringLiteral("n"),  QStringLiteral("d"),    QStringLiteral("c"),
                                  QStringLiteral("x"),  QStringLiteral("loss"), QStringLiteral("step"),
                                  QStringLiteral("lr"), QStringLiteral("group")};

/// The column of a file that most likely holds a role ("" when none).
QString guessColumn(const QString& role, const QStringList& columns) {
    static const QMap<QString, QStringList> kNames = {
        {QStringLiteral("n"),
         {"n", "N", "params", "parameters", "model size", "model_size", "non_embedding_params"}},
        {QStringLiteral("d"), {"d", "D", "tokens", "data", "training tokens", "training_tokens"}},
        {QStringLiteral("c"),
         {"c", "C", "flops", "compute", "training flop", "training flops", "training_flops"}},
        {QStringLiteral("x"), {"x"}},
        {QStringLiteral("loss"), {"loss", "val_loss", "train_loss"}},
        {QStringLiteral("step"), {"step", "steps"}},
        {QStringLiteral("lr"), {"lr", "learning_rate"}},
        {QStringLiteral("group"), {"run", "curve", "group"}}};
    for (const QString& name : kNames.value(role)) {
        for (const QString& c : columns) {
            if (c.compare(name, Qt::CaseInsensitive) == 0) {
                return c;
            }
        }
    }
    return {};
}

bool parseNumber(const QString& text, double& out, bool allowEmpty) {
    if (text.trimmed().isEmpty()) {
        out = std::nan("");
        return allowEmpty;
    }
    bool ok = false;
    out = text.trimmed().toDouble(&ok);
    return ok && std::isfinite(out);
}

}  // namespace

FitOptionsPanel::FitOptionsPanel(QWidget* parent)
    : QWidget(parent),
      m_sourceGroup(new QButtonGroup(this)),
      m_fromRuns(new QRadioButton(tr("Selected runs"), this)),
      m_fromGroup(new QRadioButton(tr("Sweep group"), this)),
      m_fromFile(new QRadioButton(tr("File (CSV / JSONL)"), this)),
      m_group(new QComboBox(this)),
      m_file(new QLineEdit(this)),
      m_columnsBox(new QWidget(this)),
      m_columnsForm(new QFormLayout(m_columnsBox)),
      m_law(new QComboBox(this)),
      m_variable(new QComboBox(this)),
      m_metric(new QLineEdit(QStringLiteral("val_loss"), this)),
      m_withEmbeddings(new QCheckBox(tr("N includes embeddings"), this)),
      m_bootstrap(new QSpinBox(this)),
      m_holdOut(new QLineEdit(this)),
      m_heldOutRuns(new QLineEdit(this)),
      m_minStep(new QLineEdit(this)),
      m_lambda(new QLineEdit(QStringLiteral("0.999"), this)),
      m_fitLambda(new QCheckBox(tr("fit λ"), this)),
      m_warmup(new QComboBox(this)),
      m_form(new QFormLayout) {
    setObjectName(QStringLiteral("fitOptions"));
    m_sourceGroup->addButton(m_fromRuns, static_cast<int>(FitRequest::Source::Runs));
    m_sourceGroup->addButton(m_fromGroup, static_cast<int>(FitRequest::Source::Group));
    m_sourceGroup->addButton(m_fromFile, static_cast<int>(FitRequest::Source::File));
    m_fromRuns->setChecked(true);
    m_file->setPlaceholderText(tr("points.csv or curves.jsonl"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    m_columnsForm->setContentsMargins(16, 0, 0, 0);
    const QStringList labels = {tr("N column"),    tr("D column"),    tr("C column"),  tr("x column"),
                                tr("loss column"), tr("step column"), tr("LR column"), tr("curve column")};
    for (int i = 0; i < kColumnRoles.size(); ++i) {
        auto* c = new QComboBox(this);
        c->setEditable(true);
        c->setObjectName(QStringLiteral("column_") + kColumnRoles[i]);
        m_columns[kColumnRoles[i]] = c;
        m_columnsForm->addRow(labels[i], c);
        connect(c, &QComboBox::currentTextChanged, this, &FitOptionsPanel::changed);
    }

    for (const std::string& name : fit::lawNames()) {
        const QString law = QString::fromStdString(name);
        m_law->addItem(law, law);
        m_law->setItemData(m_law->count() - 1, QString::fromStdString(fit::lawByName(name).equation()),
                           Qt::ToolTipRole);
    }
    m_variable->addItems({QStringLiteral("auto"), QStringLiteral("N"), QStringLiteral("D"),
                          QStringLiteral("C"), QStringLiteral("steps")});
    m_variable->setToolTip(tr("power law: the variable x of L = E + A·x^-α"));
    m_metric->setToolTip(tr("The loss of runs to fit: val_loss is the mix-weighted mean validation loss"));
    m_bootstrap->setRange(0, 100000);
    m_bootstrap->setValue(100);
    m_bootstrap->setToolTip(tr("Bootstrap resamples for confidence intervals and the band (0: none)"));
    m_holdOut->setPlaceholderText(tr("none"));
    m_holdOut->setToolTip(
        tr("Fit on points with N (power: its variable; lr_annealing, mpl: the step) up to this; score the "
           "rest"));
    m_heldOutRuns->setObjectName(QStringLiteral("heldOutRuns"));
    m_heldOutRuns->setPlaceholderText(tr("none (run ids, e.g. 5, 7)"));
    m_heldOutRuns->setToolTip(
        tr("lr_annealing, mpl: selected runs left out of the fit and predicted from their own LR sequence; "
           "the summary gives each one's PredE, WorstE and final-loss error (Luo et al.)"));
    m_minStep->setObjectName(QStringLiteral("minStep"));
    m_minStep->setPlaceholderText(QStringLiteral("0"));
    m_minStep->setToolTip(
        tr("lr_annealing, mpl: losses logged before this step are left out of the fit and of the held-out "
           "runs' errors (the early transient); their LR still counts"));
    m_lambda->setToolTip(tr("lr_annealing: decay factor of the annealing momentum"));
    m_warmup->addItem(tr("warmup in S1, no negative annealing area"), QStringLiteral("clamp"));
    m_warmup->addItem(tr("start S1 and S2 after warmup"), QStringLiteral("after"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("<b>Points</b>"), this));
    layout->addWidget(m_fromRuns);
    layout->addWidget(m_fromGroup);
    auto* groupRow = new QHBoxLayout;
    groupRow->setContentsMargins(16, 0, 0, 0);
    groupRow->addWidget(m_group, 1);
    layout->addLayout(groupRow);
    layout->addWidget(m_fromFile);
    auto* fileBox = new QVBoxLayout;
    fileBox->setContentsMargins(16, 0, 0, 0);
    fileBox->addLayout(fileRow);
    layout->addLayout(fileBox);
    layout->addWidget(m_columnsBox);
    layout->addWidget(new QLabel(tr("<b>Law</b>"), this));
    m_form->addRow(tr("Law"), m_law);
    m_form->addRow(tr("Variable"), m_variable);
    m_form->addRow(tr("Metric"), m_metric);
    m_form->addRow(QString(), m_withEmbeddings);
    m_form->addRow(tr("Bootstrap K"), m_bootstrap);
    m_form->addRow(tr("Hold out above"), m_holdOut);
    m_form->addRow(tr("Held-out runs"), m_heldOutRuns);
    m_form->addRow(tr("Fit from step"), m_minStep);
    auto* lambdaRow = new QHBoxLayout;
    lambdaRow->addWidget(m_lambda, 1);
    lambdaRow->addWidget(m_fitLambda);
    m_form->addRow(tr("λ"), lambdaRow);
    m_form->addRow(tr("Warmup"), m_warmup);
    layout->addLayout(m_form);

    connect(m_sourceGroup, &QButtonGroup::idClicked, this, [this] {
        updateVisibility();
        emit changed();
    });
    connect(m_law, &QComboBox::currentIndexChanged, this, [this] {
        updateVisibility();
        emit changed();
    });
    connect(browse, &QPushButton::clicked, this, &FitOptionsPanel::browseRequested);
    connect(m_file, &QLineEdit::editingFinished, this, [this] {
        if (!m_file->text().isEmpty()) {
            setFile(m_file->text());
        }
    });
    for (QWidget* w : std::initializer_list<QWidget*>{m_variable, m_group, m_warmup}) {
        connect(static_cast<QComboBox*>(w), &QComboBox::currentIndexChanged, this, &FitOptionsPanel::changed);
    }
    setLaw(QStringLiteral("chinchilla"));
    setSelectedRuns({});
    updateVisibility();
}

QComboBox* FitOptionsPanel::columnCombo(const QString& role) const { return m_columns.value(role); }

void FitOptionsPanel::setSelectedRuns(const QList<qint64>& runIds) {
    m_runs = runIds;
    QStringList ids;
    for (qint64 id : runIds) {
        ids << QString::number(id);
    }
    // A few ids are listed; a long selection is counted (the ids go to the tooltip) so the form keeps
    // its width.
    m_fromRuns->setText(runIds.isEmpty() ? tr("Selected runs (none selected)")
                        : runIds.size() <= 4
                            ? tr("Selected runs (%1)").arg(ids.join(QStringLiteral(", ")))
                            : tr("Selected runs (%n run(s))", nullptr, static_cast<int>(runIds.size())));
    m_fromRuns->setToolTip(ids.join(QStringLiteral(", ")));
}

void FitOptionsPanel::setGroups(const QStringList& groups) {
    const QString current = m_group->currentText();
    m_group->blockSignals(true);
    m_group->clear();
    m_group->addItems(groups);
    m_group->setCurrentIndex(std::max(0, m_group->findText(current)));
    m_group->blockSignals(false);
    m_fromGroup->setEnabled(!groups.isEmpty());
}

bool FitOptionsPanel::setFile(const QString& path, QString* error) {
    m_file->setText(path);
    setSource(FitRequest::Source::File);
    try {
        const anneal::Table t = anneal::readTable(path.toStdString(), anneal::TableSpec{});
        m_fileColumns.clear();
        for (const std::string& c : t.columnsFound) {
            m_fileColumns << QString::fromStdString(c);
        }
    } catch (const std::exception& e) {
        if (error) {
            *error = QString::fromStdString(e.what());
        }
        return false;
    }
    for (const QString& role : kColumnRoles) {
        QComboBox* c = m_columns[role];
        c->blockSignals(true);
        c->clear();
        c->addItem(QString());
        c->addItems(m_fileColumns);
        c->setCurrentText(guessColumn(role, m_fileColumns));
        c->blockSignals(false);
    }
    // A law that the columns can feed.
    const bool hasN = !m_columns[QStringLiteral("n")]->currentText().isEmpty();
    const bool hasDC = !m_columns[QStringLiteral("d")]->currentText().isEmpty() ||
                       !m_columns[QStringLiteral("c")]->currentText().isEmpty();
    if (!m_columns[QStringLiteral("step")]->currentText().isEmpty() &&
        !m_columns[QStringLiteral("lr")]->currentText().isEmpty()) {
        setLaw(QStringLiteral("lr_annealing"));
    } else if (hasN && hasDC) {
        setLaw(QStringLiteral("chinchilla"));
    } else {
        setLaw(QStringLiteral("power"));
    }
    updateVisibility();
    emit changed();
    return true;
}

void FitOptionsPanel::setSource(FitRequest::Source source) {
    m_sourceGroup->button(static_cast<int>(source))->setChecked(true);
    updateVisibility();
}

void FitOptionsPanel::setLaw(const QString& law) {
    const int i = m_law->findData(law);
    if (i >= 0) {
        m_law->setCurrentIndex(i);
    }
}

QString FitOptionsPanel::law() const { return m_law->currentData().toString(); }

void FitOptionsPanel::updateVisibility() {
    const QString l = law();
    const bool file = m_fromFile->isChecked();
    const bool curves = fit::isCurveLaw(l.toStdString());
    // lambda and the warmup mode belong to lr_annealing; mpl treats warmup its own way (mpl.h).
    const bool annealing = l == QLatin1String("lr_annealing");
    m_columnsBox->setVisible(file);
    auto showColumn = [this](const QString& role, bool on) {
        m_columnsForm->setRowVisible(m_columns[role], on);
    };
    showColumn(QStringLiteral("n"), !curves);
    showColumn(QStringLiteral("d"), !curves);
    showColumn(QStringLiteral("c"), !curves);
    showColumn(QStringLiteral("x"), l == QLatin1String("power"));
    showColumn(QStringLiteral("loss"), l != QLatin1String("steplaw"));
    showColumn(QStringLiteral("step"), curves);
    showColumn(QStringLiteral("lr"), curves || l == QLatin1String("steplaw"));
    showColumn(QStringLiteral("group"), curves);
    m_form->setRowVisible(m_variable, l == QLatin1String("power"));
    m_form->setRowVisible(m_metric, !file);
    m_form->setRowVisible(m_withEmbeddings, !file && !curves);
    m_lambda->setEnabled(annealing);
    m_fitLambda->setEnabled(annealing);
    m_form->setRowVisible(m_warmup, annealing);
    m_form->setRowVisible(m_heldOutRuns, curves && m_fromRuns->isChecked());
    m_form->setRowVisible(m_minStep, curves);
    m_group->setEnabled(m_fromGroup->isChecked());
    m_file->setEnabled(file);
}

bool FitOptionsPanel::request(FitRequest& out, QString* error) const {
    auto fail = [error](const QString& message) {
        if (error) {
            *error = message;
        }
        return false;
    };
    FitRequest r;
    r.source = static_cast<FitRequest::Source>(m_sourceGroup->checkedId());
    r.dbPath = m_dbPath;
    r.options.law = law().toStdString();
    r.options.variable = m_variable->currentText().toStdString();
    r.options.bootstrap = m_bootstrap->value();
    r.options.warmup = m_warmup->currentData().toString() == QLatin1String("after")
                           ? fit::WarmupMode::StartAfterWarmup
                           : fit::WarmupMode::ClampDrops;
    r.options.fitLambda = m_fitLambda->isChecked();
    if (!parseNumber(m_holdOut->text(), r.options.holdOutAbove, true)) {
        return fail(tr("Hold out above: '%1' is not a number").arg(m_holdOut->text()));
    }
    if (!parseNumber(m_lambda->text(), r.options.lambda, false) || r.options.lambda < 0 ||
        r.options.lambda > 1) {
        return fail(tr("λ: '%1' is not a number in [0, 1]").arg(m_lambda->text()));
    }
    if (fit::isCurveLaw(r.options.law)) {
        bool ok = true;
        const QString minStep = m_minStep->text().trimmed();
        r.minStep = minStep.isEmpty() ? 0 : minStep.toLongLong(&ok);
        if (!ok || r.minStep < 0) {
            return fail(tr("Fit from step: '%1' is not a step (an integer >= 0)").arg(minStep));
        }
        if (r.source == FitRequest::Source::Runs) {
            for (const QString& part : m_heldOutRuns->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const qint64 id = part.trimmed().toLongLong(&ok);
                if (!ok || !m_runs.contains(id)) {
                    return fail(tr("Held-out runs: '%1' is not one of the selected runs (%2)")
                                    .arg(part.trimmed(), runList(m_runs)));
                }
                r.heldOutRuns.push_back(id);
            }
        }
    }
    r.metric = m_metric->text().trimmed();
    r.includeEmbeddings = m_withEmbeddings->isChecked();
    switch (r.source) {
        case FitRequest::Source::Runs:
            if (m_runs.isEmpty()) {
                return fail(tr("Select the runs to fit in the run browser"));
            }
            for (qint64 id : m_runs) {
                r.runIds.push_back(id);
            }
            break;
        case FitRequest::Source::Group:
            if (m_group->currentText().isEmpty()) {
                return fail(tr("Choose a sweep group"));
            }
            r.group = m_group->currentText();
            break;
        case FitRequest::Source::File: {
            if (m_file->text().trimmed().isEmpty()) {
                return fail(tr("Choose a CSV or JSONL file"));
            }
            r.file = m_file->text().trimmed();
            auto col = [this](const char* role) {
                return m_columns[QString::fromLatin1(role)]->currentText().trimmed().toStdString();
            };
            const bool curves = fit::isCurveLaw(r.options.law);
            // The power law takes one variable: only its column (all of them for "auto").
            const bool power = r.options.law == "power";
            const std::string& v = r.options.variable;
            r.columns.n = curves || (power && v != "auto" && v != "N") ? "" : col("n");
            r.columns.d = curves || (power && v != "auto" && v != "D") ? "" : col("d");
            r.columns.c = curves || (power && v != "auto" && v != "C") ? "" : col("c");
            r.columns.x = power && (v == "auto" || v == "x" || v == "steps") ? col("x") : "";
            r.columns.loss = col("loss");
            r.columns.step = col("step");
            r.columns.lr = col("lr");
            r.columns.group = curves ? col("group") : "";
            if (r.columns.loss.empty() && r.options.law != "steplaw") {
                return fail(tr("Name the loss column of %1").arg(r.file));
            }
            break;
        }
    }
    out = r;
    return true;
}

}  // namespace anneal::ui
