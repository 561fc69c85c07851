import CMalloc

/// How a long-running server's process hands memory back to the system.
///
/// glibc's malloc raises its mmap threshold to the largest block freed so far (up to 32 MiB),
/// and its trim threshold to twice that. After a burst of large request bodies (every one up to
/// `--max-body-bytes`, hostile or not), each thread's arena then keeps that much free memory
/// resident at its top for good: the chaos benchmark saw the server's RSS step up by 25 % in ten
/// minutes while the bytes in use stayed at 17–18 MB. A fixed threshold turns the adjustment off:
/// blocks of `threshold` bytes or more are mapped on their own and unmapped when freed, and
/// arenas trim their free tops again.
public enum ServerMemory {
    /// The mmap threshold `lepton serve` sets: request bodies and tensors of 4 MiB or more.
    public static let defaultThreshold = 4 << 20

    /// Fixes malloc's mmap threshold at `threshold` bytes for this process.
    /// - Returns: whether the C library took the setting (false where it is not glibc).
    @discardableResult
    public static func returnLargeBlocks(threshold: Int = defaultThreshold) -> Bool {
        #if os(Linux)
        return mallopt(M_MMAP_THRESHOLD, Int32(clamping: threshold)) == 1
        #else
        return false
        #endif
    }
}
