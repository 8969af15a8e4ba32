// SPDX-License-Identifier: GPL-3.0-or-later
#include "process.h"

#include <QProcess>
#include <QProcessEnvironment>

#include "temp_paths.h"

namespace anneal::test {

ProcessResult runProcess(const QString& program, const QStringList& args, int timeoutMs,
                         const QStringList& extraEnv) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString& kv : extraEnv) {
        const int eq = kv.indexOf('=');
        env.insert(kv.left(eq), kv.mid(eq + 1));
    }
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(10000)) {
        r.err = "could not start " + program;
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        r.timedOut = true;
        p.kill();
        p.waitForFinished(5000);
    }
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

ProcessResult runCli(const QStringList& args, int timeoutMs, const QStringList& extraEnv) {
    return runProcess(cliPath(), args, timeoutMs, extraEnv);
}

}  // namespace anneal::test
