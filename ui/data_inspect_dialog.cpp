// SPDX-License-Identifier: GPL-3.0-or-later
#include "data_inspect_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <climits>
#include <cmath>

#include "async_read.h"

namespace anneal::ui {

namespace {

/// Carries progress from the pool thread to the dialog (queued): it lives as long as the work, so
/// a dialog closed meanwhile only stops listening.
class InspectRelay : public QObject {
    Q_OBJECT
signals:
    void progressed(const QString& stage, qint64 done, qint64 total);
};

}  // namespace

QString floorText(double natsPerToken) {
    return std::isfinite(natsPerToken) ? QString::number(natsPerToken, 'f', 4) + QStringLiteral(" nats/token")
                                       : QObject::tr("unknown (real data)");
}

DataInspectDialog::DataInspectDialog(QWidget* parent)
    : QDialog(parent),
      m_status(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_table(new QTableWidget(0, ColumnCount, this)),
      m_samples(new QPlainTextEdit(this)) {
    setObjectName(QStringLiteral("dataInspectDialog"));
    setWindowTitle(tr("Inspect data"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("inspectStatus"));
    m_table->setObjectName(QStringLiteral("inspectTable"));
    m_table->setHorizontalHeaderLabels({tr("Domain"), tr("Files"), tr("Documents"), tr("Bytes"), tr("Tokens"),
                                        tr("Train docs"), tr("Validation docs"), tr("Floor")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_samples->setObjectName(QStringLiteral("inspectSamples"));
    m_samples->setReadOnly(true);
    m_samples->setPlaceholderText(tr("Decoded training windows appear here."));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_samples);
    split->setStretchFactor(1, 2);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancel);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addLayout(progressRow);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(900, 560);
    m_progress->hide();
    m_cancel->hide();
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_cancel, &QPushButton::clicked, this, &DataInspectDialog::cancel);
}

DataInspectDialog::~DataInspectDialog() {
    if (m_cancelFlag) {
        m_cancelFlag->store(true);  // the work stops at its next stage; its result is dropped
    }
}

void DataInspectDialog::inspect(const QString& tomlText, const QString& origin, int samples) {
    if (m_cancelFlag) {
        m_cancelFlag->store(true);
    }
    m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
    const quint64 ticket = ++m_ticket;
    m_running = true;
    m_errorText.clear();
    m_result = {};
    m_table->setRowCount(0);
    m_samples->clear();
    m_status->setText(
        tr("Building the data of the experiment (reading files; training a tokenizer can "
           "take a minute)…"));
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancel->show();
    m_cancel->setEnabled(true);

    std::shared_ptr<InspectRelay> relay(new InspectRelay, [](InspectRelay* r) { r->deleteLater(); });
    connect(relay.get(), &InspectRelay::progressed, this,
            [this, ticket](const QString& stage, qint64 done, qint64 total) {
                if (ticket != m_ticket || !m_running) {
                    return;
                }
                m_status->setText(tr("%1 (%2 of %3)…").arg(stage).arg(done).arg(total));
                m_progress->setRange(0, total > 0 && total < INT_MAX ? static_cast<int>(total) : 0);
                m_progress->setValue(static_cast<int>(std::min<qint64>(done, INT_MAX)));
            });
    const std::string toml = tomlText.toStdString();
    const std::string from = origin.toStdString();
    auto flag = m_cancelFlag;
    readAsync(
        this,
        [toml, from, samples, flag, relay] {
            return inspectData(
                toml, from, samples,
                [relay](const QString& stage, qint64 done, qint64 total) {
                    emit relay->progressed(stage, done, total);
                },
                flag.get());
        },
        [this, ticket, flag](const ReadResult<DataInspection>& r) {
            if (ticket != m_ticket) {
                return;  // a newer inspection replaced this one
            }
            m_running = false;
            m_progress->hide();
            m_cancel->hide();
            if (flag->load()) {
                m_status->setText(tr("Cancelled."));
                emit finished(false);
                return;
            }
            if (!r.ok()) {
                m_errorText = r.error;
                m_status->setText(tr("The data cannot be built: %1").arg(r.error));
                emit finished(false);
                return;
            }
            m_result = r.value;
            showResult();
            emit finished(true);
        });
}

void DataInspectDialog::cancel() {
    if (m_running && m_cancelFlag) {
        m_cancelFlag->store(true);
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling after the current stage…"));
    }
}

void DataInspectDialog::showResult() {
    m_table->setRowCount(static_cast<int>(m_result.domains.size()));
    QString text;
    for (std::size_t i = 0; i < m_result.domains.size(); ++i) {
        const DomainInspection& d = m_result.domains[i];
        const int row = static_cast<int>(i);
        auto set = [&](int col, const QString& s) { m_table->setItem(row, col, new QTableWidgetItem(s)); };
        set(DomainColumn, d.name);
        m_table->item(row, DomainColumn)->setToolTip(d.source + QLatin1Char('\n') + d.description);
        if (d.real) {
            set(FilesColumn, QString::number(d.files.size()));
            m_table->item(row, FilesColumn)->setToolTip(d.files.join(QLatin1Char('\n')));
            set(DocumentsColumn, QString::number(d.documents));
            set(BytesColumn, QString::number(d.bytes));
            set(TokensColumn, QString::number(d.tokens));
            set(TrainDocumentsColumn, QString::number(d.trainDocuments));
            set(ValDocumentsColumn, QString::number(d.valDocuments));
        } else {
            for (int col : {FilesColumn, DocumentsColumn, BytesColumn, TokensColumn, TrainDocumentsColumn,
                            ValDocumentsColumn}) {
                set(col, tr("—"));
            }
            m_table->item(row, FilesColumn)->setToolTip(tr("generated: no files"));
        }
        set(FloorColumn, floorText(d.entropyFloor));
        text += tr("%1 (%2)\n").arg(d.name, d.source);
        for (int k = 0; k < d.samples.size(); ++k) {
            text += tr("  sample %1: %2\n").arg(d.sampleIds[static_cast<std::size_t>(k)]).arg(d.samples[k]);
        }
        text += QLatin1Char('\n');
    }
    m_samples->setPlainText(text);
    m_status->setText(tr("Tokenizer %1 (vocabulary %2). The windows are the first training samples of "
                         "each domain as a run with this seed draws them; ⏎ marks a newline, ⟨eod⟩ the end "
                         "of a document.")
                          .arg(m_result.tokenizer)
                          .arg(m_result.vocabulary));
}

}  // namespace anneal::ui

#include "data_inspect_dialog.moc"
