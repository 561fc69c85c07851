import Foundation

/// A count of events and their total duration in nanoseconds (Triton's `{"count", "ns"}`).
public struct DurationTally: Sendable, Equatable, Codable {
    /// Number of events.
    public var count: Int = 0
    /// Their total duration in nanoseconds.
    public var ns: UInt64 = 0

    /// Adds one event of `nanoseconds`.
    public mutating func add(_ nanoseconds: UInt64, count n: Int = 1) {
        count += n
        ns &+= nanoseconds
    }
}

/// Statistics of one batch size (Triton's `batch_stats` entry).
public struct BatchSizeStatistics: Sendable, Equatable, Codable {
    /// The batch size.
    public var batch_size: Int
    /// Merging requests into the batch.
    public var compute_input = DurationTally()
    /// The forward pass.
    public var compute_infer = DurationTally()
    /// Splitting the outputs back to the requests.
    public var compute_output = DurationTally()
}

/// One model version's counters as Triton's statistics extension reports them.
public struct ModelStatisticsSnapshot: Sendable, Equatable, Codable {
    /// The model's name.
    public var name: String
    /// The version.
    public var version: String
    /// Milliseconds since 1970 of the last inference (0: none yet).
    public var last_inference: UInt64 = 0
    /// Samples inferred (a request of batch 4 counts 4).
    public var inference_count: Int = 0
    /// Forward passes run.
    public var execution_count: Int = 0
    /// Per-request tallies: success, fail, queue, compute_input, compute_infer, compute_output.
    public var inference_stats = InferenceStats()
    /// Per batch size tallies, by batch size.
    public var batch_stats: [BatchSizeStatistics] = []

    /// Triton's `inference_stats` object.
    public struct InferenceStats: Sendable, Equatable, Codable {
        /// Requests answered, with time from queueing to answer.
        public var success = DurationTally()
        /// Requests that failed, with their time.
        public var fail = DurationTally()
        /// Time requests waited in the queue.
        public var queue = DurationTally()
        /// Time spent merging inputs (the batch's, counted per request).
        public var compute_input = DurationTally()
        /// Time in the forward pass (the batch's, counted per request).
        public var compute_infer = DurationTally()
        /// Time spent splitting outputs (the batch's, counted per request).
        public var compute_output = DurationTally()
    }
}

/// Thread-safe statistics of one served model version, updated by its batcher.
public final class ModelStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var snapshotValue: ModelStatisticsSnapshot
    private var bySize: [Int: BatchSizeStatistics] = [:]
    private let metrics: ModelMetricHandles?

    /// Creates empty statistics for a model version, optionally mirrored into Prometheus metrics.
    public init(name: String, version: String, metrics: ServeMetrics? = nil) {
        snapshotValue = ModelStatisticsSnapshot(name: name, version: version)
        self.metrics = metrics?.handles(model: name, version: version)
    }

    /// The counters now.
    public var snapshot: ModelStatisticsSnapshot {
        lock.lock(); defer { lock.unlock() }
        var s = snapshotValue
        s.batch_stats = bySize.keys.sorted().map { bySize[$0]! }
        return s
    }

    /// Records one forward pass of `requests` requests and `rows` samples.
    func recordBatch(requests: Int, rows: Int, inputNs: UInt64, inferNs: UInt64, outputNs: UInt64) {
        lock.lock()
        snapshotValue.execution_count += 1
        snapshotValue.inference_count += rows
        snapshotValue.last_inference = UInt64(Date().timeIntervalSince1970 * 1000)
        snapshotValue.inference_stats.compute_input.add(inputNs * UInt64(requests), count: requests)
        snapshotValue.inference_stats.compute_infer.add(inferNs * UInt64(requests), count: requests)
        snapshotValue.inference_stats.compute_output.add(outputNs * UInt64(requests), count: requests)
        var size = bySize[rows] ?? BatchSizeStatistics(batch_size: rows)
        size.compute_input.add(inputNs)
        size.compute_infer.add(inferNs)
        size.compute_output.add(outputNs)
        bySize[rows] = size
        lock.unlock()
        metrics?.recordBatch(rows: rows, inferNs: inferNs)
    }

    /// Sets the number of requests waiting in the queue (the Prometheus gauge).
    func recordQueueDepth(_ depth: Int) { metrics?.queueDepth.set(to: Double(depth)) }

    /// Records the time a request waited in the queue.
    func recordQueue(_ ns: UInt64) {
        lock.lock()
        snapshotValue.inference_stats.queue.add(ns)
        lock.unlock()
        metrics?.recordQueue(ns: ns)
    }

    /// Records a request's outcome and its time from queueing to answer.
    func recordRequest(success: Bool, ns: UInt64) {
        lock.lock()
        if success { snapshotValue.inference_stats.success.add(ns) } else { snapshotValue.inference_stats.fail.add(ns) }
        lock.unlock()
        metrics?.recordRequest(success: success, ns: ns)
    }
}
