// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The domain table's "Files…" button: a file or folder picked in a file dialog becomes a domain's
// source glob. The kind (text:, jsonl:, tokens:) is the one the source already has, or follows the
// file's name (.jsonl → jsonl:, .bin → tokens:, anything else text:); a folder takes the files of
// that kind in it (text: every file, jsonl: *.jsonl*, tokens: *.bin, whose .idx is found beside).

#include <QString>
#include <QToolButton>

namespace anneal::ui {

/// The source for a picked path: `current` is the domain's source now (its kind is kept when it is
/// a file source), `folder` whether `path` is a directory.
QString sourceForPath(const QString& current, const QString& path, bool folder);

class SourcePickerButton : public QToolButton {
    Q_OBJECT

public:
    explicit SourcePickerButton(QWidget* parent = nullptr);

signals:
    /// The user chose a file (folder false) or a folder in the (non-modal) file dialog.
    void picked(const QString& path, bool folder);

private:
    void choose(bool folder);
};

}  // namespace anneal::ui
