import Foundation

/// A caching allocator: freed blocks of 64 KiB or more are kept, by exact size, for the next
/// allocation of that size, as PyTorch's caching allocator does on GPUs.
///
/// Training allocates the same sizes every step; reusing them skips `mmap`, page faults and
/// zeroing by the kernel. The cache holds at most ``limitBytes``; past that, blocks are freed.
final class BufferCache: @unchecked Sendable {
    /// Blocks under this size go straight to `malloc`, which already caches them well.
    static let minimumCachedBytes = 64 * 1024

    /// Largest number of bytes kept idle in the cache.
    let limitBytes: Int
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= Self.minimumCachedBytes {
            lock.lock()
            if let p = free[byteCount]?.popLast() {
                cachedBytes -= byteCount
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= Self.minimumCachedBytes {
            lock.lock()
            if cachedBytes + byteCount <= limitBytes {
                free[byteCount, default: []].append(pointer)
                cachedBytes += byteCount
                lock.unlock()
                return
            }
            lock.unlock()
        }
        pointer.deallocate()
    }

    /// Frees every cached block.
    func empty() {
        lock.lock()
        let blocks = free.values.flatMap { $0 }
        free = [:]
        cachedBytes = 0
        lock.unlock()
        for p in blocks { p.deallocate() }
    }
}
