import Dispatch
import Foundation

/// The one answer a queued request gets: its rows of a forward pass, or an error, whichever
/// comes first (a timeout may answer while the forward pass still runs; its late result is dropped).
final class BatchReply: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<[String: V2Tensor], any Error>?
    private let id: UInt64
    private let deadlines: RequestDeadlines?

    init(_ continuation: CheckedContinuation<[String: V2Tensor], any Error>, id: UInt64, deadlines: RequestDeadlines?) {
        self.continuation = continuation
        self.id = id
        self.deadlines = deadlines
    }

    /// Answers the request unless it has been answered already.
    func resume(with result: Result<[String: V2Tensor], any Error>) {
        lock.lock()
        let pending = continuation
        continuation = nil
        lock.unlock()
        guard let pending else { return }
        deadlines?.remove(id)
        pending.resume(with: result)
    }

    /// Whether the request has its answer.
    var isAnswered: Bool { lock.lock(); defer { lock.unlock() }; return continuation == nil }
}

/// The deadlines of a batcher's unanswered requests and the one timer that answers each with a
/// 504 when its time is up, whether it is queued or in a forward pass.
///
/// The timer runs on a Dispatch queue, not on Swift's cooperative pool, so timeouts fire on time
/// even while every pool thread is busy.
final class RequestDeadlines: @unchecked Sendable {
    private struct Entry {
        let deadline: ContinuousClock.Instant
        let timeout: Duration
        let reply: BatchReply
    }

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var armed: ContinuousClock.Instant?
    private let label: String
    private var onExpired: (@Sendable () -> Void)?

    /// - Parameter label: the model in timeout messages.
    init(label: String) { self.label = label }

    /// Sets what runs (on the timer's queue) after requests timed out, to drop them from the queue.
    func whenExpired(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        onExpired = body
        lock.unlock()
    }

    /// Starts the clock of request `id`.
    func add(_ id: UInt64, timeout: Duration, start: ContinuousClock.Instant, reply: BatchReply) {
        let deadline = start.advanced(by: timeout)
        lock.lock()
        entries[id] = Entry(deadline: deadline, timeout: timeout, reply: reply)
        let arm = armed.map { deadline < $0 } ?? true
        if arm { armed = deadline }
        lock.unlock()
        if arm { schedule(deadline) }
    }

    /// Forgets request `id` (it has its answer).
    func remove(_ id: UInt64) {
        lock.lock()
        entries[id] = nil
        lock.unlock()
    }

    private func schedule(_ deadline: ContinuousClock.Instant) {
        DispatchQueue.global().asyncAfter(deadline: .now() + (deadline - ContinuousClock.now).dispatchInterval) { [weak self] in
            self?.fire(deadline)
        }
    }

    /// Answers every request past its deadline, then arms the timer for the next deadline.
    private func fire(_ deadline: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        lock.lock()
        if armed == deadline { armed = nil }
        let expired = entries.filter { $0.value.deadline <= now }
        for id in expired.keys { entries[id] = nil }
        let next = entries.values.map(\.deadline).min()
        let arm = next.map { next in armed.map { next < $0 } ?? true } ?? false
        if arm { armed = next }
        let onExpired = self.onExpired
        lock.unlock()
        if arm, let next { schedule(next) }
        for entry in expired.values {
            entry.reply.resume(with: .failure(ServeError.timeout(
                "inference on model '\(label)' did not finish within the request timeout of \(entry.timeout)")))
        }
        if !expired.isEmpty { onExpired?() }
    }
}
