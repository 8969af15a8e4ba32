// SPDX-License-Identifier: GPL-3.0-or-later
// bench/gpu/summarize_gpu.py, the summary of a GPU run (bench/gpu/README.md), on raw outputs written
// here with known numbers: each row is the median of its repetitions, MFU and the ratios follow from
// the medians (computed here by hand), a missing program is listed as not run, a failed CUDA test is
// named, and a bad argument exits 2. So the first real GPU call's summary can be trusted.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "process.h"
#include "temp_paths.h"

using namespace anneal;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

/// The key-value lines bench_train and train_step_torch.py print.
std::string run(double ms, double tps, double flops, double loss) {
    return "model gpt2-small\nstep_ms_median " + std::to_string(ms) + "\ntokens_per_s " +
           std::to_string(tps) + "\nflops_per_s_with_attention " + std::to_string(flops) + "\nfinal_loss " +
           std::to_string(loss) + "\n";
}

}  // namespace

class TestGpuSummary : public QObject {
    Q_OBJECT
private slots:
    void mediansRatiosAndMfu() {
        test::TempDir dir;
        const std::string raw = dir.path("raw");
        std::filesystem::create_directories(raw);
        write(raw + "/env.txt",
              "gpu: NVIDIA H200\nmode: gpu\nmodel: gpt2-small\nbatch: 8\nsteps: 30\nwarmup: 10\n"
              "peak_bf16_tflops: 1000\ntorch: 2.8.0\ncuda: 12.8\n");
        // Anneal fp32: three reps, medians 100 ms / 80,000 tokens/s / 400 TFLOP/s.
        write(raw + "/anneal-fp32-1.txt", run(110, 70000, 350e12, 2.5));
        write(raw + "/anneal-fp32-2.txt", run(100, 80000, 400e12, 2.4));
        write(raw + "/anneal-fp32-3.txt", run(90, 90000, 450e12, 2.3));
        write(raw + "/anneal-fp32-2.mem", "baseline_mib 500\npeak_mib 20500\n");
        // PyTorch eager bf16: 100,000 tokens/s; torch.compile bf16: 160,000 tokens/s.
        write(raw + "/torch-bf16-1.txt", run(60, 100000, 500e12, 2.4));
        write(raw + "/compile-bf16-1.txt", run(40, 160000, 800e12, 2.4));
        write(raw + "/ctest.txt",
              "67% tests passed, 1 tests failed out of 3\n"
              "The following tests FAILED:\n\t  7 - cuda_training (Failed)\n");
        const auto r =
            test::runProcess(kPython, {QString::fromStdString(test::sourceFile("bench/gpu/summarize_gpu.py")),
                                       QString::fromStdString(raw)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString s = r.out;
        qInfo("%s", qPrintable(s));
        QVERIFY(s.contains("NVIDIA H200"));
        // Anneal's row: medians, MFU = 400/1000 = 40.0 %, memory 20500 - 500.
        QVERIFY2(s.contains("| Anneal | fp32 | 3 | 100.0 | 80,000 | 400.0 | 40.0 | 20,000 | 2.400 |"),
                 qPrintable(s));
        // Ratios of tokens/s: 80,000 / 100,000 = 0.800; 80,000 / 160,000 = 0.500.
        QVERIFY(s.contains("Anneal fp32 / PyTorch eager bf16: **0.800** (goal ≥ 1.0: not met)"));
        QVERIFY(s.contains("Anneal fp32 / torch.compile bf16: 0.500"));
        QVERIFY(s.contains("MFU: **40.0 %** (goal ≥ 40 %: met)"));
        QVERIFY(s.contains("Not run: Anneal bf16 autocast, PyTorch eager fp32."));
        QVERIFY(s.contains("2 passed, 1 failed, 0 skipped (of 3): failed cuda_training"));
    }

    void badArgumentsExit2() {
        const auto r =
            test::runProcess(kPython, {QString::fromStdString(test::sourceFile("bench/gpu/summarize_gpu.py")),
                                       QStringLiteral("/nonexistent/raw")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is not a folder"), qPrintable(r.err));
    }
};

QTEST_APPLESS_MAIN(TestGpuSummary)
#include "test_gpu_summary.moc"
