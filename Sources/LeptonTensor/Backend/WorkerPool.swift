import Foundation
import Synchronization

/// The threads that run the chunks of ``Parallel/forRanges(_:grain:_:)``: persistent workers that
/// keep polling for the next loop for a short while after each one (as OpenMP's and OpenBLAS's
/// threads do) before they sleep, so a loop of a few microseconds per thread — one time step of an
/// LSTM, a small matrix product — starts on every thread at once instead of after a wake-up.
///
/// One loop runs at a time, at most as wide as the machine's cores: a caller that finds the pool
/// busy (another thread's loop) or asks for more threads gets `false` from ``run(_:_:)`` and runs
/// its loop another way.
///
/// A loop is posted as a generation number; its chunks are claimed through one atomic ticket
/// holding the generation (high 32 bits) and the next chunk (low 32 bits), so a worker that wakes
/// late can never claim a chunk of a later loop with an earlier loop's body.
final class WorkerPool: @unchecked Sendable {
    /// The pool ``Parallel`` uses.
    static let shared = WorkerPool()

    /// How long an idle worker polls for the next loop before it sleeps.
    static let spinSeconds = 100e-6

    /// Loops wider than the cores are left to libdispatch: polling workers on a core that another
    /// of them needs would only slow each other down.
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    private let busy = Mutex(false)
    private let generation = Atomic<UInt64>(0)
    private let ticket = Atomic<UInt64>(0)
    private let pending = Atomic<Int>(0)
    /// The current loop: its chunk count and the address of its body. Written only while no chunk
    /// of an earlier loop can still be claimed (the caller waited for `pending` to reach 0).
    private let chunks = Atomic<Int>(0)
    private let body = Atomic<UInt>(0)
    private var workers = 0
    private let workersLock = NSLock()

    private let sleepMutex: UnsafeMutablePointer<pthread_mutex_t>
    private let sleepCondition: UnsafeMutablePointer<pthread_cond_t>
    /// Workers waiting on `sleepCondition` (read and written under `sleepMutex`).
    private var sleepers = 0

    private init() {
        sleepMutex = .allocate(capacity: 1)
        sleepCondition = .allocate(capacity: 1)
        pthread_mutex_init(sleepMutex, nil)
        pthread_cond_init(sleepCondition, nil)
    }

    /// Runs `chunk(0)`, …, `chunk(count - 1)` on the calling thread and up to `count - 1` workers,
    /// and returns when all have finished; `false` (nothing run) when another loop is running or
    /// `count` exceeds the cores.
    func run(_ count: Int, _ chunk: (Int) -> Void) -> Bool {
        guard count > 1, count <= Self.cores else { return false }
        let acquired = busy.withLock { taken -> Bool in
            if taken { return false }
            taken = true
            return true
        }
        guard acquired else { return false }
        defer { busy.withLock { $0 = false } }
        startWorkers(count - 1)
        withoutActuallyEscaping(chunk) { chunk in
            var function = chunk
            withUnsafePointer(to: &function) { pointer in
                chunks.store(count, ordering: .relaxed)
                body.store(UInt(bitPattern: pointer), ordering: .relaxed)
                pending.store(count, ordering: .relaxed)
                let next = generation.load(ordering: .relaxed) &+ 1
                ticket.store(next << 32, ordering: .relaxed)
                generation.store(next, ordering: .releasing)
                pthread_mutex_lock(sleepMutex)
                if sleepers > 0 { pthread_cond_broadcast(sleepCondition) }
                pthread_mutex_unlock(sleepMutex)
                work(generation: next)
                // Yield now and then: with more threads than free cores a worker holding a
                // chunk may be waiting for this core.
                var polls = 0
                while pending.load(ordering: .acquiring) > 0 {
                    polls += 1
                    if polls & 1023 == 0 { sched_yield() }
                }
                body.store(0, ordering: .relaxed)
            }
        }
        return true
    }

    /// Claims and runs chunks of loop `generation` until none is left.
    private func work(generation: UInt64) {
        let count = UInt64(chunks.load(ordering: .relaxed))
        guard let address = UnsafePointer<(Int) -> Void>(bitPattern: body.load(ordering: .relaxed)) else { return }
        var current = ticket.load(ordering: .acquiring)
        while current >> 32 == generation, current & 0xFFFF_FFFF < count {
            let (exchanged, original) = ticket.compareExchange(expected: current, desired: current + 1,
                                                               ordering: .acquiringAndReleasing)
            if exchanged {
                address.pointee(Int(current & 0xFFFF_FFFF))
                pending.subtract(1, ordering: .releasing)
                current = current + 1
            } else {
                current = original
            }
        }
    }

    /// Makes sure `count` workers exist.
    private func startWorkers(_ count: Int) {
        workersLock.lock()
        defer { workersLock.unlock() }
        while workers < count {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "lepton-worker-\(workers + 1)"
            thread.start()
            workers += 1
        }
    }

    private func workerLoop() {
        var seen = generation.load(ordering: .acquiring)
        while true {
            var posted = generation.load(ordering: .acquiring)
            if posted == seen {
                let start = DispatchTime.now().uptimeNanoseconds
                var polls = 0
                while posted == seen {
                    polls += 1
                    if polls & 1023 == 0 {
                        if Double(DispatchTime.now().uptimeNanoseconds - start) > Self.spinSeconds * 1e9 { break }
                        sched_yield()
                    }
                    posted = generation.load(ordering: .acquiring)
                }
                if posted == seen {
                    pthread_mutex_lock(sleepMutex)
                    sleepers += 1
                    while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(sleepCondition, sleepMutex) }
                    sleepers -= 1
                    pthread_mutex_unlock(sleepMutex)
                    posted = generation.load(ordering: .acquiring)
                }
            }
            seen = posted
            work(generation: posted)
        }
    }
}
