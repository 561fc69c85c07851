import Foundation
import LeptonData
import LeptonNN
import LeptonTensor

/// A metric requested in ``Model/compile(optimizer:loss:metrics:)``, by value or Keras name.
public struct MetricSpec: ExpressibleByStringLiteral {
    let make: () throws -> Metric
    /// A metric made fresh for each `compile`.
    public init(_ make: @escaping () -> Metric) { self.make = make }
    /// A metric by Keras name (checked at `compile`).
    public init(named name: String) { make = { try Metrics.named(name) } }
    public init(stringLiteral value: String) { self.init(named: value) }
}

/// What `compile` chooses, kept with the model (``LeptonNN/Module/trainingSetup``).
final class TrainingSetup {
    var optimizer: Optimizer?
    var loss: LossFunction?
    var metrics: [Metric] = []
    var shuffleSeed: UInt64?
    var distribution: DistributionStrategy?
    /// The whole-step compiler's steps when `compile` asked for `jit: true`.
    var jit: JITState?
}

/// A model with Keras's workflow: ``compile(optimizer:loss:metrics:)``,
/// ``fit(x:y:epochs:initialEpoch:batchSize:validationData:validationSplit:shuffle:callbacks:verbose:augmentation:)``,
/// ``evaluate(x:y:batchSize:)``, ``predict(_:batchSize:)``. ``LeptonNN/Sequential`` has it, and
/// so has every ``Model`` (subclass it and override `forward(_:)` for a functional or
/// subclassed model).
public protocol TrainableModel: Module {
    /// One optimisation step on a batch; returns the loss and the prediction. `fit` calls it for
    /// every batch; a ``Model`` subclass overrides it for custom steps (GANs, multiple losses).
    func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor)
}

/// A trainable model to subclass: override `forward(_:)`, and ``trainStep(x:y:)`` for a custom
/// training step.
open class Model: Module, TrainableModel {
    public override init() { super.init() }

    /// One optimisation step on a batch (see ``TrainableModel/trainStep(x:y:)``).
    open func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        standardTrainStep(x: x, y: y)
    }
}

extension Sequential: TrainableModel {}

extension TrainableModel {
    var setup: TrainingSetup {
        if let setup = trainingSetup as? TrainingSetup { return setup }
        let setup = TrainingSetup()
        trainingSetup = setup
        return setup
    }

    /// The optimizer `compile` chose (nil before).
    public var optimizer: Optimizer? { (trainingSetup as? TrainingSetup)?.optimizer }
    /// The loss `compile` chose (nil before).
    public var loss: LossFunction? { (trainingSetup as? TrainingSetup)?.loss }
    /// The metrics `compile` made.
    public var metrics: [Metric] { (trainingSetup as? TrainingSetup)?.metrics ?? [] }
    /// Seeds batch shuffling and the validation split (nil: from ``LeptonTensor/GlobalRandom``).
    public var shuffleSeed: UInt64? {
        get { (trainingSetup as? TrainingSetup)?.shuffleSeed }
        set { setup.shuffleSeed = newValue }
    }

    /// Chooses the optimizer, loss and metrics.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
    /// ```
    /// - Parameter jit: capture each training and inference step of a ``LeptonNN/Sequential``
    ///   once per input shape and run it compiled (Keras's `jit_compile=True`): layers lowered
    ///   onto one planned arena with bias and activation fused into their GEMM or convolution,
    ///   no graph or allocation per step; layers it cannot lower run eagerly inside the step
    ///   (see ``jitSummary``). The results are the eager model's.
    /// - Throws: ``TrainingError`` for an unknown optimizer, loss or metric name, listing the known ones.
    public func compile(optimizer: OptimizerSpec = "adam", loss: LossFunction, metrics: [MetricSpec] = [], jit: Bool = false) throws {
        try compile(optimizer: optimizer.make(for: self), loss: loss, metrics: metrics, jit: jit)
    }

    /// Compiles with an optimizer built by the caller (for the model's parameters).
    /// - Throws: ``TrainingError`` for an unknown loss or metric name, listing the known ones.
    public func compile(optimizer: Optimizer, loss: LossFunction, metrics: [MetricSpec] = [], jit: Bool = false) throws {
        if let error = loss.unknownNameError { throw error }
        let made = try metrics.map { try $0.make() }
        let setup = self.setup
        setup.metrics = made
        setup.optimizer = optimizer
        setup.loss = loss
        setup.jit = jit ? JITState() : nil
    }

    func requireCompiled(_ method: String) throws -> (Optimizer, LossFunction) {
        guard let optimizer, let loss else {
            throw TrainingError("\(method): the model is not compiled; call compile(optimizer:loss:metrics:) first")
        }
        return (optimizer, loss)
    }

    /// The step of Keras's `fit`: forward, loss, backward, optimizer step.
    public func standardTrainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        if let step = compiledStep(for: x, training: true) {
            return step.train(x: x, y: y, loss: loss!, optimizer: optimizer!)
        }
        let prediction = forward(x)
        let value = loss!(prediction, y)
        optimizer!.zeroGrad()
        if let distribution, distribution.size > 1 {
            distribution.backward(value)
        } else {
            value.backward()
        }
        synchronizeGradients()
        optimizer!.step()
        return (value.item(), prediction.detach())
    }

    /// The step `fit` takes when the model does not choose its own.
    public func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        standardTrainStep(x: x, y: y)
    }

    /// Trains for `epochs` passes over `x`/`y` in batches, printing Keras-style progress: a
    /// ``LeptonData/DataLoader`` over the tensors (see ``fit(_:epochs:initialEpoch:validationData:callbacks:verbose:)``).
    ///
    /// - Parameters:
    ///   - x: inputs, samples along axis 0.
    ///   - y: targets, samples along axis 0 (float32, or int32 labels).
    ///   - epochs: the index of the last epoch plus one (as Keras: with `initialEpoch: 2,
    ///     epochs: 5`, epochs 2, 3 and 4 run).
    ///   - initialEpoch: the epoch to start at, to continue an earlier run. Each epoch's batch
    ///     order depends only on ``shuffleSeed`` and the epoch, so it is the order an
    ///     uninterrupted run would have had. A ``TrainingBackup`` callback (LeptonIO's
    ///     `BackupAndRestore`) that finds a backup moves the start on by itself.
    ///   - validationData: evaluated at the end of each epoch (`val_loss`, `val_<metric>`).
    ///   - validationSplit: the fraction of the samples, taken from the end before shuffling,
    ///     held out for validation (when `validationData` is nil).
    ///   - callbacks: notified of events; a ``History`` and the progress bar are added.
    ///   - augmentation: changes each training batch at random in the loader (never the
    ///     validation data), seeded per batch from ``shuffleSeed``.
    /// - Returns: the per-epoch history (with a resumed run's earlier epochs).
    /// - Throws: ``TrainingError`` when the model is not compiled or the data do not fit, and
    ///   whatever a callback or a ``TrainingBackup`` throws (training stops there).
    @discardableResult
    public func fit(x: Tensor, y: Tensor, epochs: Int = 1, initialEpoch: Int = 0, batchSize: Int = 32,
                    validationData: (Tensor, Tensor)? = nil, validationSplit: Float = 0, shuffle: Bool = true,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto, augmentation: BatchTransform? = nil) throws -> History {
        _ = try requireCompiled("fit")
        try checkBatch(x: x, y: y, batchSize: batchSize, method: "fit")
        var validation: Dataset?
        if let (vx, vy) = validationData {
            try checkBatch(x: vx, y: vy, batchSize: batchSize, method: "fit (validation data)")
            validation = try tensorDataset(vx, vy)
        }
        return try fit(try tensorDataset(x, y), epochs: epochs, initialEpoch: initialEpoch, batchSize: batchSize,
                       validationData: validation, validationSplit: validationSplit, shuffle: shuffle,
                       callbacks: callbacks, verbose: verbose, augmentation: augmentation)
    }

    /// Trains for `epochs` passes over the samples of `data` (each `[x, y]`) in batches read by a
    /// ``LeptonData/DataLoader`` — what ``fit(x:y:epochs:initialEpoch:batchSize:validationData:validationSplit:shuffle:callbacks:verbose:augmentation:)``
    /// does over tensors, for any dataset (a memory-mapped NPY file, a streamed image folder).
    /// The parameters are those of the tensor form; `validationSplit` holds out the last samples
    /// of `data` (a view, nothing is copied).
    /// - Throws: ``TrainingError`` when the model is not compiled, an argument is out of range or
    ///   a batch does not fit, and whatever a callback throws.
    @discardableResult
    public func fit(_ data: Dataset, epochs: Int = 1, initialEpoch: Int = 0, batchSize: Int = 32,
                    validationData: Dataset? = nil, validationSplit: Float = 0, shuffle: Bool = true,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto, augmentation: BatchTransform? = nil) throws -> History {
        _ = try requireCompiled("fit")
        guard batchSize > 0 else { throw TrainingError("fit: batchSize must be positive, got \(batchSize)") }
        guard data.count > 0 else { throw TrainingError("fit: no samples") }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw TrainingError("fit: validationSplit must be in [0, 1), got \(validationSplit)")
        }
        var train = data, validation = validationData
        if let validationData {
            guard validationData.count > 0 else { throw TrainingError("fit (validation data): no samples") }
        } else if validationSplit > 0 {
            guard let (rest, last) = data.splittingOffLast(validationSplit) else {
                throw TrainingError("fit: validationSplit \(validationSplit) of \(data.count) samples leaves no training or validation samples")
            }
            (train, validation) = (rest, last)
        }
        let seed = shuffleSeed ?? GlobalRandom.with { $0.next() }
        let loader = DataLoader(train, batchSize: batchSize, shuffle: shuffle, seed: seed, transform: augmentation)
        return try fit(loader, epochs: epochs, initialEpoch: initialEpoch,
                       validationData: validation.map { DataLoader($0, batchSize: batchSize, prefetch: 0) },
                       callbacks: callbacks, verbose: verbose)
    }

    /// Trains for `epochs` passes over the batches of `data` (each batch `[x, y]`), printing
    /// Keras-style progress — the one training loop every other `fit` and `lepton train` go through.
    ///
    /// - Parameters:
    ///   - data: the training batches; epoch `e` iterates `data.batches(epoch: e)`, so the order
    ///     of a resumed epoch is the order an uninterrupted run would have had.
    ///   - epochs: the index of the last epoch plus one.
    ///   - initialEpoch: the epoch to start at, to continue an earlier run.
    ///   - validationData: evaluated at the end of each epoch (`val_loss`, `val_<metric>`).
    ///   - callbacks: notified of events; a ``History`` and the progress bar are added.
    /// - Returns: the per-epoch history (with a resumed run's earlier epochs).
    /// - Throws: ``TrainingError`` when the model is not compiled or a batch does not fit, and
    ///   whatever a callback or a ``TrainingBackup`` throws (training stops there).
    @discardableResult
    public func fit(_ data: DataLoader, epochs: Int = 1, initialEpoch: Int = 0, validationData: DataLoader? = nil,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto) throws -> History {
        let (optimizer, _) = try requireCompiled("fit")
        let distribution = self.distribution.flatMap { $0.size > 1 ? $0 : nil }
        // A rank without data (a dedicated server) keeps the first worker's shard for its step count.
        let data = try distribution.map { try data.sharded(rank: $0.workerRank ?? 0, count: $0.workerCount) } ?? data
        let serving = distribution.map { $0.workerRank == nil } ?? false
        guard epochs > 0 else { throw TrainingError("fit: epochs must be positive, got \(epochs)") }
        guard initialEpoch >= 0, initialEpoch < epochs else {
            throw TrainingError("fit: initialEpoch must be in 0..<epochs (\(epochs); epochs counts from the first epoch, as in Keras), got \(initialEpoch)")
        }
        let steps = data.count
        guard steps > 0 else {
            throw TrainingError("fit: the data hold \(data.dataset.count) samples, no batch of \(data.batchSize)\(data.dropLast ? " (the last partial batch is dropped)" : "")")
        }
        let history = History()
        let showsProgress = verbose != .silent && (distribution?.isChief ?? true)
        let all: [Callback] = [history] + callbacks + (showsProgress ? [ProgressBar(verbosity: verbose)] : [])
        let backups = callbacks.compactMap { $0 as? any TrainingBackup }
        let context = TrainingContext(model: self, optimizer: optimizer, epochs: epochs, stepsPerEpoch: steps,
                                      callbacks: callbacks, history: history, initialEpoch: initialEpoch)
        context.isChief = distribution?.isChief ?? true
        if !backups.isEmpty || distribution != nil {
            // Restoring weights needs them built (Keras builds before `on_train_begin` too).
            let first = try TrainingBatch.fields(try data.dataset.batch([0]), method: "fit")
            buildForTraining(sample: first.x)
        }
        train()
        // The model is built after the first batch: from then on the optimizer keeps its
        // parameter list instead of reflecting over the model at every step.
        defer { optimizer.clearParameterListCache() }
        try all.forEach { try $0.trainBegin(context) }
        for backup in backups { try backup.restoreTraining(context) }
        try distribution?.prepare(context)
        for epoch in context.initialEpoch..<max(context.initialEpoch, epochs) {
            try all.forEach { try $0.epochBegin(epoch, context) }
            metrics.forEach { $0.reset() }
            var lossSum: Double = 0, seen = 0
            var logs = Logs()
            if let distribution, serving {
                logs = try serveEpoch(steps: steps, distribution, callbacks: all, context)
            } else {
                let batches = data.batches(epoch: epoch)
                for (step, batch) in batches.enumerated() {
                    try all.forEach { try $0.batchBegin(step, context) }
                    let (bx, by) = try TrainingBatch.fields(batch, method: "fit")
                    let rows = bx.shape[0]
                    distribution?.beginBatch(rows: rows, globalRows: data.globalBatchRows(step))
                    let (value, prediction) = trainStep(x: bx, y: by)
                    if step == 0 { optimizer.cacheParameterList() }
                    lossSum += Double(value) * Double(rows)
                    seen += rows
                    metrics.forEach { $0.update(prediction: prediction, target: by) }
                    if let distribution {
                        let summed = try distribution.endStep(DistributedLogs.totals(lossSum: lossSum, samples: seen, metrics: metrics))
                        logs = DistributedLogs.logs(summed, metrics: metrics)
                    } else {
                        logs = Logs([("loss", Float(lossSum / Double(seen)))] + metrics.map { ($0.name, $0.result()) })
                    }
                    try all.forEach { try $0.batchEnd(step, logs: logs, context) }
                    if context.stopTraining && !(logs["loss"]?.isFinite ?? true) { break }
                }
                try batches.rethrowError()
            }
            if let validationData {
                for (key, value) in try evaluate(validationData).entries { logs["val_" + key] = value }
                train()
            }
            context.epochsCompleted = epoch + 1
            try all.forEach { try $0.epochEnd(epoch, logs: logs, context) }
            for backup in backups { try backup.backUpTraining(epoch: epoch, logs: logs, context) }
            if context.stopTraining { break }
        }
        try all.forEach { try $0.trainEnd(context) }
        return history
    }

    /// `x` and `y` as a dataset, refusing a mismatch with the method's name.
    func tensorDataset(_ x: Tensor, _ y: Tensor) throws -> TensorDataset {
        do { return try TensorDataset(x, y) } catch let error as DataError {
            throw TrainingError("fit: \(error)")
        }
    }

}

/// Checks on the batches `fit`, `evaluate` and `predict` receive.
enum TrainingBatch {
    /// The inputs and targets of a batch (its first two fields).
    static func fields(_ batch: [Tensor], method: String) throws -> (x: Tensor, y: Tensor) {
        guard batch.count >= 2 else {
            throw TrainingError("\(method): a batch has \(batch.count) field(s); expected inputs and targets")
        }
        guard batch[0].rank >= 1, batch[1].rank >= 1, batch[0].shape[0] == batch[1].shape[0] else {
            throw TrainingError("\(method): a batch's inputs have shape \(batch[0].shape) and targets \(batch[1].shape); both need the same number of samples along axis 0")
        }
        return (batch[0], batch[1])
    }
}

extension TrainableModel {
    /// Creates lazily built weights by running one sample in evaluation mode without recording
    /// gradients (no dropout mask is drawn and no batch-norm statistic moves); the training
    /// mode of every module is restored afterwards.
    func buildForTraining(sample: Tensor) {
        if let sequential = self as? Sequential {
            sequential.build(inputShape: Array(sample.shape.dropFirst()), dtype: sample.dtype)
            return
        }
        let modes = namedModules().map { ($0.1, $0.1.isTraining) }
        eval()
        defer { for (module, training) in modes { module.train(training) } }
        _ = Tensor.withoutGrad { forward(sample) }
    }

    /// Loss and metrics over `x`/`y`, in evaluation mode.
    /// - Throws: ``TrainingError`` when the model is not compiled or the data do not fit.
    public func evaluate(x: Tensor, y: Tensor, batchSize: Int = 32) throws -> Logs {
        _ = try requireCompiled("evaluate")
        try checkBatch(x: x, y: y, batchSize: batchSize, method: "evaluate")
        return try evaluate(DataLoader(try tensorDataset(x, y), batchSize: batchSize, prefetch: 0))
    }

    /// Loss and metrics over the batches of `data` (each `[x, y]`; its epoch 0), in evaluation mode.
    /// - Throws: ``TrainingError`` when the model is not compiled or a batch does not fit.
    public func evaluate(_ data: DataLoader) throws -> Logs {
        let (_, loss) = try requireCompiled("evaluate")
        let distribution = self.distribution.flatMap { $0.size > 1 ? $0 : nil }
        let data = try distribution.map { try data.evaluationShard(rank: $0.rank, count: $0.size) } ?? data
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let evaluationMetrics = metrics
        evaluationMetrics.forEach { $0.reset() }
        var lossSum: Double = 0, n = 0
        try Tensor.withoutGrad {
            let batches = data.batches(epoch: 0)
            for batch in batches {
                let (bx, by) = try TrainingBatch.fields(batch, method: "evaluate")
                let prediction = inferenceForward(bx)
                lossSum += Double(loss(prediction, by).item()) * Double(bx.shape[0])
                n += bx.shape[0]
                evaluationMetrics.forEach { $0.update(prediction: prediction, target: by) }
            }
            try batches.rethrowError()
        }
        if let distribution {
            return DistributedLogs.logs(try distribution.sum(DistributedLogs.totals(lossSum: lossSum, samples: n, metrics: evaluationMetrics)),
                                        metrics: evaluationMetrics)
        }
        return Logs([("loss", Float(lossSum / Double(max(n, 1))))] + evaluationMetrics.map { ($0.name, $0.result()) })
    }

    /// The model's outputs for `x`, computed in batches in evaluation mode.
    public func predict(_ x: Tensor, batchSize: Int = 32) -> Tensor {
        checkPrecondition(x.rank >= 1 && batchSize > 0, "predict: expected samples along axis 0 and a positive batch size")
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let n = x.shape[0]
        if n == 0 { return x }
        return Tensor.withoutGrad {
            var outputs: [Tensor] = []
            for start in stride(from: 0, to: n, by: batchSize) {
                outputs.append(inferenceForward(x.slice(axis: 0, start: start, end: min(start + batchSize, n))))
            }
            return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
        }
    }

    /// The model's outputs for the inputs (the first field) of every batch of `data` (its epoch 0),
    /// concatenated in order, in evaluation mode.
    /// - Throws: ``TrainingError`` when the data hold no samples.
    public func predict(_ data: DataLoader) throws -> Tensor {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var outputs: [Tensor] = []
        try Tensor.withoutGrad {
            let batches = data.batches(epoch: 0)
            for batch in batches where !batch.isEmpty { outputs.append(inferenceForward(batch[0])) }
            try batches.rethrowError()
        }
        guard !outputs.isEmpty else { throw TrainingError("predict: the data hold no samples") }
        return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
    }

    func checkBatch(x: Tensor, y: Tensor, batchSize: Int, method: String) throws {
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw TrainingError("\(method): x has shape \(x.shape) and y \(y.shape); both need the same number of samples along axis 0")
        }
        guard x.shape[0] > 0 else { throw TrainingError("\(method): no samples") }
        guard batchSize > 0 else { throw TrainingError("\(method): batchSize must be positive, got \(batchSize)") }
    }
}
