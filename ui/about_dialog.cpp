// SPDX-License-Identifier: GPL-3.0-or-later
#include "about_dialog.h"

#include <qcustomplot.h>
#include <sqlite3.h>
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextDocument>
#include <QVBoxLayout>

#include "anneal/version.h"
#include "resources.h"

#ifndef ANNEAL_TORCH_VERSION
#define ANNEAL_TORCH_VERSION "unknown"
#endif
#ifndef ANNEAL_TOMLPP_VERSION
#define ANNEAL_TOMLPP_VERSION ""
#endif

namespace anneal::ui {

namespace {

/// "1.13.0" -> "1.13" (what the user recognises; the patch level is in the package list).
QString majorMinor(const QString& version) {
    const QStringList parts = version.split(QLatin1Char('.'));
    return parts.size() >= 2 ? parts[0] + QLatin1Char('.') + parts[1] : version;
}

}  // namespace

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent), m_label(new QLabel(this)) {
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Anneal"));
    const QString tomlpp = QString::fromLatin1(ANNEAL_TOMLPP_VERSION);
    const QString rows =
        QStringLiteral("<tr><td>Qt %1</td><td>LGPL-3.0</td></tr>").arg(QString::fromLatin1(qVersion())) +
        QStringLiteral("<tr><td>QCustomPlot %1</td><td>GPL-3.0</td></tr>")
            .arg(majorMinor(QStringLiteral(QCUSTOMPLOT_VERSION_STR))) +
        QStringLiteral("<tr><td>LibTorch %1</td><td>BSD-3-Clause</td></tr>")
            .arg(majorMinor(QString::fromLatin1(ANNEAL_TORCH_VERSION))) +
        QStringLiteral("<tr><td>SQLite %1</td><td>public domain</td></tr>")
            .arg(QString::fromLatin1(sqlite3_libversion())) +
        QStringLiteral("<tr><td>Ceres Solver</td><td>BSD-3-Clause (built in)</td></tr>") +
        QStringLiteral("<tr><td>toml++%1</td><td>MIT</td></tr>")
            .arg(tomlpp.isEmpty() ? QString() : QLatin1Char(' ') + tomlpp);
    const QString text = tr("<h2>Anneal %1</h2>"
                            "<p>A desktop lab for training-dynamics experiments on language models.</p>"
                            "<p><b>Anneal %1, GPL-3.0-or-later</b>. It comes with no warranty.</p>"
                            "<p>Built with:</p><table cellspacing='0' cellpadding='2'>%2</table>"
                            "<p>CUDA: %3</p>"
                            "<p>Copyright and licences: <tt>%4</tt><br>The GPL version 3: <tt>%5</tt></p>")
                             .arg(QString::fromLatin1(kVersion), rows,
                                  kBuiltWithCuda ? tr("built with CUDA (training on NVIDIA GPUs)")
                                                 : tr("not built with CUDA (training on the CPU)"),
                                  copyrightPath(), gplPath());
    m_label->setText(text);
    m_label->setTextFormat(Qt::RichText);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setWordWrap(true);
    m_label->setObjectName(QStringLiteral("aboutText"));
    auto* icon = new QLabel(this);
    icon->setPixmap(appIcon().pixmap(64, 64));
    icon->setAlignment(Qt::AlignTop);
    auto* top = new QHBoxLayout;
    top->addWidget(icon);
    top->addWidget(m_label, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("Copy these versions (for a bug report)"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(plainText()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
}

QString AboutDialog::text() const { return m_label->text(); }

QString AboutDialog::plainText() const {
    QTextDocument doc;
    doc.setHtml(m_label->text());
    return doc.toPlainText();
}

}  // namespace anneal::ui
