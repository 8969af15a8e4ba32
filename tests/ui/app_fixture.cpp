// SPDX-License-Identifier: GPL-3.0-or-later
#include "app_fixture.h"

#include <QMessageBox>
#include <QtTest>

#include "anneal/run_session.h"
#include "main_window.h"
#include "temp_paths.h"

namespace anneal::test {

std::int64_t trainRun(const std::string& db, const std::string& toml,
                      const std::vector<std::string>& overrides, const std::string& name,
                      const std::string& group) {
    LaunchRequest req;
    req.dbPath = db;
    req.specText = toml;
    req.origin = "test.toml";
    req.overrides = overrides;
    req.name = name;
    req.group = group;
    auto session = RunSession::launch(req);
    session->start();
    session->wait();
    return session->runId();
}

std::string reweightedNoisyToml(int steps) {
    // tinyExperimentToml ends with its [log] table; noise_rate goes into the markov domain's params.
    std::string toml = tinyExperimentToml(steps, 1);
    const std::string entropy = "entropy = 1.0\n";
    toml.replace(toml.find(entropy), entropy.size(), entropy + "noise_rate = 0.3\n");
    return toml + "weights_every = 10\n[reweight]\nstrategy = \"loss_quadratic\"\nburnin_steps = 4\n";
}

QString waitForErrorDialog(ui::MainWindow& window, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (window.errorDialogs().isEmpty() && t.elapsed() < timeoutMs) {
        QTest::qWait(20);
    }
    const QList<QMessageBox*> boxes = window.errorDialogs();
    if (boxes.isEmpty()) {
        return {};
    }
    return boxes.back()->text() + QLatin1Char('\n') + boxes.back()->informativeText();
}

void closeErrorDialogs(ui::MainWindow& window) {
    for (QMessageBox* b : window.errorDialogs()) {
        b->setParent(nullptr);
        b->deleteLater();
    }
}

}  // namespace anneal::test
