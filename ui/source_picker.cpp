// SPDX-License-Identifier: GPL-3.0-or-later
#include "source_picker.h"

#include <QDir>
#include <QFileDialog>
#include <QMenu>

namespace anneal::ui {

namespace {

/// "text", "jsonl" or "tokens" for a file source, "" otherwise.
QString fileKind(const QString& source) {
    for (const char* k : {"text", "jsonl", "tokens"}) {
        if (source.startsWith(QLatin1String(k) + QLatin1Char(':'))) {
            return QString::fromLatin1(k);
        }
    }
    return {};
}

QString kindOfName(const QString& path) {
    const QString n = path.toLower();
    if (n.contains(QLatin1String(".jsonl")) || n.endsWith(QLatin1String(".json"))) {
        return QStringLiteral("jsonl");
    }
    if (n.endsWith(QLatin1String(".bin"))) {
        return QStringLiteral("tokens");
    }
    return QStringLiteral("text");
}

}  // namespace

QString sourceForPath(const QString& current, const QString& path, bool folder) {
    QString kind = fileKind(current);
    if (kind.isEmpty()) {
        kind = folder ? QStringLiteral("text") : kindOfName(path);
    }
    QString glob = QDir::cleanPath(path);
    if (folder) {
        const QString pattern = kind == QLatin1String("jsonl")    ? QStringLiteral("*.jsonl*")
                                : kind == QLatin1String("tokens") ? QStringLiteral("*.bin")
                                                                  : QStringLiteral("*");
        glob += (glob.endsWith(QLatin1Char('/')) ? QString() : QStringLiteral("/")) + pattern;
    }
    return kind + QLatin1Char(':') + glob;
}

SourcePickerButton::SourcePickerButton(QWidget* parent) : QToolButton(parent) {
    setObjectName(QStringLiteral("sourcePicker"));
    setText(tr("&Files…"));
    setToolTip(tr("Fill the selected domain's source with a file or a folder (text:, jsonl:, tokens:)"));
    setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(this);
    menu->addAction(tr("A file…"), this, [this] { choose(false); });
    menu->addAction(tr("A folder…"), this, [this] { choose(true); });
    setMenu(menu);
}

void SourcePickerButton::choose(bool folder) {
    auto* d = new QFileDialog(this, folder ? tr("Folder of the domain's files") : tr("The domain's file"));
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->setFileMode(folder ? QFileDialog::Directory : QFileDialog::ExistingFile);
    if (folder) {
        d->setOption(QFileDialog::ShowDirsOnly);
    } else {
        d->setNameFilters({tr("Text, JSONL and token files (*.txt *.gz *.zst *.dz *.jsonl* *.json *.bin)"),
                           tr("All files (*)")});
    }
    connect(d, &QFileDialog::fileSelected, this,
            [this, folder](const QString& p) { emit picked(p, folder); });
    d->open();
}

}  // namespace anneal::ui
