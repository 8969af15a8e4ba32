// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/process_info.h"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace anneal::store {

std::int64_t currentPid() { return static_cast<std::int64_t>(::getpid()); }

std::int64_t processStartTime(std::int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return 0;
    }
    // The command name (field 2) is in parentheses and may contain spaces: skip past the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
        return 0;
    }
    std::istringstream fields(line.substr(close + 2));
    std::string f;
    // Fields after ')' start at field 3; the start time is field 22.
    for (int i = 3; i <= 22 && fields >> f; ++i) {
        if (i == 22) {
            return std::stoll(f);
        }
    }
    return 0;
}

bool processAlive(std::int64_t pid, std::int64_t startTime) {
    if (pid <= 0) {
        return false;
    }
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) {
        return false;
    }
    const std::int64_t now = processStartTime(pid);
    return startTime == 0 || now == 0 || now == startTime;
}

}  // namespace anneal::store
