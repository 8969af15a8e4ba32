// SPDX-License-Identifier: GPL-3.0-or-later
#include "corpus_prepare_job.h"

#include <QLocale>
#include <QMessageBox>
#include <QWidget>

#include "async_read.h"

namespace anneal::ui {

namespace {
/// Carries progress from the pool thread; deleted on its own (GUI) thread after the work ends.
class Relay : public QObject {
    Q_OBJECT
signals:
    void progressed(int done, int total, const QString& text);
};
}  // namespace

CorpusPrepareJob::CorpusPrepareJob(QWidget* parent, bool showResult)
    : QObject(parent), m_showResult(showResult) {}

CorpusPrepareJob::~CorpusPrepareJob() {
    m_cancel->store(true);  // the work stops after its current file; its result is dropped
    delete m_dialog;
}

CorpusPrepareJob* CorpusPrepareJob::start(QWidget* parent, const CorpusPrepareOptions& options,
                                          bool showResult) {
    auto* job = new CorpusPrepareJob(parent, showResult);
    job->run(options);
    return job;
}

void CorpusPrepareJob::cancel() {
    m_cancel->store(true);
    if (m_dialog) {
        m_dialog->setLabelText(tr("Cancelling after the current file…"));
    }
}

void CorpusPrepareJob::run(const CorpusPrepareOptions& options) {
    auto* parentWidget = qobject_cast<QWidget*>(parent());
    m_dialog = new QProgressDialog(tr("Preparing the real-text corpus…"), tr("Cancel"), 0, 0, parentWidget);
    m_dialog->setObjectName(QStringLiteral("corpusPrepareProgress"));
    m_dialog->setWindowTitle(tr("Prepare real-text corpus"));
    m_dialog->setWindowModality(Qt::NonModal);
    m_dialog->setAutoClose(false);
    m_dialog->setAutoReset(false);
    m_dialog->setMinimumDuration(0);
    connect(m_dialog, &QProgressDialog::canceled, this, &CorpusPrepareJob::cancel);
    m_dialog->show();

    std::shared_ptr<Relay> relay(new Relay, [](Relay* r) { r->deleteLater(); });
    connect(relay.get(), &Relay::progressed, this, [this](int done, int total, const QString& text) {
        if (m_dialog && !m_cancel->load()) {
            m_dialog->setMaximum(total);
            m_dialog->setValue(done);
            m_dialog->setLabelText(text);
        }
        emit progressed(done, total, text);
    });
    auto cancel = m_cancel;
    readAsync(
        this,
        [options, cancel, relay] {
            return prepareCorpus(
                options,
                [relay](const CorpusProgress& p) {
                    const QString line = p.package.empty() ? QString::fromStdString(p.message)
                                                           : QString::fromStdString(p.package) + ": " +
                                                                 QString::fromStdString(p.message);
                    emit relay->progressed(p.done, p.total, line);
                },
                cancel.get());
        },
        [this](const ReadResult<CorpusPrepareResult>& r) {
            const bool ok = r.ok();
            const QString message =
                ok                 ? corpusSummary(r.value)
                : m_cancel->load() ? tr("Cancelled. The packages finished so far are kept; run it again to "
                                        "complete the corpus.")
                                   : r.error;
            if (m_dialog) {
                m_dialog->hide();
            }
            emit finished(ok, message);
            if (m_showResult) {
                auto* box = new QMessageBox(ok ? QMessageBox::Information : QMessageBox::Warning,
                                            tr("Prepare real-text corpus"), message, QMessageBox::Ok,
                                            qobject_cast<QWidget*>(parent()));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
            }
            deleteLater();
        });
}

QString corpusSummary(const CorpusPrepareResult& r) {
    QString s = QObject::tr("The corpus is ready in %1 (%2 packages prepared, %3 already there).\n\n")
                    .arg(QString::fromStdString(r.dir))
                    .arg(r.prepared)
                    .arg(r.skipped);
    for (const auto& [domain, bytes] : r.domainBytes) {
        s += QStringLiteral("  %1: %2\n")
                 .arg(QString::fromStdString(domain), QLocale().formattedDataSize(bytes));
    }
    s += QObject::tr("\nThe preset real-text.toml (File ▸ New experiment…) trains on it.");
    if (r.snippet.find("${ANNEAL_CORPUS}") == std::string::npos) {
        s += QObject::tr(" It reads ${ANNEAL_CORPUS}: set ANNEAL_CORPUS=%1 for it to find this directory.")
                 .arg(QString::fromStdString(r.dir));
    }
    return s;
}

}  // namespace anneal::ui

#include "corpus_prepare_job.moc"
