// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs anneal-cli (or any program) as a child process for end-to-end tests.

#include <QString>
#include <QStringList>

namespace anneal::test {

struct ProcessResult {
    int exitCode = -1;
    bool crashed = false;
    bool timedOut = false;
    QString out;
    QString err;
};

/// Runs `program args`, waits up to timeoutMs, returns exit code and output.
ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs = 120000,
                         const QStringList& extraEnv = {});
/// Runs anneal-cli.
ProcessResult runCli(const QStringList& args, int timeoutMs = 120000, const QStringList& extraEnv = {});

}  // namespace anneal::test
