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
        let before = mallinfo2().hblkhd
        let block = try #require(malloc(ServerMemory.defaultThreshold + (1 << 20)))
        let during = mallinfo2().hblkhd
        free(block)
        #expect(during >= before + ServerMemory.defaultThreshold + (1 << 20), "mapped bytes \(before) → \(during)")
        #expect(mallinfo2().hblkhd == before)
        #endif
    }
}
