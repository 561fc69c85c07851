import Foundation
import CBLAS

/// Process-wide settings of the CPU backend.
///
/// The thread count is the one piece of global configuration: it starts from the
/// `LEPTON_NUM_THREADS` environment variable (all cores when unset) and can be changed with
/// ``threadCount``. It also sets OpenBLAS's thread count.
///
/// ```swift
/// Lepton.threadCount = 1   // stable single-core timings
/// ```
public enum Lepton {
    nonisolated(unsafe) private static var storedThreadCount: Int = {
        let initial = Lepton.environmentThreadCount() ?? ProcessInfo.processInfo.activeProcessorCount
        openblas_set_num_threads(Int32(initial))
        return initial
    }()

    /// Number of threads the CPU backend spreads work over (≥ 1).
    public static var threadCount: Int {
        get { storedThreadCount }
        set {
            let n = Swift.max(1, newValue)
            storedThreadCount = n
            openblas_set_num_threads(Int32(n))
        }
    }

    /// `LEPTON_NUM_THREADS` as a positive integer, or nil when unset or not a positive integer.
    static func environmentThreadCount() -> Int? {
        guard let text = ProcessInfo.processInfo.environment["LEPTON_NUM_THREADS"],
              let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
        return n
    }
}

/// Splits loops over the CPU backend's threads.
enum Parallel {
    /// Runs `body` over `0..<count` in contiguous chunks on up to ``Lepton/threadCount`` threads.
    /// Work smaller than `grain` items per thread stays on the calling thread.
    @inline(__always)
    static func forRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let threads = Swift.min(Lepton.threadCount, count / Swift.max(grain, 1))
        if threads <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lo = count * t / threads, hi = count * (t + 1) / threads
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// ``forRanges(_:grain:_:)`` for bodies that call BLAS themselves: while the chunks run on
    /// several threads, OpenBLAS is held to one thread, so that each chunk's products do not
    /// start threads of their own on cores that are already busy.
    static func forRangesWithSerialBLAS(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let threads = Lepton.threadCount
        if threads <= 1 || count / Swift.max(grain, 1) <= 1 {
            forRanges(count, grain: grain, body)
            return
        }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(threads)) }
        forRanges(count, grain: grain, body)
    }
}
