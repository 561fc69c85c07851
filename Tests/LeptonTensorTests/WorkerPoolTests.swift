import Foundation
import LeptonTensor
import Synchronization
import Testing

/// The worker pool behind `Parallel.forRanges` (Backend/WorkerPool.swift): every index of every
/// loop runs exactly once — loops back to back (as wide as the cores, or wider, which libdispatch
/// runs), after the workers went to sleep, from several threads at once (one holds the pool, the
/// others run their loops on libdispatch's threads) and nested in a chunk.
@Suite(.serialized) struct WorkerPoolTests {
    /// Runs `body` with `threads` threads, restoring the thread count after.
    static func with(threads: Int, _ body: () -> Void) {
        let saved = Lepton.threadCount
        Lepton.threadCount = threads
        defer { Lepton.threadCount = saved }
        body()
    }

    /// How often each index of `0..<count` ran in one loop.
    static func visits(_ count: Int, grain: Int = 1) -> [Int] {
        // NSLock, not Synchronization's Mutex: ThreadSanitizer sees pthread locks, not the futex.
        final class Hits: @unchecked Sendable {
            let lock = NSLock()
            var counts: [Int]
            init(_ count: Int) { counts = [Int](repeating: 0, count: count) }
        }
        let hits = Hits(count)
        Parallel.forRanges(count, grain: grain) { range in
            hits.lock.withLock { for i in range { hits.counts[i] += 1 } }
        }
        return hits.lock.withLock { hits.counts }
    }

    @Test(arguments: [2, 3, 5])
    func everyIndexRunsOnceInLoopsBackToBack(threads: Int) {
        Self.with(threads: threads) {
            for count in [2, 3, 7, 64, 1000] {
                for _ in 0..<200 { #expect(Self.visits(count) == [Int](repeating: 1, count: count)) }
            }
        }
    }

    @Test func loopsAfterTheWorkersSleptStillRun() {
        Self.with(threads: 2) {
            for _ in 0..<5 {
                #expect(Self.visits(100) == [Int](repeating: 1, count: 100))
                usleep(3_000)   // far past the workers' polling time: they wait on the condition
            }
        }
    }

    @Test func loopsFromSeveralThreadsAtOnce() async {
        let saved = Lepton.threadCount
        Lepton.threadCount = 2
        defer { Lepton.threadCount = saved }
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    (0..<300).allSatisfy { n in Self.visits(50 + n % 7) == [Int](repeating: 1, count: 50 + n % 7) }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [Bool](repeating: true, count: 6))
    }

    @Test func aLoopInsideAChunkRunsOnItsThread() {
        Self.with(threads: 2) {
            let inner = Atomic<Int>(0)
            Parallel.forRanges(4, grain: 1) { range in
                for _ in range { Parallel.forRanges(10, grain: 1) { inner.add($0.count, ordering: .relaxed) } }
            }
            #expect(inner.load(ordering: .relaxed) == 40)
        }
    }
}
