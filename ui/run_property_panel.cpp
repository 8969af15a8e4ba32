// SPDX-License-Identifier: GPL-3.0-or-later
#include "run_property_panel.h"

#include <QDateTime>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "run_list_model.h"

namespace anneal::ui {

namespace {

QString number(double v, int precision = 4) {
    return std::isfinite(v) ? QString::number(v, 'f', precision) : QStringLiteral("–");
}

QString when(double unixSeconds) {
    return unixSeconds > 0 ? QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(unixSeconds * 1000))
                                 .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"))
                           : QStringLiteral("–");
}

QString bytes(qint64 n) { return QLocale().formattedDataSize(n, 1, QLocale::DataSizeTraditionalFormat); }

QTableWidget* makeTable(const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setAlternatingRowColors(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

}  // namespace

RunPropertyPanel::RunPropertyPanel(QWidget* parent)
    : QWidget(parent),
      m_tabs(new QTabWidget(this)),
      m_summaryPage(new QWidget),
      m_summary(new QFormLayout(m_summaryPage)),
      m_domains(makeTable(
          {tr("Domain"), tr("Source"), tr("Weight"), tr("Entropy rate"), tr("Floor"), tr("Description")},
          this)),
      m_config(new QPlainTextEdit(this)),
      m_checkpoints(makeTable({tr("Step"), tr("Size"), tr("Saved"), tr("Pinned")}, this)),
      m_branch(new QPushButton(tr("&Branch from here…"), this)),
      m_checkpointNote(new QLabel(this)) {
    setObjectName(QStringLiteral("runProperties"));
    m_summary->setLabelAlignment(Qt::AlignRight);
    m_summary->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_summaryPage);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_config->setReadOnly(true);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_config->setFont(mono);
    m_config->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_domains->setToolTip(
        tr("Entropy rate: nats/token of the source; floor: the lowest loss any model can "
           "reach at this run's context"));
    m_branch->setEnabled(false);
    m_branch->setToolTip(
        tr("Start a new run from the selected checkpoint with changed settings "
           "(e.g. a WSD cooldown)"));
    m_checkpointNote->setWordWrap(true);
    m_checkpointNote->setForegroundRole(QPalette::PlaceholderText);

    auto* cpPage = new QWidget(this);
    auto* cpLayout = new QVBoxLayout(cpPage);
    cpLayout->setContentsMargins(0, 0, 0, 0);
    cpLayout->addWidget(m_checkpoints, 1);
    cpLayout->addWidget(m_checkpointNote);
    cpLayout->addWidget(m_branch);
    m_tabs->addTab(scroll, tr("Summary"));
    m_tabs->addTab(m_domains, tr("Domains"));
    m_tabs->addTab(m_config, tr("Config"));
    m_tabs->addTab(cpPage, tr("Checkpoints"));
    m_tabs->setDocumentMode(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_checkpoints, &QTableWidget::itemSelectionChanged, this,
            [this] { m_branch->setEnabled(m_checkpoints->currentRow() >= 0 && m_run); });
    connect(m_checkpoints, &QTableWidget::cellDoubleClicked, this, [this] { m_branch->click(); });
    connect(m_branch, &QPushButton::clicked, this, [this] {
        const int row = m_checkpoints->currentRow();
        if (m_run && row >= 0 && row < static_cast<int>(m_checkpointRows.size())) {
            emit branchRequested(m_run->id, m_checkpointRows[static_cast<std::size_t>(row)].step);
        }
    });
    setRun(std::nullopt);
}

RunPropertyPanel::~RunPropertyPanel() { m_future.waitForFinished(); }

void RunPropertyPanel::setDatabasePath(const QString& path) {
    m_dbPath = path;
    setRun(std::nullopt);
}

namespace {

/// What the panel shows of a run changed (the list is re-read every few seconds; most reads change
/// nothing, and rebuilding the form would lose the user's text selection).
bool shownFieldsDiffer(const RunRecord& a, const RunRecord& b) {
    return a.id != b.id || a.status != b.status || a.stepsDone != b.stepsDone ||
           a.tokensDone != b.tokensDone || a.wallSeconds != b.wallSeconds || a.message != b.message ||
           a.name != b.name || a.tags != b.tags || a.group != b.group || a.configToml != b.configToml ||
           a.stepsTotal != b.stepsTotal;
}

}  // namespace

void RunPropertyPanel::setRun(const std::optional<RunRecord>& run) {
    if (run && m_run && !shownFieldsDiffer(*run, *m_run)) {
        return;
    }
    const bool sameRun = run && m_run && run->id == m_run->id;
    const bool progressed = sameRun && (run->stepsDone != m_run->stepsDone || run->status != m_run->status);
    m_run = run;
    fillSummary();
    fillDomains();
    const QString config = m_run ? QString::fromStdString(m_run->configToml) : QString();
    if (m_config->toPlainText() != config) {
        m_config->setPlainText(config);
    }
    if (!sameRun || progressed) {
        refreshCheckpoints();
    }
}

void RunPropertyPanel::addSummary(const QString& field, const QString& value) {
    auto* label = new QLabel(value, m_summaryPage);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    label->setObjectName(field);
    m_summary->addRow(field + QLatin1Char(':'), label);
}

QString RunPropertyPanel::summaryValue(const QString& field) const {
    auto* label = m_summaryPage->findChild<QLabel*>(field);
    return label ? label->text() : QString();
}

void RunPropertyPanel::fillSummary() {
    while (m_summary->rowCount() > 0) {
        m_summary->removeRow(0);
    }
    if (!m_run) {
        addSummary(tr("Run"), tr("Select a run in the run browser"));
        return;
    }
    const RunRecord& r = *m_run;
    QStringList tags;
    for (const auto& t : r.tags) {
        tags << QString::fromStdString(t);
    }
    addSummary(tr("Run"), QStringLiteral("#%1 %2").arg(r.id).arg(QString::fromStdString(r.name)));
    QString status = QString::fromLatin1(runStatusName(r.status));
    if (!r.message.empty()) {
        status += QStringLiteral(": ") + QString::fromStdString(r.message);
    }
    addSummary(tr("Status"), status);
    addSummary(tr("Steps"), QStringLiteral("%1 / %2").arg(r.stepsDone).arg(r.stepsTotal));
    addSummary(tr("Tokens"), QLocale().toString(r.tokensDone));
    addSummary(tr("Training time"), RunListModel::formatDuration(r.wallSeconds));
    if (r.parentId) {
        addSummary(tr("Branch of"), tr("run %1 at step %2").arg(*r.parentId).arg(r.branchStep.value_or(0)));
    }
    addSummary(tr("Group"), r.group.empty() ? QStringLiteral("–") : QString::fromStdString(r.group));
    addSummary(tr("Tags"), tags.isEmpty() ? QStringLiteral("–") : tags.join(QStringLiteral(", ")));
    addSummary(tr("Seed"), QString::number(r.seed));
    addSummary(tr("Device"), QString::fromStdString(r.device));
    addSummary(tr("Parameters"),
               tr("%1 (%2 without embeddings)")
                   .arg(QLocale().toString(r.params), QLocale().toString(r.paramsNonEmbedding)));
    addSummary(tr("FLOPs per token"), QString::number(r.flopsPerToken, 'g', 4));
    // Real text has no known entropy floor (NaN): say so rather than show a dash.
    addSummary(tr("Entropy floor"),
               std::isfinite(r.entropyFloor)
                   ? tr("%1 nats/token (the mix's irreducible loss)").arg(number(r.entropyFloor))
                   : tr("unknown (a domain of real data has no known entropy)"));
    addSummary(tr("Created"), when(r.createdAt));
    addSummary(tr("Host"),
               r.host.empty() ? QStringLiteral("–")
                              : QStringLiteral("%1 (pid %2)").arg(QString::fromStdString(r.host)).arg(r.pid));
    addSummary(tr("Anneal version"), QString::fromStdString(r.version));
    addSummary(tr("UUID"), QString::fromStdString(r.uuid));
}

void RunPropertyPanel::fillDomains() {
    m_domains->setRowCount(0);
    if (!m_run) {
        return;
    }
    for (const DomainRecord& d : m_run->domains) {
        const int row = m_domains->rowCount();
        m_domains->insertRow(row);
        const QStringList cells{QString::fromStdString(d.name),
                                QString::fromStdString(d.source),
                                number(d.weight, 3),
                                std::isfinite(d.entropyRate) ? number(d.entropyRate) : tr("unknown"),
                                std::isfinite(d.entropyFloor) ? number(d.entropyFloor) : tr("unknown"),
                                QString::fromStdString(d.description)};
        for (int c = 0; c < cells.size(); ++c) {
            m_domains->setItem(row, c, new QTableWidgetItem(cells[c]));
        }
    }
}

void RunPropertyPanel::refreshCheckpoints() {
    const quint64 ticket = m_checkpointRequests.next();
    if (!m_run || m_dbPath.isEmpty()) {
        m_checkpointRows.clear();
        fillCheckpoints();
        return;
    }
    const std::string db = m_dbPath.toStdString();
    const qint64 id = m_run->id;
    m_future = readAsync(
        this, [db, id] { return Store::open(db, Store::Mode::ReadOnly)->checkpoints(id); },
        [this, ticket](const ReadResult<std::vector<CheckpointRecord>>& r) {
            if (!m_checkpointRequests.isLatest(ticket)) {
                return;  // another run was shown meanwhile
            }
            m_checkpointRows = r.value;  // none when the list cannot be read
            fillCheckpoints();
            emit checkpointsLoaded();
        });
}

void RunPropertyPanel::fillCheckpoints() {
    const qint64 selected =
        m_checkpoints->currentRow() >= 0
            ? m_checkpoints->item(m_checkpoints->currentRow(), 0)->data(Qt::UserRole).toLongLong()
            : -1;
    m_checkpoints->setRowCount(0);
    for (const CheckpointRecord& c : m_checkpointRows) {
        const int row = m_checkpoints->rowCount();
        m_checkpoints->insertRow(row);
        auto* step = new QTableWidgetItem(QString::number(c.step));
        step->setData(Qt::UserRole, qint64(c.step));
        m_checkpoints->setItem(row, 0, step);
        m_checkpoints->setItem(row, 1, new QTableWidgetItem(bytes(c.bytes)));
        m_checkpoints->setItem(row, 2, new QTableWidgetItem(when(c.createdAt)));
        m_checkpoints->setItem(row, 3, new QTableWidgetItem(c.pinned ? tr("pinned") : QString()));
        if (c.step == selected) {
            m_checkpoints->selectRow(row);
        }
    }
    if (m_checkpoints->currentRow() < 0 && m_checkpoints->rowCount() > 0) {
        m_checkpoints->selectRow(m_checkpoints->rowCount() - 1);
    }
    m_branch->setEnabled(m_run && m_checkpoints->currentRow() >= 0);
    m_checkpointNote->setText(
        m_checkpointRows.empty() && m_run
            ? tr("No checkpoints. Set log.checkpoint_every to branch from the middle of a run.")
            : QString());
}

}  // namespace anneal::ui
