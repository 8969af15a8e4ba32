// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// AboutDialog (Help ▸ About Anneal): the version and licence of Anneal and of every library it is
// built with (Qt, QCustomPlot, LibTorch, SQLite, Ceres Solver, toml++), whether it was built with
// CUDA, and where the full licence texts are installed.

#include <QDialog>

class QLabel;

namespace anneal::ui {

class AboutDialog : public QDialog {
    Q_OBJECT

public:
    explicit AboutDialog(QWidget* parent = nullptr);

    /// The text shown (rich text), and the same as plain text (tests, "Copy").
    QString text() const;
    QString plainText() const;

    /// Where the Debian package installs Anneal's copyright file and the GPL-3 text.
    static QString copyrightPath() { return QStringLiteral("/usr/share/doc/anneal/copyright"); }
    static QString gplPath() { return QStringLiteral("/usr/share/common-licenses/GPL-3"); }

private:
    QLabel* m_label;
};

}  // namespace anneal::ui
