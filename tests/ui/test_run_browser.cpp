// SPDX-License-Identifier: GPL-3.0-or-later
// RunListModel / RunFilterProxy / RunBrowser: branches under their parent, runs under their sweep
// group, live progress with ETA, text and tag filters keep the tree, selection survives reloads.
#include <QLineEdit>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

#include "run_browser.h"
#include "run_filter_proxy.h"
#include "run_list_model.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

RunRecord rec(qint64 id, const std::string& name, const std::string& group = {},
              std::optional<qint64> parent = {}, std::vector<std::string> tags = {}) {
    RunRecord r;
    r.id = id;
    r.name = name;
    r.group = group;
    r.parentId = parent;
    if (parent) {
        r.branchStep = 500;
    }
    r.status = RunStatus::Completed;
    r.stepsTotal = 1000;
    r.stepsDone = 1000;
    r.tags = std::move(tags);
    return r;
}

std::vector<RunRecord> sample() {
    return {rec(1, "base"),
            rec(2, "wsd-a", "sweep", {}, {"wsd"}),
            rec(3, "wsd-b", "sweep", {}, {"wsd", "long"}),
            rec(4, "base@500", "", 1, {"cooldown"}),
            rec(5, "wsd-a@500", "sweep", 2),
            rec(6, "base@500@700", "", 4)};
}

qint64 idAt(const QAbstractItemModel& m, const QModelIndex& i) {
    return m.data(i, RunListModel::RunIdRole).toLongLong();
}

}  // namespace

class TestRunBrowser : public QObject {
    Q_OBJECT

private slots:
    void branchesUnderParentsAndGroups();
    void liveProgressAndEta();
    void filtersKeepParents();
    void valuesUpdateWithoutReset();
};

void TestRunBrowser::branchesUnderParentsAndGroups() {
    RunListModel m;
    m.setRuns(sample());
    // Top level: run 1 and the "sweep" group.
    QCOMPARE(m.rowCount(), 2);
    const QModelIndex base = m.indexOf(1);
    QVERIFY(!m.parent(base).isValid());
    QCOMPARE(m.rowCount(base), 1);
    const QModelIndex branch = m.index(0, 0, base);
    QCOMPARE(idAt(m, branch), qint64(4));
    QCOMPARE(idAt(m, m.index(0, 0, branch)), qint64(6));  // a branch of a branch
    const QModelIndex group = m.parent(m.indexOf(2));
    QVERIFY(group.isValid());
    QCOMPARE(m.data(group, RunListModel::GroupRole).toString(), QStringLiteral("sweep"));
    QCOMPARE(m.rowCount(group), 2);
    QCOMPARE(idAt(m, m.parent(m.indexOf(5))), qint64(2));  // under its parent, inside the group
    QCOMPARE(m.data(m.indexOf(3, RunListModel::ProgressColumn)).toString(), QStringLiteral("1000/1000"));
    QCOMPARE(m.allTags(),
             (QStringList{QStringLiteral("cooldown"), QStringLiteral("long"), QStringLiteral("wsd")}));
}

void TestRunBrowser::liveProgressAndEta() {
    RunListModel m;
    auto runs = sample();
    runs[0].status = RunStatus::Running;
    runs[0].stepsDone = 10;
    m.setRuns(runs);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    LiveProgress p;
    p.stepsDone = 250;
    p.stepsTotal = 1000;
    p.stepsPerSecond = 10;
    p.etaSeconds = 75;
    m.setLiveProgress(1, p);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m.data(m.indexOf(1, RunListModel::ProgressColumn)).toString(), QStringLiteral("250/1000"));
    QCOMPARE(m.data(m.indexOf(1, RunListModel::EtaColumn)).toString(), QStringLiteral("1 min 15 s"));
    p.paused = true;
    m.setLiveProgress(1, p);
    QCOMPARE(m.data(m.indexOf(1, RunListModel::StatusColumn)).toString(), QStringLiteral("paused"));
    m.clearLiveProgress(1);
    QCOMPARE(m.data(m.indexOf(1, RunListModel::ProgressColumn)).toString(), QStringLiteral("10/1000"));
}

void TestRunBrowser::filtersKeepParents() {
    RunListModel m;
    m.setRuns(sample());
    RunFilterProxy proxy;
    proxy.setSourceModel(&m);
    proxy.setText(QStringLiteral("@500@700"));
    // Only run 6 matches; its ancestors 1 and 4 stay to hold it, nothing else.
    QCOMPARE(proxy.rowCount(), 1);
    const QModelIndex p1 = proxy.index(0, 0);
    QCOMPARE(idAt(proxy, p1), qint64(1));
    QCOMPARE(proxy.rowCount(p1), 1);
    QCOMPARE(idAt(proxy, proxy.index(0, 0, proxy.index(0, 0, p1))), qint64(6));
    proxy.setText({});
    proxy.setTag(QStringLiteral("long"));
    QCOMPARE(proxy.rowCount(), 1);  // the group, holding run 3 only
    const QModelIndex g = proxy.index(0, 0);
    QCOMPARE(proxy.rowCount(g), 1);
    QCOMPARE(idAt(proxy, proxy.index(0, 0, g)), qint64(3));
    proxy.setTag({});
    proxy.setText(QStringLiteral("wsd 500"));  // every word must match
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(idAt(proxy, proxy.index(0, 0, proxy.index(0, 0, proxy.index(0, 0)))), qint64(5));
}

void TestRunBrowser::valuesUpdateWithoutReset() {
    RunBrowser browser;
    browser.model()->setRuns(sample());
    browser.view()->expandAll();
    browser.selectRuns({4, 3});
    QCOMPARE(browser.selectedRunIds().size(), 2);
    QSignalSpy reset(browser.model(), &QAbstractItemModel::modelReset);
    auto runs = sample();
    runs[3].stepsDone = 777;
    browser.model()->setRuns(runs);  // same tree: rows are kept
    QCOMPARE(reset.count(), 0);
    QCOMPARE(browser.model()->record(4)->stepsDone, qint64(777));
    runs.push_back(rec(7, "new", "", 4));
    browser.model()->setRuns(runs);  // a new branch: reset, selection restored
    QCOMPARE(reset.count(), 1);
    QList<qint64> sel = browser.selectedRunIds();
    std::sort(sel.begin(), sel.end());
    QCOMPARE(sel, (QList<qint64>{3, 4}));
}

QTEST_MAIN(TestRunBrowser)
#include "test_run_browser.moc"
