import Foundation

/// One point of a training curve: the end of an epoch (loss, every metric, `val_…`) or a step
/// within one (the epoch's running loss and metrics so far).
///
/// A point is one JSON line of a metrics file (``TrainingMetricsWriter``), flat:
/// `{"epoch": 2, "loss": 0.31, "accuracy": 0.91, "val_loss": 0.35, "seconds": 4.2, "elapsed": 8.9}`
/// for an epoch, `{"epoch": 2, "batch": 40, "batches": 469, "loss": 0.33, "elapsed": 6.1}` for a step.
public struct TrainingMetricPoint: Sendable, Equatable, Codable {
    /// The epoch, counted from 1.
    public let epoch: Int
    /// For a step: the batch just finished, counted from 1 (nil for an epoch's end).
    public let batch: Int?
    /// For a step: the batches of an epoch.
    public let batches: Int?
    /// Loss and metrics by name (`loss`, `accuracy`, `val_loss`, …).
    public let values: [String: Double]
    /// For an epoch's end: the seconds the epoch took.
    public let seconds: Double?
    /// Seconds since training started.
    public let elapsed: Double

    /// Creates a point.
    public init(epoch: Int, batch: Int? = nil, batches: Int? = nil, values: [String: Double], seconds: Double? = nil, elapsed: Double) {
        self.epoch = epoch
        self.batch = batch
        self.batches = batches
        self.values = values
        self.seconds = seconds
        self.elapsed = elapsed
    }

    /// Whether it closes an epoch (not a step within one).
    public var isEpoch: Bool { batch == nil }

    /// Where it lies on a curve's x axis, in epochs: 1.0 at the end of the first epoch, 0.5 halfway through it.
    public var position: Double {
        guard let batch, let batches, batches > 0 else { return Double(epoch) }
        return Double(epoch - 1) + Double(batch) / Double(batches)
    }

    private static let reserved: Set<String> = ["epoch", "batch", "batches", "seconds", "elapsed"]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        epoch = try container.decode(Int.self, forKey: Key(stringValue: "epoch"))
        batch = try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "batch"))
        batches = try container.decodeIfPresent(Int.self, forKey: Key(stringValue: "batches"))
        seconds = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "seconds"))
        elapsed = try container.decodeIfPresent(Double.self, forKey: Key(stringValue: "elapsed")) ?? 0
        var values: [String: Double] = [:]
        for key in container.allKeys where !Self.reserved.contains(key.stringValue) {
            // A metric that was NaN or infinite is written as null.
            if let value = try? container.decode(Double.self, forKey: key) { values[key.stringValue] = value }
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(epoch, forKey: Key(stringValue: "epoch"))
        try container.encodeIfPresent(batch, forKey: Key(stringValue: "batch"))
        try container.encodeIfPresent(batches, forKey: Key(stringValue: "batches"))
        try container.encodeIfPresent(seconds, forKey: Key(stringValue: "seconds"))
        try container.encode(elapsed, forKey: Key(stringValue: "elapsed"))
        for (name, value) in values where !Self.reserved.contains(name) {
            if value.isFinite { try container.encode(value, forKey: Key(stringValue: name)) } else { try container.encodeNil(forKey: Key(stringValue: name)) }
        }
    }
}

/// Reading a metrics file that a running job may be appending to.
public enum TrainingMetricsFile {
    /// The points of the metrics file at `url`, in order; empty when it does not exist yet.
    /// Only complete lines count: a last line still being written (no newline yet) is skipped,
    /// as is any line that is not a point.
    public static func read(_ url: URL) -> [TrainingMetricPoint] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return parse(data)
    }

    /// The points of metrics-file bytes (see ``read(_:)``).
    public static func parse(_ data: Data) -> [TrainingMetricPoint] {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()   // after the last newline: empty, or a line being written
        let decoder = JSONDecoder()
        return lines.compactMap { try? decoder.decode(TrainingMetricPoint.self, from: Data($0)) }
    }
}
