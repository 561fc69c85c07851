import Foundation
import LeptonServe
import Testing

/// `ServerMemory.returnLargeBlocks` sets glibc's mmap threshold. That blocks of 4 MiB and more
/// are then mapped on their own can be checked only in a fresh process (in the test process, a
/// free chunk other tests left in an arena serves a large block first); the chaos benchmark
/// measures the effect on `lepton serve` (docs/BENCHMARKS.md).
@Suite struct ServerMemoryTests {
    /// Whether this process runs under AddressSanitizer (`scripts/sanitize.sh asan`), whose
    /// allocator replaces glibc's: its `mallopt` takes no setting and says so.
    static var underAddressSanitizer: Bool {
        #if os(Linux)
        return dlsym(nil, "__asan_init") != nil
        #else
        return false
        #endif
    }

    @Test func glibcTakesTheThreshold() {
        #if os(Linux)
        #expect(ServerMemory.returnLargeBlocks() == !Self.underAddressSanitizer)
        #endif
    }
}
