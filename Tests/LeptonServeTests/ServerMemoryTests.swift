import LeptonServe
import Testing

/// `ServerMemory.returnLargeBlocks` sets glibc's mmap threshold. That blocks of 4 MiB and more
/// are then mapped on their own can be checked only in a fresh process (in the test process, a
/// free chunk other tests left in an arena serves a large block first); the chaos benchmark
/// measures the effect on `lepton serve` (docs/BENCHMARKS.md).
@Suite struct ServerMemoryTests {
    @Test func glibcTakesTheThreshold() {
        #if os(Linux)
        #expect(ServerMemory.returnLargeBlocks())
        #endif
    }
}
