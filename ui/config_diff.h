// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The config diff of the compare view: the keys whose values differ between runs' resolved configs
// (anneal::flattenToml of each RunRecord::configToml). A key missing from some runs differs. Pure.

#include <QString>
#include <QStringList>
#include <QVector>
#include <string>
#include <vector>

namespace anneal::ui {

struct ConfigDiff {
    QStringList keys;             ///< differing keys, in the order of the first config that has them
    QVector<QStringList> values;  ///< values[row][run]; a null QString where the run lacks the key
    QStringList errors;           ///< configs that could not be read, by run index ("run 2: ...")
};

ConfigDiff diffConfigs(const std::vector<std::string>& configTomls);

}  // namespace anneal::ui
