// SPDX-License-Identifier: GPL-3.0-or-later
// Over ~400 lines: the Scaling-law tab's wiring; its options, plot, drawing and runner have own files.
#include "scaling_law_view.h"

#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>

#include "anneal/fit/fit_record.h"
#include "async_read.h"
#include "fit_options_panel.h"
#include "fit_plot.h"

namespace anneal::ui {

namespace {

double numberOf(const QLineEdit* e) {
    bool ok = false;
    const double v = e->text().trimmed().toDouble(&ok);
    return ok && std::isfinite(v) && v > 0 ? v : fit::kNaN;
}

QString formatText(const QString& format) {
    if (format == QLatin1String("json")) {
        return QObject::tr("JSON (*.json)");
    }
    if (format == QLatin1String("csv")) {
        return QObject::tr("CSV (*.csv)");
    }
    if (format == QLatin1String("latex")) {
        return QObject::tr("LaTeX (*.tex)");
    }
    return QObject::tr("Python (*.py)");
}

}  // namespace

ScalingLawView::ScalingLawView(QWidget* parent)
    : QWidget(parent),
      m_options(new FitOptionsPanel(this)),
      m_runner(new FitRunner(this)),
      m_fitPlot(new FitPlot(this)),
      m_residualPlot(new FitPlot(this)),
      m_frontierPlot(new FitPlot(this)),
      m_plotTabs(new QTabWidget(this)),
      m_progress(new QProgressBar(this)),
      m_fitButton(new QPushButton(tr("&Fit"), this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_status(new QLabel(this)),
      m_params(new QTableWidget(0, 6, this)),
      m_summary(new QLabel(this)),
      m_targetN(new QLineEdit(this)),
      m_targetD(new QLineEdit(this)),
      m_targetC(new QLineEdit(this)),
      m_targetX(new QLineEdit(this)),
      m_predictionLabel(new QLabel(this)),
      m_saveName(new QLineEdit(this)),
      m_saveButton(new QPushButton(tr("&Save to database"), this)),
      m_exportButton(new QToolButton(this)),
      m_storedTable(new QTableWidget(0, 5, this)) {
    setObjectName(QStringLiteral("scalingLawView"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("%p%"));
    m_cancelButton->setEnabled(false);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("fitStatus"));

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->addWidget(m_options);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_fitButton, 1);
    buttons->addWidget(m_cancelButton);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_progress);
    leftLayout->addWidget(m_status);
    leftLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    // Wide enough for the form's combos; a long "Selected runs (...)" label is clipped rather than
    // scrolled sideways.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(340);

    m_plotTabs->addTab(m_fitPlot, tr("Fit"));
    m_plotTabs->addTab(m_residualPlot, tr("Residuals"));
    m_plotTabs->addTab(m_frontierPlot, tr("Compute-optimal"));
    m_fitPlot->setPlaceholder(tr("Choose the points and a law, then Fit"));

    // The fitted parameters and what to do with the fit.
    m_params->setHorizontalHeaderLabels({tr("Parameter"), tr("Value"), tr("CI low"), tr("CI high"),
                                         tr("SE (bootstrap)"), tr("SE (sandwich)")});
    m_params->verticalHeader()->setVisible(false);
    m_params->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_params->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_params->setObjectName(QStringLiteral("fitParams"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* target = new QGroupBox(tr("Extrapolate to"), this);
    auto* targetForm = new QFormLayout(target);
    for (auto [edit, label, tip] :
         {std::tuple{m_targetN, tr("N"), tr("parameters, e.g. 7e10")},
          std::tuple{m_targetD, tr("D"), tr("tokens, e.g. 1.4e12")},
          std::tuple{m_targetC, tr("C"), tr("training FLOPs, e.g. 5.76e23 (D = C/(6N))")},
          std::tuple{m_targetX, tr("x"), tr("the power law's variable x (steps)")}}) {
        edit->setPlaceholderText(tip);
        targetForm->addRow(label, edit);
        connect(edit, &QLineEdit::editingFinished, this, &ScalingLawView::readTarget);
    }
    m_predictionLabel->setWordWrap(true);
    m_predictionLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_predictionLabel->setObjectName(QStringLiteral("fitPrediction"));
    targetForm->addRow(m_predictionLabel);
    m_saveName->setPlaceholderText(tr("name (default: law on source)"));
    m_saveButton->setEnabled(false);
    m_exportButton->setText(tr("&Export…"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    m_exportButton->setEnabled(false);
    auto* exportMenu = new QMenu(m_exportButton);
    for (const std::string& f : fit::exportFormats()) {
        const QString format = QString::fromStdString(f);
        exportMenu->addAction(formatText(format), this, [this, format] { askExport(format); });
    }
    m_exportButton->setMenu(exportMenu);
    auto* saveRow = new QHBoxLayout;
    saveRow->addWidget(m_saveName, 1);
    saveRow->addWidget(m_saveButton);
    saveRow->addWidget(m_exportButton);
    m_storedTable->setHorizontalHeaderLabels({tr("Id"), tr("Name"), tr("Law"), tr("Points"), tr("Created")});
    m_storedTable->verticalHeader()->setVisible(false);
    m_storedTable->horizontalHeader()->setStretchLastSection(true);
    m_storedTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_storedTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_storedTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_storedTable->setObjectName(QStringLiteral("storedFits"));
    m_storedTable->setToolTip(
        tr("Fits stored in this database (by the app or anneal-cli fit); click one to show it"));

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->addWidget(m_params, 2);
    rightLayout->addWidget(m_summary);
    rightLayout->addWidget(target);
    rightLayout->addLayout(saveRow);
    rightLayout->addWidget(new QLabel(tr("<b>Stored fits</b>"), this));
    rightLayout->addWidget(m_storedTable, 2);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(scroll);
    split->addWidget(m_plotTabs);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 1);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_fitButton, &QPushButton::clicked, this, &ScalingLawView::startFit);
    connect(m_cancelButton, &QPushButton::clicked, this, &ScalingLawView::cancelFit);
    connect(m_runner, &FitRunner::progress, this,
            [this](double f) { m_progress->setValue(static_cast<int>(std::lround(f * 1000))); });
    connect(m_runner, &FitRunner::finished, this, &ScalingLawView::onFitFinished);
    connect(m_options, &FitOptionsPanel::browseRequested, this, &ScalingLawView::browseFile);
    connect(m_saveButton, &QPushButton::clicked, this, [this] { saveFit(m_saveName->text().trimmed()); });
    connect(m_storedTable, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_storedTable->selectionModel()->selectedRows();
        if (!rows.isEmpty()) {
            showStoredFit(m_storedTable->item(rows.front().row(), 0)->data(Qt::DisplayRole).toLongLong());
        }
    });
}

void ScalingLawView::setDatabasePath(const QString& path) {
    m_dbPath = path;
    m_options->setDatabasePath(path);
    refreshStoredFits();
}

void ScalingLawView::setSelectedRuns(const QList<qint64>& runIds) { m_options->setSelectedRuns(runIds); }

void ScalingLawView::setGroups(const QStringList& groups) { m_options->setGroups(groups); }

bool ScalingLawView::fitting() const { return m_runner->running(); }

bool ScalingLawView::startFit() {
    FitRequest request;
    QString error;
    if (!m_options->request(request, &error)) {
        m_status->setText(error);
        return false;
    }
    if (!m_runner->start(request)) {
        m_status->setText(tr("A fit is running: wait for it or cancel it"));
        return false;
    }
    m_lastRequest = request;
    m_fitButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_status->setText(
        tr("Fitting %1 on %2…").arg(QString::fromStdString(request.options.law), request.describe()));
    return true;
}

void ScalingLawView::cancelFit() {
    m_runner->cancel();
    m_status->setText(tr("Cancelling…"));
}

void ScalingLawView::onFitFinished(const FitOutcome& outcome) {
    m_fitButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_lastSeconds = outcome.seconds;
    if (outcome.cancelled) {
        m_status->setText(tr("Cancelled after %1 s; the fit shown (if any) is the previous one.")
                              .arg(outcome.seconds, 0, 'f', 1));
        emit fitFinished(false);
        return;
    }
    if (!outcome.ok) {
        m_status->setText(tr("The fit failed: %1").arg(outcome.error));
        emit failed(tr("the %1 fit on %2")
                        .arg(QString::fromStdString(m_lastRequest.options.law), m_lastRequest.describe()),
                    outcome.error);
        emit fitFinished(false);
        return;
    }
    showFit(outcome.result, outcome.provenance, outcome.heldOut);
    m_status->setText(tr("Fitted in %1 s (%2 of %3 starts converged). Not stored yet: Save to database.")
                          .arg(outcome.seconds, 0, 'f', 2)
                          .arg(outcome.result.startsConverged)
                          .arg(outcome.result.startsTotal));
    emit fitFinished(true);
}

void ScalingLawView::showFit(const fit::FitResult& result, const fit::Provenance& provenance,
                             std::vector<fit::RunPrediction> heldOut) {
    m_fit = result;
    m_provenance = provenance;
    m_heldOut = std::move(heldOut);
    m_hasFit = true;
    m_saveButton->setEnabled(true);
    m_exportButton->setEnabled(true);
    drawFit();
}

void ScalingLawView::browseFile() {
    auto* dialog = new QFileDialog(this, tr("Points or curves to fit"), QString(),
                                   tr("Tables (*.csv *.jsonl *.ndjson *.json);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        QString error;
        if (!m_options->setFile(path, &error)) {
            m_status->setText(error);
            emit failed(tr("the file %1").arg(path), error);
        }
    });
    dialog->open();
}

void ScalingLawView::saveFit(const QString& name) {
    if (!m_hasFit || m_dbPath.isEmpty()) {
        return;
    }
    const std::string db = m_dbPath.toStdString();
    const fit::FitResult result = m_fit;
    const fit::Provenance prov = m_provenance;
    const std::string n = name.toStdString();
    readAsync(
        this, [db, result, prov, n] { return qint64(fit::storeFit(*Store::open(db), result, prov, n)); },
        [this](const ReadResult<qint64>& r) {
            if (!r.ok()) {
                m_status->setText(tr("Not stored: %1").arg(r.error));
                emit failed(tr("storing the fit in %1").arg(m_dbPath), r.error);
                return;
            }
            m_status->setText(tr("Stored as fit %1.").arg(r.value));
            emit fitSaved(r.value);
            emit fitsChanged();
            refreshStoredFits();
        });
}

bool ScalingLawView::exportFit(const QString& format, const QString& path, QString* error) const {
    try {
        const std::string text = fit::exportFit(m_fit, m_provenance, format.toStdString());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            f.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size())) {
            if (error) {
                *error = tr("cannot write %1: %2").arg(path, f.errorString());
            }
            return false;
        }
        return true;
    } catch (const std::exception& e) {
        if (error) {
            *error = QString::fromStdString(e.what());
        }
        return false;
    }
}

void ScalingLawView::askExport(const QString& format) {
    auto* dialog = new QFileDialog(this, tr("Export the fit"), QString(), formatText(format));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QString::fromStdString(fit::exportSuffix(format.toStdString())));
    connect(dialog, &QFileDialog::fileSelected, this, [this, format](const QString& path) {
        QString error;
        if (!exportFit(format, path, &error)) {
            emit failed(tr("the export to %1").arg(path), error);
        } else {
            m_status->setText(tr("Exported to %1").arg(path));
        }
    });
    dialog->open();
}

void ScalingLawView::refreshStoredFits() {
    if (m_dbPath.isEmpty()) {
        return;
    }
    const std::string db = m_dbPath.toStdString();
    const QString path = m_dbPath;
    readAsync(
        this, [db] { return Store::open(db, Store::Mode::ReadOnly)->listFits(); },
        [this, path](const ReadResult<std::vector<FitRecord>>& read) {
            if (path != m_dbPath) {
                return;
            }
            if (!read.ok()) {
                return;  // the database's own error is shown once, by the main window
            }
            const std::vector<FitRecord>& fits = read.value;
            m_stored = fits;
            m_storedTable->blockSignals(true);
            m_storedTable->setRowCount(static_cast<int>(fits.size()));
            for (int i = 0; i < static_cast<int>(fits.size()); ++i) {
                const FitRecord& r =
                    fits[static_cast<std::size_t>(fits.size() - 1 - static_cast<std::size_t>(i))];
                auto* id = new QTableWidgetItem;
                id->setData(Qt::DisplayRole, qint64(r.id));
                m_storedTable->setItem(i, 0, id);
                m_storedTable->setItem(i, 1, new QTableWidgetItem(QString::fromStdString(r.name)));
                m_storedTable->setItem(i, 2, new QTableWidgetItem(QString::fromStdString(r.law)));
                m_storedTable->setItem(i, 3, new QTableWidgetItem(QString::number(r.nPoints)));
                m_storedTable->setItem(
                    i, 4,
                    new QTableWidgetItem(QDateTime::fromSecsSinceEpoch(static_cast<qint64>(r.createdAt))
                                             .toString(QStringLiteral("yyyy-MM-dd hh:mm"))));
            }
            m_storedTable->blockSignals(false);
            m_storedTable->resizeColumnsToContents();
            emit storedFitsLoaded();
        });
}

bool ScalingLawView::showStoredFit(qint64 fitId) {
    for (const FitRecord& r : m_stored) {
        if (r.id != fitId) {
            continue;
        }
        try {
            const fit::LoadedFit loaded = fit::fitFromJson(r.resultJson);
            showFit(loaded.fit, loaded.provenance);
            m_status->setText(tr("Stored fit %1: %2").arg(fitId).arg(QString::fromStdString(r.name)));
            return true;
        } catch (const std::exception& e) {
            emit failed(tr("stored fit %1").arg(fitId), QString::fromStdString(e.what()));
            return false;
        }
    }
    return false;
}

void ScalingLawView::readTarget() {
    setTarget(numberOf(m_targetN), numberOf(m_targetD), numberOf(m_targetC), numberOf(m_targetX));
}

void ScalingLawView::setTarget(double n, double d, double c, double x) {
    m_target = fit::Point{};
    m_target.n = n;
    m_target.d = d;
    m_target.c = c;
    m_target.x = x;
    auto show = [](QLineEdit* e, double v) {
        if (std::isfinite(v) && e->text().trimmed().toDouble() != v) {
            e->setText(QString::number(v, 'g', 6));
        }
    };
    show(m_targetN, n);
    show(m_targetD, d);
    show(m_targetC, c);
    show(m_targetX, x);
    if (m_hasFit) {
        drawFit();
    }
}

}  // namespace anneal::ui
