import Foundation
import LeptonNN
import LeptonTrain

/// Writes a job's training curve as JSON lines (``TrainingMetricPoint``): one line per finished
/// epoch, and one every few batches within an epoch with the running loss and metrics, so that
/// a curve moves during a long epoch. Each line is appended with one `write` to a file opened
/// with `O_APPEND`, so a reader sees whole lines, and at most a torn last one.
///
/// ```swift
/// let writer = try TrainingMetricsWriter(path: "metrics.jsonl")
/// var options = TrainingJob.Options(); options.batchEvents = true
/// try TrainingJob(config: config, options: options).run(onEvent: writer.record)
/// ```
public final class TrainingMetricsWriter: @unchecked Sendable {
    /// The file written.
    public let path: String
    /// A step line every this many batches (nil: about ``stepsPerEpoch`` lines per epoch).
    public let batchInterval: Int?
    /// Step lines per epoch when no interval is given.
    public static let stepsPerEpoch = 25

    private let descriptor: Int32
    private let lock = NSLock()
    private var start = Date()
    private var epochStart = Date()

    /// Opens (creating or appending to) the file at `path`.
    /// - Throws: ``ConfigError`` naming the path when it cannot be opened.
    public init(path: String, batchInterval: Int? = nil) throws {
        self.path = path
        self.batchInterval = batchInterval.map { max(1, $0) }
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ConfigError("--metrics-file \(path): cannot open it for writing (\(String(cString: strerror(errno))))")
        }
    }

    deinit { close(descriptor) }

    /// Writes the line an event calls for, if any (a closure for ``TrainingJob/run(onEvent:)``).
    public func record(_ event: TrainingEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .started:
            start = Date()
            epochStart = start
        case let .batchEnded(epoch, batch, of, logs):
            let interval = batchInterval ?? max(1, of / Self.stepsPerEpoch)
            // The last batch is covered by the epoch's own line.
            guard (batch + 1) % interval == 0, batch + 1 < of else { return }
            write(TrainingMetricPoint(epoch: epoch + 1, batch: batch + 1, batches: of, values: Self.values(logs),
                                      elapsed: Date().timeIntervalSince(start)))
        case let .epochEnded(epoch, logs):
            let now = Date()
            write(TrainingMetricPoint(epoch: epoch + 1, values: Self.values(logs), seconds: now.timeIntervalSince(epochStart),
                                      elapsed: now.timeIntervalSince(start)))
            epochStart = now
        default:
            break
        }
    }

    private static func values(_ logs: Logs) -> [String: Double] {
        Dictionary(logs.entries.map { ($0.0, Double($0.1)) }, uniquingKeysWith: { _, last in last })
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Appends one line in a single write (a failed write loses that point, not the training).
    private func write(_ point: TrainingMetricPoint) {
        guard var line = try? Self.encoder.encode(point) else { return }
        line.append(UInt8(ascii: "\n"))
        _ = line.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    }
}
