import Foundation
import LeptonTensor

/// Queues inference requests for one model version and runs them in forward passes: merged into
/// batches of up to `maxBatchSize` rows when dynamic batching is on, one by one when it is off.
///
/// A batch starts when it is full, or when its first request has waited `maxQueueDelay`, or at
/// once when batching is off, on one of `instanceCount` worker threads (forward passes never run
/// on Swift's cooperative pool). Requests keep their arrival order; each gets back exactly its
/// own rows. The queue holds at most `maxQueueSize` requests: one more gets a 503. A request
/// given a timeout gets a 504 once it has waited that long, queued or in a forward pass; one
/// timer serves all of them (no task per request).
///
/// With `maxBatchSize` 0 (Triton's "no batching", for models whose inputs have no batch
/// dimension) shapes are taken literally: no row count is read or checked and each request
/// runs alone, its outputs answered whole.
///
/// The queue is guarded by a lock, not an actor: a request costs one suspension (its task waits
/// for its answer) and no executor hops, and the worker that finishes a pass starts the next.
///
/// ```swift
/// let batcher = DynamicBatcher(model: model, config: ModelConfig(maxBatchSize: 32), statistics: stats)
/// let outputs = try await batcher.submit(["input": x])
/// ```
public final class DynamicBatcher: @unchecked Sendable {
    /// A request waiting in the queue.
    struct Job: Sendable {
        let id: UInt64
        let inputs: [String: V2Tensor]
        let rows: Int
        /// The trailing dimensions of every input; only jobs with equal keys share a batch.
        let shapeKey: [[Int]]
        let enqueued: ContinuousClock.Instant
        let reply: BatchReply
    }

    private let model: any InferenceModel
    private let config: ModelConfig
    /// `maxBatchSize` 0: shapes taken literally, one request per forward pass.
    private var literal: Bool { config.maxBatchSize == 0 }
    private let statistics: ModelStatistics
    private let label: String
    private let workers: [DispatchQueue]
    private let deadlines: RequestDeadlines
    private let lock = NSLock()
    // Guarded by `lock`:
    private var idleWorkers: [Int]
    private var queue: [Job] = []
    private var queuedRows = 0
    private var nextID: UInt64 = 0
    private var timerDeadline: ContinuousClock.Instant?
    private var closedReason: String?
    private var running = 0
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a batcher for `model` with the batching settings of `config`.
    public init(model: any InferenceModel, config: ModelConfig, statistics: ModelStatistics, label: String = "model") {
        self.model = model
        self.config = config
        self.statistics = statistics
        self.label = label
        // ModelConfig.checked keeps instance_count in its limits; the clamp guards other callers.
        let instances = Swift.min(Swift.max(config.instanceCount, 1), ModelConfig.Limits.instanceCount.upperBound)
        workers = (0..<instances).map { DispatchQueue(label: "lepton.serve.\(label).\($0)") }
        idleWorkers = Array((0..<instances).reversed())
        deadlines = RequestDeadlines(label: label)
        deadlines.whenExpired { [weak self] in self?.dropAnswered() }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Queues a request (every input batched along its first dimension) and waits for its outputs.
    /// - Parameter timeout: how long the request may take from now (nil: no limit).
    /// - Throws: ``ServeError`` 503 when the queue is full or the model is unloading, 400 for more
    ///   rows than `maxBatchSize`, 504 past the timeout, the model's error if its forward pass
    ///   fails, and `CancellationError` when the calling task is cancelled while the request still waits.
    public func submit(_ inputs: [String: V2Tensor], timeout: Duration? = nil) async throws -> [String: V2Tensor] {
        let rows = literal ? 1 : inputs.values.first?.shape.first ?? 0
        guard literal || (rows >= 1 && inputs.values.allSatisfy({ $0.shape.first == rows })) else {
            throw ServeError.badRequest("every input needs the same batch size ≥ 1 along its first dimension, got \(inputs.values.map(\.shape).sorted { "\($0)" < "\($1)" })")
        }
        guard literal || rows <= config.maxBatchSize else {
            throw ServeError.badRequest("batch size \(rows) exceeds the model's max_batch_size \(config.maxBatchSize)")
        }
        let id = locked { nextID += 1; return nextID }
        let start = ContinuousClock.now
        let shapeKey = inputs.count == 1 ? [Array(inputs.values.first!.shape.dropFirst())]
                                          : inputs.keys.sorted().map { Array(inputs[$0]!.shape.dropFirst()) }
        do {
            let outputs = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[String: V2Tensor], any Error>) in
                    let reply = BatchReply(continuation, id: id, deadlines: timeout == nil ? nil : deadlines)
                    if let timeout { deadlines.add(id, timeout: timeout, start: start, reply: reply) }
                    enqueue(Job(id: id, inputs: inputs, rows: rows, shapeKey: shapeKey, enqueued: start, reply: reply),
                            cancelled: Task.isCancelled)
                }
            } onCancel: {
                self.cancel(id)
            }
            statistics.recordRequest(success: true, ns: Self.nanoseconds(since: start))
            return outputs
        } catch {
            statistics.recordRequest(success: false, ns: Self.nanoseconds(since: start))
            throw error
        }
    }

    private func enqueue(_ job: Job, cancelled: Bool) {
        lock.lock()
        let refusal: (any Error)?
        var batches: [(worker: Int, batch: [Job])] = []
        if let closedReason {
            refusal = ServeError.unavailable(closedReason)
        } else if cancelled {
            refusal = CancellationError()
        } else if queue.count >= config.maxQueueSize {
            refusal = ServeError.unavailable("model '\(label)' has \(queue.count) requests queued, its limit (max_queue_size); retry later")
        } else {
            refusal = nil
            queue.append(job)
            queuedRows += job.rows
            batches = takeBatches()
        }
        let depth = queue.count
        lock.unlock()
        if let refusal { job.reply.resume(with: .failure(refusal)); return }
        statistics.recordQueueDepth(depth)
        launch(batches)
    }

    private func cancel(_ id: UInt64) {
        lock.lock()
        guard let index = queue.firstIndex(where: { $0.id == id }) else { lock.unlock(); return }
        let job = queue.remove(at: index)
        queuedRows -= job.rows
        let depth = queue.count
        lock.unlock()
        statistics.recordQueueDepth(depth)
        job.reply.resume(with: .failure(CancellationError()))
    }

    /// Takes as many batches off the queue as there are idle workers and ready requests (call
    /// with the lock held); arms the delay timer when the first request may still wait for company.
    private func takeBatches() -> [(worker: Int, batch: [Job])] {
        var batches: [(worker: Int, batch: [Job])] = []
        while !idleWorkers.isEmpty, let first = queue.first {
            var take = 1
            if config.dynamicBatching && !literal {
                let delay = Swift.min(Swift.max(config.maxQueueDelayMicroseconds, 0), ModelConfig.Limits.maxQueueDelayMicroseconds.upperBound)
                let deadline = first.enqueued.advanced(by: .microseconds(delay))
                if closedReason == nil && queuedRows < config.maxBatchSize && ContinuousClock.now < deadline {
                    armTimer(deadline)
                    break
                }
                var rows = first.rows
                while take < queue.count, queue[take].shapeKey == first.shapeKey, rows + queue[take].rows <= config.maxBatchSize {
                    rows += queue[take].rows
                    take += 1
                }
            }
            let taken = queue.prefix(take)
            queue.removeFirst(take)
            queuedRows -= taken.reduce(0) { $0 + $1.rows }
            let batch = taken.filter { !$0.reply.isAnswered }   // timed out while queued: no forward pass
            if batch.isEmpty { continue }
            running += 1
            batches.append((idleWorkers.removeLast(), batch))
        }
        return batches
    }

    /// Starts the forward passes of `batches` on their workers.
    private func launch(_ batches: [(worker: Int, batch: [Job])]) {
        guard !batches.isEmpty else { return }
        let now = ContinuousClock.now
        for (worker, batch) in batches {
            for job in batch { statistics.recordQueue(Self.nanoseconds(from: job.enqueued, to: now)) }
            workers[worker].async {
                Self.run(batch, model: self.model, statistics: self.statistics, literal: self.literal)
                self.finished(worker)
            }
        }
    }

    /// Under the lock: `update`, then takes the ready batches off the queue, then `settle`; after
    /// it, records the new queue depth and starts the batches.
    private func takeAndLaunch(_ update: () -> Void = {}, settle: () -> Void = {}) {
        lock.lock()
        update()
        let batches = takeBatches(), depth = queue.count
        settle()
        lock.unlock()
        guard !batches.isEmpty else { return }
        statistics.recordQueueDepth(depth)
        launch(batches)
    }

    /// Schedules a look at the queue at `deadline` unless one comes by then (lock held).
    private func armTimer(_ deadline: ContinuousClock.Instant) {
        if let armed = timerDeadline, armed <= deadline { return }
        timerDeadline = deadline
        DispatchQueue.global().asyncAfter(deadline: .now() + (deadline - ContinuousClock.now).dispatchInterval) { [weak self] in
            self?.timerFired(deadline)
        }
    }

    private func timerFired(_ deadline: ContinuousClock.Instant) {
        takeAndLaunch({ if timerDeadline == deadline { timerDeadline = nil } })
    }

    /// Drops the requests that were answered while queued (timed out).
    private func dropAnswered() {
        let depth: Int = locked {
            queue.removeAll { job in
                guard job.reply.isAnswered else { return false }
                queuedRows -= job.rows
                return true
            }
            return queue.count
        }
        statistics.recordQueueDepth(depth)
    }

    private func finished(_ worker: Int) {
        var waiters: [CheckedContinuation<Void, Never>] = []
        takeAndLaunch({ idleWorkers.append(worker); running -= 1 },
                      settle: { if running == 0 && queue.isEmpty { swap(&waiters, &drainWaiters) } })
        for waiter in waiters { waiter.resume() }
    }

    /// Stops taking requests (new ones get a 503 with `reason`), starts the queued ones without
    /// waiting for their batching delay, and waits until every queued and running one has been answered.
    public func close(reason: String) async {
        takeAndLaunch({ closedReason = reason })
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            lock.lock()
            if running == 0 && queue.isEmpty {
                lock.unlock()
                waiter.resume()
            } else {
                drainWaiters.append(waiter)
                lock.unlock()
            }
        }
    }

    /// Requests waiting now.
    public var queueDepth: Int { locked { queue.count } }

    /// Merges a batch's inputs, runs the model, and answers each job with its own rows
    /// (`literal`: one job, its inputs and outputs whole).
    private static func run(_ batch: [Job], model: any InferenceModel, statistics: ModelStatistics, literal: Bool) {
        let t0 = ContinuousClock.now
        let rows = batch.reduce(0) { $0 + $1.rows }
        var merged: [String: V2Tensor] = [:]
        if literal {
            merged = batch[0].inputs
        } else {
            for name in batch[0].inputs.keys {
                merged[name] = V2Tensor.concatenateRows(batch.map { $0.inputs[name]! })
            }
        }
        let t1 = ContinuousClock.now
        let outputs: [String: V2Tensor]
        do {
            outputs = try model.infer(merged)
            if !literal, let bad = outputs.first(where: { $0.value.shape.first != rows }) {
                throw ServeError.internalError("model output '\(bad.key)' has shape \(bad.value.shape), expected \(rows) rows")
            }
        } catch {
            for job in batch { job.reply.resume(with: .failure(error)) }
            return
        }
        let t2 = ContinuousClock.now
        var start = 0
        var answers: [[String: V2Tensor]] = []
        answers.reserveCapacity(batch.count)
        for job in batch {
            answers.append(literal ? outputs : outputs.mapValues { $0.rows(start..<(start + job.rows)) })
            start += job.rows
        }
        let t3 = ContinuousClock.now
        statistics.recordBatch(requests: batch.count, rows: rows, inputNs: nanoseconds(from: t0, to: t1),
                               inferNs: nanoseconds(from: t1, to: t2), outputNs: nanoseconds(from: t2, to: t3))
        for (job, answer) in zip(batch, answers) { job.reply.resume(with: .success(answer)) }
    }

    static func nanoseconds(from a: ContinuousClock.Instant, to b: ContinuousClock.Instant) -> UInt64 {
        let d = b - a
        let (seconds, attoseconds) = d.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }

    static func nanoseconds(since a: ContinuousClock.Instant) -> UInt64 { nanoseconds(from: a, to: .now) }
}
