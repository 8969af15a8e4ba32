// SPDX-License-Identifier: GPL-3.0-or-later
// keepLargeAllocationsInHeap (anneal/allocator.h): a large block that a thread other than the main
// one frees and allocates again, as the training thread does with its logits every step, stays in
// the heap: no mapping of its own, and the second allocation reuses the pages instead of faulting
// in fresh zeroed ones. Without the setting, glibc maps any block over 32 MB (and any block over
// 64 MB of a thread's own arena) and unmaps it on free, and both checks fail.
#include <QtTest>
#include <malloc.h>
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <thread>

#include "anneal/allocator.h"

namespace {

long threadMinorFaults() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return u.ru_minflt;
}

}  // namespace

class TestAllocator : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer replaces glibc's malloc");
#endif
        qunsetenv("ANNEAL_GLIBC_MALLOC_DEFAULTS");  // the switch that turns the setting off
        anneal::keepLargeAllocationsInHeap();       // before any thread starts, as main() does
    }

    void largeBlocksOfAWorkerThreadStayInTheHeap() {
        constexpr std::size_t kBytes = std::size_t{64} << 20;  // the logits of batch 32 x 128 x 4096
        const std::size_t mappedBefore = mallinfo2().hblkhd;
        std::size_t mappedWhileHeld = 0;
        long firstFaults = 0;
        long secondFaults = 0;
        std::thread worker([&] {
            for (int round = 0; round < 2; ++round) {
                const long f0 = threadMinorFaults();
                auto* p = static_cast<char*>(std::malloc(kBytes));
                std::memset(p, round + 1, kBytes);
                (round == 0 ? firstFaults : secondFaults) = threadMinorFaults() - f0;
                if (round == 0) {
                    mappedWhileHeld = mallinfo2().hblkhd;
                }
                std::free(p);
            }
        });
        worker.join();
        QCOMPARE(mappedWhileHeld, mappedBefore);  // no mmap'd block for the 64 MB
        QVERIFY2(firstFaults > 0, "the first touch of fresh memory faults it in");
        QVERIFY2(secondFaults * 10 <= firstFaults,
                 qPrintable(QStringLiteral("second allocation faulted %1 pages, the first %2: the freed "
                                           "block went back to the kernel")
                                .arg(secondFaults)
                                .arg(firstFaults)));
    }
};

QTEST_APPLESS_MAIN(TestAllocator)
#include "test_allocator.moc"
