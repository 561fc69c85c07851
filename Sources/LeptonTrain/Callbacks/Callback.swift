import LeptonNN
import LeptonTensor

/// Named values at a point of training (`loss`, metrics, `val_…`), in the order they were added.
public struct Logs: Sendable, Equatable, CustomStringConvertible {
    public private(set) var entries: [(String, Float)] = []

    public init(_ entries: [(String, Float)] = []) { self.entries = entries }

    public subscript(key: String) -> Float? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            if let i = entries.firstIndex(where: { $0.0 == key }) {
                if let newValue { entries[i].1 = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.0) }

    public var description: String {
        entries.map { "\($0.0): \(Logs.format($0.1))" }.joined(separator: " - ")
    }

    /// Keras's number format in progress lines.
    static func format(_ v: Float) -> String {
        if v != 0 && (abs(v) < 1e-3 || abs(v) >= 1e5) { return String(format: "%.4e", v) }
        return String(format: "%.4f", v)
    }

    public static func == (a: Logs, b: Logs) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// What callbacks see and may change during ``Model/fit(_:epochs:initialEpoch:validationData:callbacks:verbose:)``.
public final class TrainingContext {
    /// The model being trained.
    public unowned let model: any TrainableModel
    /// Its optimizer (callbacks may change its learning rate).
    public let optimizer: Optimizer
    /// Planned epochs (the index of the last epoch plus one) and batches per epoch.
    public let epochs: Int
    public let stepsPerEpoch: Int
    /// Set to true to stop after the current epoch (EarlyStopping, TerminateOnNaN).
    public var stopTraining = false
    /// The callbacks given to `fit` (without the history and the progress bar).
    public let callbacks: [Callback]
    /// The history `fit` returns; a ``TrainingBackup`` puts the epochs of an interrupted run into it.
    public let history: History
    /// The first epoch to run: `fit`'s `initialEpoch`, moved on by a ``TrainingBackup`` that resumes a run.
    public var initialEpoch: Int
    /// Epochs finished so far, counting those of an interrupted run that was resumed.
    public internal(set) var epochsCompleted: Int
    /// Whether this process writes files and prints: true alone, and on rank 0 of a
    /// data-parallel run (``DistributionStrategy``); callbacks that write (checkpoints, logs,
    /// backups) write only where it is true.
    public internal(set) var isChief = true

    init(model: any TrainableModel, optimizer: Optimizer, epochs: Int, stepsPerEpoch: Int, callbacks: [Callback] = [],
         history: History = History(), initialEpoch: Int = 0) {
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.stepsPerEpoch = stepsPerEpoch
        self.callbacks = callbacks
        self.history = history
        self.initialEpoch = initialEpoch
        self.epochsCompleted = initialEpoch
    }
}

/// Reacts to training events (`keras.callbacks.Callback`). Every method has an empty default;
/// epochs and batches are counted from 0. A method that throws stops training at once: `fit`
/// throws that error (a backup written at the end of the last finished epoch is kept, so the
/// run can be resumed).
public protocol Callback: AnyObject {
    func trainBegin(_ context: TrainingContext) throws
    func trainEnd(_ context: TrainingContext) throws
    func epochBegin(_ epoch: Int, _ context: TrainingContext) throws
    func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) throws
    func batchBegin(_ batch: Int, _ context: TrainingContext) throws
    func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) throws
}

extension Callback {
    public func trainBegin(_ context: TrainingContext) {}
    public func trainEnd(_ context: TrainingContext) {}
    public func epochBegin(_ epoch: Int, _ context: TrainingContext) {}
    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {}
    public func batchBegin(_ batch: Int, _ context: TrainingContext) {}
    public func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) {}
}
