// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow and files: File ▸ Open Recent, drag and drop (experiment files open in the
// New-experiment dialog, loss curves are imported as runs, databases are opened), the import itself
// (anneal::importCurveFile, as `anneal-cli import` does) and Help ▸ About.
#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QStatusBar>

#include "about_dialog.h"
#include "anneal/import_curve.h"
#include "async_read.h"
#include "corpus_prepare_job.h"
#include "experiment_dialog.h"
#include "main_window.h"
#include "recent_files.h"
#include "run_browser.h"

namespace anneal::ui {

namespace {

enum class FileKind { Experiment, Curve, Database, Unknown };

FileKind kindOf(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("toml")) {
        return FileKind::Experiment;
    }
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("jsonl") ||
        suffix == QLatin1String("ndjson") || suffix == QLatin1String("json")) {
        return FileKind::Curve;
    }
    if (suffix == QLatin1String("db") || suffix == QLatin1String("sqlite") ||
        suffix == QLatin1String("sqlite3")) {
        return FileKind::Database;
    }
    return FileKind::Unknown;
}

QStringList localFiles(const QMimeData* mime) {
    QStringList out;
    if (!mime || !mime->hasUrls()) {
        return out;
    }
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile()) {
            out << url.toLocalFile();
        }
    }
    return out;
}

}  // namespace

void MainWindow::createFileActions(QMenu* fileMenu) {
    QMenu* recent = fileMenu->addMenu(tr("Open &Recent"));
    recent->setObjectName(QStringLiteral("recentMenu"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] { m_recent->populate(recent); });
    connect(m_recent, &RecentFiles::opened, this, [this](RecentFiles::Kind kind, const QString& path) {
        if (kind == RecentFiles::Kind::Database) {
            openDatabase(path);
        } else {
            openExperimentFile(path);
        }
    });
    QAction* importAction = fileMenu->addAction(tr("&Import loss curve…"), this, [this] {
        auto* dialog = new QFileDialog(this, tr("Import a loss curve as a run"), QString(),
                                       tr("Loss curves (*.csv *.jsonl *.ndjson *.json);;All files (*)"));
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, this, &MainWindow::importCurve);
        dialog->open();
    });
    importAction->setToolTip(
        tr("A CSV or JSONL file with step and loss columns (lr, tokens and others optional)"));
    QAction* corpus = fileMenu->addAction(tr("Prepare real-text &corpus…"), this, [this] {
        if (m_corpusJob) {
            m_corpusJob->dialog()->raise();  // one at a time
            return;
        }
        m_corpusJob = CorpusPrepareJob::start(this, CorpusPrepareOptions{});
    });
    corpus->setObjectName(QStringLiteral("prepareCorpusAction"));
    corpus->setToolTip(
        tr("Download Debian packages of prose, code, dictionaries, German, Russian and Chinese "
           "text (apt-get download, no root) into the corpus directory, for the real-text "
           "preset"));
}

void MainWindow::createHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Anneal"), this, [this] { showAbout(); });
    about->setMenuRole(QAction::AboutRole);
    QAction* aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

AboutDialog* MainWindow::showAbout() {
    auto* dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

ExperimentDialog* MainWindow::openExperimentFile(const QString& path) {
    ExperimentDialog* dialog = openExperimentDialog();
    QString error;
    if (!dialog->loadFile(path, &error)) {
        dialog->close();
        showError(tr("the experiment file %1").arg(path), error);
        return nullptr;
    }
    m_recent->add(RecentFiles::Kind::Experiment, path);
    return dialog;
}

void MainWindow::importCurve(const QString& path) {
    CurveImport request;
    request.file = path.toStdString();
    const std::string db = m_dbPath.toStdString();
    readAsync(
        this, [db, request] { return importCurveFile(db, request); },
        [this, path](const ReadResult<CurveImportResult>& r) {
            if (!r.ok()) {
                showError(tr("the import of %1").arg(path), r.error);
                return;
            }
            QString message = tr("Imported %1 rows of %2 as run %3")
                                  .arg(r.value.rows)
                                  .arg(QFileInfo(path).fileName())
                                  .arg(r.value.runId);
            for (const std::string& w : r.value.warnings) {
                message += tr(" (warning: %1)").arg(QString::fromStdString(w));
            }
            statusBar()->showMessage(message, r.value.warnings.empty() ? 10000 : 30000);
            m_selectWhenListed = {r.value.runId};
            m_browser->reload();
            emit curveImported(r.value.runId);
        });
}

void MainWindow::openDroppedFile(const QString& path) {
    switch (kindOf(path)) {
        case FileKind::Experiment:
            openExperimentFile(path);
            return;
        case FileKind::Curve:
            importCurve(path);
            return;
        case FileKind::Database:
            openDatabase(QFileInfo(path).absoluteFilePath());
            return;
        case FileKind::Unknown:
        default:
            showError(
                tr("the dropped file %1").arg(path),
                tr("Anneal opens experiment files (.toml), imports loss curves (.csv, .jsonl) and opens "
                   "databases (.db, .sqlite)."));
            return;
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    for (const QString& f : localFiles(event->mimeData())) {
        if (kindOf(f) != FileKind::Unknown) {
            event->acceptProposedAction();
            return;
        }
    }
    QMainWindow::dragEnterEvent(event);
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty()) {
        QMainWindow::dropEvent(event);
        return;
    }
    event->acceptProposedAction();
    for (const QString& f : files) {
        openDroppedFile(f);
    }
}

}  // namespace anneal::ui
