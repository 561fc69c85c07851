import CMalloc
import LeptonServe
import Testing

/// After `ServerMemory.returnLargeBlocks`, a large block is mapped on its own (so freeing it
/// returns it to the system) even after larger blocks were freed before, which would otherwise
/// have raised glibc's threshold past it.
@Suite struct ServerMemoryTests {
    /// Whether glibc's malloc serves this process (a sanitizer's allocator reports no glibc statistics).
    static var glibcMalloc: Bool {
        #if os(Linux)
        return mallinfo2().arena > 0
        #else
        return false
        #endif
    }

    @Test(.enabled(if: glibcMalloc, "glibc's malloc (not a sanitizer's allocator)"))
    func largeBlocksAreMappedOnTheirOwnAfterTheSetting() throws {
        #if os(Linux)
        // A 24 MiB block freed first raises glibc's dynamic threshold to 24 MiB.
        free(malloc(24 << 20))
        #expect(ServerMemory.returnLargeBlocks())
        // glibc marks a chunk mapped on its own with bit 1 (IS_MMAPPED) of the size word just
        // before the block: a per-block check, unlike mallinfo2's totals, which other tests
        // running in parallel move.
        let isMapped = { (block: UnsafeMutableRawPointer) in (block - MemoryLayout<UInt>.size).load(as: UInt.self) & 2 != 0 }
        let large = try #require(malloc(ServerMemory.defaultThreshold + (1 << 20)))
        let small = try #require(malloc(ServerMemory.defaultThreshold / 2))
        defer { free(large); free(small) }
        #expect(isMapped(large))
        #expect(!isMapped(small))
        #endif
    }
}
