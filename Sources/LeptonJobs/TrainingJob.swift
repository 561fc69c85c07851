import Foundation
import LeptonData
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// One training run as a library call: config → data → model → `fit` → evaluate → save. It is
/// what `lepton train` runs, and what the tuner, the distributed launcher and the platform run,
/// so every front trains exactly the same way.
///
/// ```swift
/// let job = try TrainingJob(config: TrainingConfig.load("examples/mnist-cnn.yaml"))
/// for try await event in job.events() { print(event) }   // or: try job.run { print($0) }
/// ```
///
/// A job can be cancelled from any thread (``cancel()``): it stops after the current batch and
/// reports `failed("cancelled")`, keeping the backup of the last finished epoch when it has one.
public final class TrainingJob: @unchecked Sendable {
    /// What the job runs, as read from its YAML file.
    public let config: TrainingConfig
    /// Settings a front (a command line, a tuner) puts over the config's.
    public struct Options: Sendable {
        /// Replaces the config's `epochs`.
        public var epochs: Int?
        /// Replaces the config's `seed` (weights, dropout and batch order; not the dataset's split).
        public var seed: UInt64?
        /// Replaces the config's `output`.
        public var output: String?
        /// Replaces the config's `batch_size` (the batch of one process; of one rank when distributed).
        public var batchSize: Int?
        /// Whether a Lepton model folder at the output may be replaced.
        public var overwrite = false
        /// Backs training up in this folder after every epoch (replaces a `BackupAndRestore` callback of the config).
        public var backupDirectory: String?
        /// Keras-style progress on standard output (`.silent` for none).
        public var verbosity: Verbosity = .silent
        /// Report a `batchEnded` event for every batch (they are many; off by default).
        public var batchEvents = false
        /// Replaces the config's `jit` (compiled training and evaluation steps).
        public var jit: Bool?
        public init() {}
    }
    public let options: Options
    /// Trains together with other processes (data parallelism) when set: each rank runs the same
    /// job; rank 0 prints and saves the model (``LeptonTrain/DistributionStrategy``).
    public var distribution: DistributionStrategy?
    private let cancelled = LockedFlag()
    /// The trained model and the data it was trained and tested on, once ``run(onEvent:)`` has
    /// trained (for in-process users: tests, a tuner's trial, a notebook).
    public private(set) var model: Sequential?
    /// The tensors it was trained and tested on (nil for a dataset streamed from its files).
    public private(set) var data: DatasetSplits?
    /// Data a front loaded beforehand (nil: the config's dataset is loaded when the job runs).
    private let preloaded: DatasetParts?

    /// - Parameter data: the config's dataset, already loaded — a tuner's worker loads it once
    ///   for all its trials (nil: loaded when the job runs).
    /// - Throws: ``LeptonNN/ConfigError`` when an option is out of range or the output path is
    ///   refused (checked here, so that a refused path costs no training time).
    public init(config: TrainingConfig, options: Options = Options(), data: DatasetParts? = nil) throws {
        self.config = config
        self.options = options
        preloaded = data
        if let epochs = options.epochs, epochs <= 0 {
            throw ConfigError("--epochs: expected a positive integer, got \(epochs)")
        }
        if let batchSize = options.batchSize, batchSize <= 0 {
            throw ConfigError("batch size: expected a positive integer, got \(batchSize)")
        }
        if let backup = options.backupDirectory, backup.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError("--backup-dir: expected a folder, got an empty path")
        }
        if let path = outputPath {
            try OutputPath.checkNotEmpty(path, what: options.output == nil ? "output" : "--output")
            try OutputPath.checkFolder(URL(fileURLWithPath: path), kind: ModelFile.folderKind, overwrite: options.overwrite)
        }
    }

    /// Where the trained model goes (nil: not saved).
    public var outputPath: String? { options.output ?? config.output }

    /// Asks the job to stop after the current batch.
    public func cancel() { cancelled.set() }

    /// Runs the job on the calling thread, reporting each event to `onEvent`.
    /// - Returns: the history, the test figures and where the model went.
    /// - Throws: what stopped the job (also reported as `failed`).
    @discardableResult
    public func run(onEvent: @escaping (TrainingEvent) -> Void = { _ in }) throws -> TrainingResult {
        do {
            let result = try execute(onEvent)
            onEvent(.finished(result))
            return result
        } catch {
            onEvent(.failed("\(error)"))
            throw error
        }
    }

    /// Runs the job on a thread of its own; its events arrive in order, and the stream ends
    /// after `finished`, or throws the error after `failed`. Ending the consumer's iteration
    /// early cancels the job.
    public func events() -> AsyncThrowingStream<TrainingEvent, Error> {
        AsyncThrowingStream { continuation in
            let thread = Thread { [self] in
                do {
                    try run { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            continuation.onTermination = { [weak self] _ in self?.cancel() }
            thread.start()
        }
    }

    /// Runs the job with a random sequence of its own (``GlobalRandom/scoped(seed:_:)``), so that
    /// jobs running side by side in one process — a tuner's trials — stay repeatable.
    private func execute(_ onEvent: @escaping (TrainingEvent) -> Void) throws -> TrainingResult {
        try GlobalRandom.scoped(seed: options.seed ?? config.seed) { try train(onEvent) }
    }

    private func train(_ onEvent: @escaping (TrainingEvent) -> Void) throws -> TrainingResult {
        let epochs = options.epochs ?? config.epochs
        let seed = options.seed ?? config.seed
        let batchSize = options.batchSize ?? config.batchSize
        if config.embedding != nil {
            throw ConfigError("\(config.file): embedding: this config trains an embedding model; run `lepton embed \(config.file)`")
        }
        let data = try preloaded ?? config.loadParts()
        let inputShape = config.inputShape ?? data.inputShape
        guard inputShape == data.inputShape else {
            throw ConfigError("\(config.file): model.input_shape \(inputShape) does not match the dataset's samples \(data.inputShape)")
        }
        let model = try config.buildModel(for: data)
        if let first = model.layers.first as? any DataCheckingLayer, let splits = data.inMemory {
            try first.checkData(splits.trainX, what: "\(config.file): the training split")
            try first.checkData(splits.testX, what: "\(config.file): the test split")
        }
        if data.validation != nil && config.validationSplit > 0 {
            throw ConfigError("\(config.file): validation_split: the dataset holds a validation part of its own (validation_fraction); give one or the other")
        }
        self.model = model
        self.data = data.inMemory
        let dtype = data.inputDType
        // What fit trains: the model, or a Distiller around it (the model is what is saved).
        let trainer: any TrainableModel = try config.distillation?.trainer(for: model, inputShape: inputShape, dtype: dtype) ?? model
        trainer.shuffleSeed = seed
        trainer.distribution = distribution
        let chief = distribution?.isChief ?? true
        model.build(inputShape: inputShape, dtype: dtype)
        try trainer.compile(optimizer: config.optimizer, loss: config.loss, metrics: config.metrics.map { MetricSpec(named: $0) },
                            jit: options.jit ?? config.jit)
        if options.verbosity != .silent && chief {
            print(model.summary(inputShape: inputShape, dtype: dtype))
            let ranks = distribution.map { d in
                ", ranks: \(d.size)\(d.workerCount < d.size ? " (rank 0 serves, \(d.workerCount) train)" : ""), global batch: \(d.workerCount * batchSize)"
            } ?? ""
            print("Training on \(data.train.count) samples, testing on \(data.test.count) (threads: \(Lepton.threadCount)\(ranks))")
            fflush(stdout)   // before the progress bar, which writes unbuffered
        }
        var callbacks = try config.buildCallbacks(inputShape: inputShape, dtype: dtype)
        if let backupDirectory = options.backupDirectory {
            callbacks.removeAll { $0 is BackupAndRestore }
            callbacks.append(BackupAndRestore(directory: URL(fileURLWithPath: backupDirectory)))
        }
        onEvent(.started(trainSamples: data.train.count, testSamples: data.test.count,
                         parameters: model.parameters().reduce(0) { $0 + $1.count }, epochs: epochs))
        for backup in callbacks.compactMap({ $0 as? BackupAndRestore }) {
            if let done = try Checkpoint.epochsCompleted(at: backup.checkpointURL) {
                onEvent(.resumed(epochsDone: done, epochs: epochs, backup: backup.directory.path))
                if options.verbosity != .silent && chief {
                    print("Resuming from the backup in \(backup.directory.path): \(done) of \(epochs) epochs done")
                    fflush(stdout)
                }
            }
        }
        callbacks.append(EventCallback(onEvent: onEvent, cancelled: cancelled, batchEvents: options.batchEvents))
        let start = Date()
        let history = try trainer.fit(data.train, epochs: epochs, batchSize: batchSize, validationData: data.validation,
                                      validationSplit: config.validationSplit, callbacks: callbacks, verbose: options.verbosity,
                                      augmentation: config.augmentation)
        let seconds = Date().timeIntervalSince(start)
        let test = try trainer.evaluate(DataLoader(data.test, batchSize: 256))
        onEvent(.evaluated(test))
        if options.verbosity != .silent && chief {
            print(String(format: "Trained in %.1f s. Test: ", seconds) + test.description)
            if let summary = trainer.jitSummary { print("Compiled steps:\n" + summary) }
        }
        if let path = outputPath, chief {
            try ModelFile.save(model, to: URL(fileURLWithPath: path), inputShape: inputShape, inputDType: dtype,
                               classNames: data.classNames, overwrite: options.overwrite)
            onEvent(.saved(path: path))
            if options.verbosity != .silent { print("Saved the model to \(path)") }
        }
        return TrainingResult(history: history.history, epochs: history.epochs, test: test, trainingSeconds: seconds, savedTo: chief ? outputPath : nil)
    }
}

/// Turns training's callbacks into ``TrainingEvent``s, and stops training when the job is cancelled.
final class EventCallback: Callback {
    let onEvent: (TrainingEvent) -> Void
    let cancelled: LockedFlag
    let batchEvents: Bool

    init(onEvent: @escaping (TrainingEvent) -> Void, cancelled: LockedFlag, batchEvents: Bool) {
        self.onEvent = onEvent
        self.cancelled = cancelled
        self.batchEvents = batchEvents
    }

    private var epoch = 0

    func epochBegin(_ epoch: Int, _ context: TrainingContext) throws {
        self.epoch = epoch
        try checkCancelled()
    }

    func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) throws {
        if batchEvents { onEvent(.batchEnded(epoch: epoch, batch: batch, of: context.stepsPerEpoch, logs: logs)) }
        try checkCancelled()
    }

    func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) throws {
        onEvent(.epochEnded(epoch: epoch, logs: logs))
    }

    private func checkCancelled() throws {
        if cancelled.isSet { throw TrainingError("cancelled") }
    }
}

/// A flag set once from any thread.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
