// SPDX-License-Identifier: GPL-3.0-or-later
// bench_plot: the GUI's own plot code (ui/: SeriesPlot, MinMaxDecimator, LossPlotView, RunDataCache) on
// the offscreen platform.
//
//   bench_plot replot [--curves 10] [--points 1000000] [--width 1600] [--height 900] [--reps 21]
//       SeriesPlot holding curves x points (the app's default EMA smoothing 0.6, so each curve draws a
//       smoothed and a faint raw graph), replotted now (decimation + an immediate replot) while
//       following the data, zoomed to 10 % and panned, against the peer: a plain QCustomPlot holding the
//       same points with its own adaptive sampling, replotted the same way, interleaved.
//   bench_plot gui --db PATH [--runs 1,2,...,10] [--reps 11]
//       the Loss tab as the app builds it (RunDataCache reading the runs on pool threads, LossPlotView):
//       load time, replot time and the process's peak RSS while it holds those curves.
//   bench_plot live [--steps 200] [--model default|tiny]
//       step-to-pixel latency of a run this process trains: a RunSession (store writer included), its
//       events drained every RunController::kDrainIntervalMs on a coarse timer as RunController does,
//       appended to RunDataCache and drawn by LossPlotView. Publish time: a probe queue on the same bus
//       (its wake-up delay removed by aligning on StepEvent::wallSeconds); pixel time: the first
//       QCustomPlot::afterReplot whose train-loss graph holds the step.
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <qcustomplot.h>
#include <random>
#include <thread>
#include <unistd.h>

#include "anneal/config.h"
#include "anneal/run_session.h"
#include "bench_common.h"
#include "loss_plot_view.h"
#include "run_controller.h"
#include "run_data_cache.h"
#include "series_plot.h"

using namespace anneal;
using namespace anneal::ui;

namespace {

void settle(int ms = 50) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
}

/// A loss-like curve: exponential decay, noise, rare spikes.
void makeCurve(int seed, std::size_t n, std::vector<double>& x, std::vector<double>& y) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    x.resize(n);
    y.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i) / static_cast<double>(n);
        x[i] = static_cast<double>(i);
        y[i] =
            1.2 + 0.1 * seed + 4.3 * std::exp(-8 * t) + 0.15 * (u(rng) - 0.5) + (u(rng) < 1e-4 ? 2.0 : 0.0);
    }
}

double timeMs(const std::function<void()>& f) {
    const auto t0 = bench::Clock::now();
    f();
    return bench::secondsSince(t0) * 1e3;
}

int replotMode(const bench::Args& a) {
    const int curves = static_cast<int>(a.num("curves", 10));
    const auto points = static_cast<std::size_t>(a.num("points", 1000000));
    const int width = static_cast<int>(a.num("width", 1600)), height = static_cast<int>(a.num("height", 900));
    const int reps = static_cast<int>(a.num("reps", 21));
    const double rss0 = bench::rssMiB();

    SeriesPlot plot;
    plot.resize(width, height);
    plot.setSmoothing(a.num("smoothing", 60) / 100.0);  // PlotOptions' default (--smoothing 60)
    QCustomPlot peer;
    peer.resize(width, height);
    peer.setPlottingHint(QCP::phFastPolylines, true);
    std::vector<double> x, y;
    for (int c = 0; c < curves; ++c) {
        makeCurve(c, points, x, y);
        CurveStyle st;
        st.label = QStringLiteral("run %1 · train").arg(c);
        st.color = curveColor(c);
        const QString key = QString::number(c);
        plot.setCurve(key, st);
        plot.setCurveData(key, x, y);
        QCPGraph* g = peer.addGraph();
        g->setPen(QPen(st.color, 1.6));
        g->setAdaptiveSampling(true);
        QVector<QCPGraphData> d(static_cast<int>(points));
        for (std::size_t i = 0; i < points; ++i) {
            d[static_cast<int>(i)] = QCPGraphData(x[i], y[i]);
        }
        g->data()->set(d, true);
    }
    peer.rescaleAxes();
    plot.show();
    peer.show();
    settle(200);
    const double rssData = bench::rssMiB();
    for (int i = 0; i < 3; ++i) {
        plot.refreshNow();
        peer.replot(QCustomPlot::rpImmediateRefresh);
    }
    std::vector<double> follow, followPeer, zoom, zoomPeer, decim, draw, ratioFollow, ratioZoom;
    const double n = static_cast<double>(points);
    for (int r = 0; r < reps; ++r) {
        // Following the data: the whole range (the default view of a stored run).
        plot.followData();
        const double f = timeMs([&] { plot.refreshNow(); });
        decim.push_back(plot.lastDecimationMs());
        draw.push_back(plot.plot()->replotTime(false));  // QCustomPlot's own time for the last replot
        peer.xAxis->setRange(0, n);
        const double fp = timeMs([&] { peer.replot(QCustomPlot::rpImmediateRefresh); });
        // Zoomed to 10 % of the steps and panned a little each time (a drag).
        const double lo = n * (0.3 + 0.01 * r), hi = lo + 0.1 * n;
        plot.setRange(lo, hi, 1.0, 3.0);
        const double z = timeMs([&] { plot.refreshNow(); });
        peer.xAxis->setRange(lo, hi);
        peer.yAxis->setRange(1.0, 3.0);
        const double zp = timeMs([&] { peer.replot(QCustomPlot::rpImmediateRefresh); });
        follow.push_back(f);
        followPeer.push_back(fp);
        zoom.push_back(z);
        zoomPeer.push_back(zp);
        ratioFollow.push_back(f / fp);
        ratioZoom.push_back(z / zp);
        std::printf("rep %d follow_ms %.2f peer %.2f zoom_ms %.2f peer %.2f\n", r, f, fp, z, zp);
        std::fflush(stdout);
    }
    std::printf("curves %d points %zu size %dx%d columns %d drawn_points %zu\n", curves, points, width,
                height, plot.pixelColumns(), plot.drawnPointCount());
    std::printf("replot_follow_ms %.2f spread %s (decimation and layout %.2f, QCustomPlot drawing %.2f)\n",
                bench::median(follow), bench::spread(follow, "%.2f").c_str(), bench::median(decim),
                bench::median(draw));
    std::printf("replot_zoom_ms %.2f spread %s\n", bench::median(zoom), bench::spread(zoom, "%.2f").c_str());
    std::printf("peer_follow_ms %.2f spread %s\n", bench::median(followPeer),
                bench::spread(followPeer, "%.2f").c_str());
    std::printf("peer_zoom_ms %.2f spread %s\n", bench::median(zoomPeer),
                bench::spread(zoomPeer, "%.2f").c_str());
    std::printf("ratio follow anneal/qcp %.3f spread %s\n", bench::median(ratioFollow),
                bench::spread(ratioFollow).c_str());
    std::printf("ratio zoom anneal/qcp %.3f spread %s\n", bench::median(ratioZoom),
                bench::spread(ratioZoom).c_str());
    std::printf("ratio follow/33ms %.3f\n", bench::median(follow) / 33.0);
    std::printf("rss_data_mib %.1f (both plots' data: SeriesPlot x, y, smoothed + QCustomPlot's copy)\n",
                rssData - rss0);
    std::printf("peak_rss_mib %.1f\n", bench::peakRssMiB());
    return 0;
}

int guiMode(const bench::Args& a) {
    const QString db = QString::fromStdString(a.str("db", ""));
    QList<qint64> runs;
    for (const std::string& s : bench::splitList(a.str("runs", "1,2,3,4,5,6,7,8,9,10"))) {
        runs << std::atoll(s.c_str());
    }
    const int reps = static_cast<int>(a.num("reps", 11));
    const double rss0 = bench::rssMiB();
    RunDataCache cache;
    cache.setDatabasePath(db);
    LossPlotView view(&cache);
    view.resize(1600, 900);
    view.setOptions(PlotOptions{});
    view.show();
    settle(100);
    QElapsedTimer load;
    load.start();
    view.setRuns(runs);
    QEventLoop loop;
    QObject::connect(&cache, &RunDataCache::busyChanged, &loop, [&](bool busy) {
        if (!busy) {
            loop.quit();
        }
    });
    if (cache.busy()) {
        loop.exec();
    }
    settle(100);  // the follow-up requests (names learnt while loading)
    while (cache.busy()) {
        loop.exec();
        settle(50);
    }
    view.plot()->refreshNow();
    const double loadMs = static_cast<double>(load.elapsed());
    std::size_t pts = 0;
    for (const QString& k : view.plot()->curveKeys()) {
        pts += view.plot()->curvePointCount(k);
    }
    std::vector<double> follow;
    for (int r = 0; r < reps; ++r) {
        view.plot()->followData();
        follow.push_back(timeMs([&] { view.plot()->refreshNow(); }));
    }
    std::printf("gui_runs %lld curves %lld points %zu\n", static_cast<long long>(runs.size()),
                static_cast<long long>(view.plot()->curveKeys().size()), pts);
    std::printf("gui_load_ms %.0f (RunDataCache reading %lld runs, Store::metric with history + step axes)\n",
                loadMs, static_cast<long long>(runs.size()));
    std::printf("gui_replot_ms %.2f spread %s\n", bench::median(follow),
                bench::spread(follow, "%.2f").c_str());
    std::printf("gui_rss_held_mib %.1f\n", bench::rssMiB() - rss0);
    std::printf("peak_rss_mib %.1f\n", bench::peakRssMiB());
    return 0;
}

int liveMode(const bench::Args& a) {
    const std::int64_t steps = a.num("steps", 200);
    ExperimentSpec spec = parseExperiment(readTextFile(ANNEAL_DEFAULT_EXPERIMENT), "default.toml");
    if (a.str("model", "default") == "tiny") {
        spec.model = ModelSpec{1, 64, 4, 64};
        spec.data.batchSize = 8;
    }
    spec.device = "cpu";
    spec.train.steps = steps;
    spec.train.threads = 1;
    spec.log.checkpointEvery = 0;
    const auto tmp =
        std::filesystem::temp_directory_path() / ("anneal-bench-live-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    const std::string dbPath = (tmp / "live.db").string();
    LaunchRequest lr;
    lr.dbPath = dbPath;
    lr.specText = toToml(spec);
    lr.origin = "bench";
    std::unique_ptr<RunSession> session = RunSession::launch(lr);
    const qint64 runId = session->runId();
    auto probeQ = std::make_shared<EventQueue>(1 << 16);
    auto guiQ = std::make_shared<EventQueue>(1 << 16);
    session->bus()->subscribe(probeQ);
    session->bus()->subscribe(guiQ);

    RunDataCache cache;
    cache.setDatabasePath(QString::fromStdString(dbPath));
    LiveRunInfo info;
    info.runId = runId;
    info.name = QString::fromStdString(spec.name);
    info.facts = runFacts(spec);
    for (const auto& d : info.facts.domains) {
        info.domains << QString::fromStdString(d);
    }
    info.stepsTotal = steps;
    cache.registerLiveRun(info);
    LossPlotView view(&cache);
    view.resize(1600, 900);
    view.setOptions(PlotOptions{});
    view.show();
    view.setRuns({runId});
    settle(100);

    using TP = bench::Clock::time_point;
    std::mutex mu;
    std::map<std::int64_t, TP> probeAt;
    std::map<std::int64_t, double> wallOf;
    std::map<std::int64_t, TP> pixelAt;
    std::atomic<bool> probeDone{false};
    std::thread probe([&] {
        std::vector<Event> ev;
        while (!probeDone) {
            ev.clear();
            probeQ->drain(ev, std::chrono::milliseconds(50));
            const TP now = bench::Clock::now();
            std::lock_guard<std::mutex> lock(mu);
            for (const Event& e : ev) {
                if (const auto* s = std::get_if<StepEvent>(&e.payload)) {
                    probeAt[s->step] = now;
                    wallOf[s->step] = s->wallSeconds;
                } else if (const auto* st = std::get_if<StatusEvent>(&e.payload)) {
                    if (st->status != RunStatus::Running && st->status != RunStatus::Created) {
                        probeDone = true;
                    }
                }
            }
        }
    });
    const QString key = MetricPlotView::curveKey(runId, QStringLiteral("train_loss"));
    std::int64_t pixelled = -1;
    QObject::connect(view.plot()->plot(), &QCustomPlot::afterReplot, [&] {
        QCPGraph* g = view.plot()->graph(key);
        if (!g || g->data()->isEmpty()) {
            return;
        }
        const auto last = static_cast<std::int64_t>((g->data()->constEnd() - 1)->key);
        const TP now = bench::Clock::now();
        for (std::int64_t s = pixelled + 1; s <= last; ++s) {
            pixelAt[s] = now;
        }
        pixelled = std::max(pixelled, last);
    });
    QTimer drain;
    drain.setInterval(RunController::kDrainIntervalMs);
    drain.setTimerType(Qt::CoarseTimer);
    bool finished = false;
    std::vector<Event> buffer;
    QObject::connect(&drain, &QTimer::timeout, [&] {
        buffer.clear();
        guiQ->drain(buffer, std::chrono::milliseconds(0), 20000);
        QVector<StepEvent> pts;
        QVector<EvalEvent> evals;
        for (const Event& e : buffer) {
            if (const auto* s = std::get_if<StepEvent>(&e.payload)) {
                pts.push_back(*s);
            } else if (const auto* v = std::get_if<EvalEvent>(&e.payload)) {
                evals.push_back(*v);
            } else if (const auto* st = std::get_if<StatusEvent>(&e.payload)) {
                if (st->status != RunStatus::Running && st->status != RunStatus::Created) {
                    finished = true;
                }
            }
        }
        if (!pts.isEmpty()) {
            cache.appendSteps(runId, pts);
        }
        if (!evals.isEmpty()) {
            cache.appendEvals(runId, evals);
        }
    });
    drain.start();
    session->start();
    QElapsedTimer guard;
    guard.start();
    while (!(finished && pixelled >= steps - 1) && guard.elapsed() < 600000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (!finished) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    drain.stop();
    session->wait();
    probeDone = true;
    probe.join();
    // Publish time of step s = t0 + wallSeconds(s); t0 is bounded above by every probe sighting.
    double t0 = INFINITY;
    const TP origin = bench::Clock::now() - std::chrono::hours(1);
    auto sec = [&](TP t) { return std::chrono::duration<double>(t - origin).count(); };
    for (const auto& [s, t] : probeAt) {
        t0 = std::min(t0, sec(t) - wallOf[s]);
    }
    std::vector<double> lat, probeLag;
    const std::string dump = a.str("dump", "");
    FILE* df = dump.empty() ? nullptr : std::fopen(dump.c_str(), "w");
    for (const auto& [s, t] : pixelAt) {
        if (s < 5 || wallOf.count(s) == 0) {
            continue;
        }
        lat.push_back((sec(t) - (t0 + wallOf[s])) * 1e3);
        probeLag.push_back((sec(probeAt[s]) - (t0 + wallOf[s])) * 1e3);
        if (df) {
            std::fprintf(df, "%lld %.3f %.3f %.3f\n", static_cast<long long>(s), wallOf[s], lat.back(),
                         probeLag.back());
        }
    }
    if (df) {
        std::fclose(df);
    }
    session.reset();
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    std::printf("live_steps %lld measured %zu drain_interval_ms %d\n", static_cast<long long>(steps),
                lat.size(), RunController::kDrainIntervalMs);
    std::printf("step_to_pixel_ms median %.1f p90 %.1f p99 %.1f max %.1f\n", bench::median(lat),
                bench::quantile(lat, 0.9), bench::quantile(lat, 0.99), bench::maxOf(lat));
    std::printf("probe_wakeup_ms median %.2f max %.2f\n", bench::median(probeLag), bench::maxOf(probeLag));
    std::printf("ratio p99/250ms %.3f\n", bench::quantile(lat, 0.99) / 250.0);
    return lat.empty() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s replot|gui|live [options]\n", argv[0]);
        return 2;
    }
    QApplication app(argc, argv);
    try {
        const bench::Args a(argc, argv, 2);
        const std::string mode = argv[1];
        if (mode == "replot") {
            return replotMode(a);
        }
        if (mode == "gui") {
            return guiMode(a);
        }
        if (mode == "live") {
            return liveMode(a);
        }
        std::fprintf(stderr, "bench_plot: unknown mode %s\n", mode.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_plot: %s\n", e.what());
        return 1;
    }
}
