import Foundation
import CBLAS
import CFloatEnv
import Synchronization

/// Process-wide settings of the CPU backend.
///
/// The thread count is the one piece of global configuration: it starts from the
/// `LEPTON_NUM_THREADS` environment variable (all cores when unset) and can be changed with
/// ``threadCount``. OpenBLAS itself always runs on the calling thread: the CPU backend splits
/// large matrix products over its own threads (one pool for every kind of work, ``WorkerPool``,
/// so no second set of BLAS threads spins while element-wise work waits for a core).
///
/// ```swift
/// Lepton.threadCount = 1   // stable single-core timings
/// ```
public enum Lepton {
    /// Atomic: any thread may set it while loops on other threads read it.
    private static let storedThreadCount: Atomic<Int> = {
        // Every product asks for the thread count first, so OpenBLAS's kernels are settled here.
        BLASCore.ensureBestKernels()
        openblas_set_num_threads(1)
        return Atomic(Lepton.environmentThreadCount() ?? ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// Number of threads the CPU backend spreads work over (≥ 1).
    public static var threadCount: Int {
        get { storedThreadCount.load(ordering: .relaxed) }
        set { storedThreadCount.store(Swift.max(1, newValue), ordering: .relaxed) }
    }

    /// Whether the CPU backend's kernels flush subnormal floats (magnitudes below 1.18e-38) to
    /// zero, as results and as inputs — what TensorFlow and XLA do on CPUs. On by default: on many
    /// x86 processors every operation on a subnormal takes a slow microcode path, and training
    /// makes them (Adam's second moments of gradients that stay zero decay through the subnormal
    /// range for thousands of steps; the MNIST CNN's second and third epochs ran 4× slower on an
    /// Intel Xeon). `LEPTON_FLUSH_DENORMALS=0` or setting this to false keeps IEEE subnormals.
    /// The thread's own mode is restored after each kernel: code outside Lepton is not affected.
    public static var flushesDenormals: Bool {
        get { storedFlushesDenormals.load(ordering: .relaxed) }
        set { storedFlushesDenormals.store(newValue, ordering: .relaxed) }
    }

    private static let storedFlushesDenormals: Atomic<Bool> = {
        let text = ProcessInfo.processInfo.environment["LEPTON_FLUSH_DENORMALS"]?.trimmingCharacters(in: .whitespaces).lowercased()
        return Atomic(!["0", "false", "no", "off"].contains(text ?? ""))
    }()

    /// `LEPTON_NUM_THREADS` as a positive integer, or nil when unset or not a positive integer.
    static func environmentThreadCount() -> Int? {
        guard let text = ProcessInfo.processInfo.environment["LEPTON_NUM_THREADS"],
              let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
        return n
    }
}

/// Splits loops over the CPU backend's threads (public for kernels outside this module, such as
/// LeptonCompress's int8 kernels, so they share the thread count and the nesting rule).
public enum Parallel {
    /// Marks the threads that are running a chunk of ``forRanges(_:grain:_:)``.
    private static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Whether the calling thread is running a chunk of a parallel loop: loops started from
    /// there run serially instead of stacking threads on cores that are already busy.
    static var insideRegion: Bool { pthread_getspecific(regionKey) != nil }

    /// Threads a loop of `count` items with at least `grain` items per thread would use.
    static func threads(for count: Int, grain: Int) -> Int {
        if insideRegion { return 1 }
        return Swift.max(1, Swift.min(Lepton.threadCount, count / Swift.max(grain, 1)))
    }

    /// Runs `body` over `0..<count` in contiguous chunks on up to ``Lepton/threadCount`` threads.
    /// Work smaller than `grain` items per thread, or started inside another parallel loop,
    /// stays on the calling thread.
    @inline(__always)
    public static func forRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        let threads = threads(for: count, grain: grain)
        if threads <= 1 {
            if count > 0 { withKernelFloatMode { body(0..<count) } }
            return
        }
        let chunk = { (t: Int) in
            let lo = count * t / threads, hi = count * (t + 1) / threads
            let outer = pthread_getspecific(regionKey)
            pthread_setspecific(regionKey, UnsafeRawPointer(bitPattern: 1))
            if lo < hi { withKernelFloatMode { body(lo..<hi) } }
            pthread_setspecific(regionKey, outer)
        }
        // The pool's workers start at once; when another thread's loop holds them, libdispatch's.
        if !WorkerPool.shared.run(threads, chunk) {
            DispatchQueue.concurrentPerform(iterations: threads, execute: chunk)
        }
    }

    /// Runs `body` with subnormals flushed to zero when ``Lepton/flushesDenormals`` (the calling
    /// thread's floating-point mode is restored afterwards).
    @inline(__always)
    public static func withKernelFloatMode<R>(_ body: () throws -> R) rethrows -> R {
        guard Lepton.flushesDenormals else { return try body() }
        let saved = lepton_fpenv_get()
        lepton_fpenv_set(lepton_fpenv_flushing(saved))
        defer { lepton_fpenv_set(saved) }
        return try body()
    }
}
