// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which keys of [schedule], [mixture] and [reweight] each kind uses. The parser rejects a key the
// chosen kind does not use (naming the kinds that do); the writer emits exactly these keys, so a
// resolved config always parses back.

#include <string>
#include <vector>

namespace anneal::config {

struct KindKeys {
    std::string kind;
    std::vector<std::string> keys;  ///< besides the selector key itself
};

const std::vector<KindKeys>& scheduleKindKeys();
const std::vector<KindKeys>& mixtureKindKeys();
const std::vector<KindKeys>& reweightKindKeys();
const std::vector<KindKeys>& tokenizerKindKeys();
const std::vector<std::string>& spmModelTypeValues();

std::vector<std::string> kindNames(const std::vector<KindKeys>& table);
const std::vector<std::string>& keysOf(const std::vector<KindKeys>& table, const std::string& kind);
bool kindUses(const std::vector<KindKeys>& table, const std::string& kind, const std::string& key);
/// Allowed values of the enumerated keys that are not selectors (one list each, used by the parser).
const std::vector<std::string>& deviceValues();
const std::vector<std::string>& decayShapeValues();
const std::vector<std::string>& cooldownShapeValues();
const std::vector<std::string>& temperatureScheduleValues();

/// Every key some kind uses.
std::vector<std::string> allKeys(const std::vector<KindKeys>& table);
/// "used by schedule.kind = wsd | inverse_sqrt"
std::string usedByText(const std::vector<KindKeys>& table, const std::string& selector,
                       const std::string& key);

}  // namespace anneal::config
