// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Is the process that claimed a run still alive? pid + its start time (from /proc), so a reused pid
// is not mistaken for the original process.

#include <cstdint>

namespace anneal::store {

std::int64_t currentPid();
/// Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 if unknown.
std::int64_t processStartTime(std::int64_t pid);
bool processAlive(std::int64_t pid, std::int64_t startTime);

}  // namespace anneal::store
