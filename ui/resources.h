// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The resources embedded in the app (resources/anneal.qrc): the default experiment and the icon.

#include <QIcon>
#include <QString>

namespace anneal::ui {

/// Registers the embedded resources (they live in the static anneal_ui library, so the
/// executable and the tests must call this once before using them).
void initResources();
/// Text of the embedded default experiment (resources/experiments/default.toml).
QString defaultExperimentText();
/// Names of the embedded presets (file names under :/anneal/experiments).
QStringList presetNames();
QString presetText(const QString& name);
QIcon appIcon();

}  // namespace anneal::ui
