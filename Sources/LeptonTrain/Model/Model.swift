import Foundation
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

/// A trainable model with Keras's workflow: ``compile(optimizer:loss:metrics:)``, ``fit(x:y:epochs:initialEpoch:batchSize:validationData:validationSplit:shuffle:callbacks:verbose:)``,
/// ``evaluate(x:y:batchSize:)``, ``predict(_:batchSize:)``. Subclass it and override
/// `forward(_:)` for a functional or subclassed model; ``Sequential`` stacks layers.
open class Model: Module {
    public private(set) var optimizer: Optimizer?
    public private(set) var loss: LossFunction?
    public private(set) var metrics: [Metric] = []
    /// Seeds batch shuffling and the validation split (nil: from ``GlobalRandom``).
    public var shuffleSeed: UInt64?

    public override init() { super.init() }

    /// Chooses the optimizer, loss and metrics.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
    /// ```
    /// - Throws: ``TrainingError`` for an unknown metric name.
    public func compile(optimizer: OptimizerSpec = "adam", loss: LossFunction, metrics: [MetricSpec] = []) throws {
        try compile(optimizer: optimizer.make(for: self), loss: loss, metrics: metrics)
    }

    /// Compiles with an optimizer built by the caller (for the model's parameters).
    public func compile(optimizer: Optimizer, loss: LossFunction, metrics: [MetricSpec] = []) throws {
        self.metrics = try metrics.map { try $0.make() }
        self.optimizer = optimizer
        self.loss = loss
    }

    func requireCompiled(_ method: String) throws -> (Optimizer, LossFunction) {
        guard let optimizer, let loss else {
            throw TrainingError("\(method): the model is not compiled; call compile(optimizer:loss:metrics:) first")
        }
        return (optimizer, loss)
    }

    /// One optimisation step on a batch; returns the loss. Override for custom training steps
    /// (GANs, multiple losses); `fit` calls it for every batch.
    open func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        let prediction = forward(x)
        let value = loss!(prediction, y)
        optimizer!.zeroGrad()
        value.backward()
        optimizer!.step()
        return (value.item(), prediction.detach())
    }

    /// Trains for `epochs` passes over `x`/`y` in batches, printing Keras-style progress.
    ///
    /// - Parameters:
    ///   - x: inputs, samples along axis 0.
    ///   - y: targets, samples along axis 0 (float32, or int32 labels).
    ///   - epochs: the index of the last epoch plus one (as Keras: with `initialEpoch: 2,
    ///     epochs: 5`, epochs 2, 3 and 4 run).
    ///   - initialEpoch: the epoch to start at, to continue an earlier run. The batch shuffling
    ///     continues the sequence an uninterrupted run with the same ``shuffleSeed`` would have.
    ///     A ``TrainingBackup`` callback (LeptonIO's `BackupAndRestore`) that finds a backup
    ///     moves the start on by itself.
    ///   - validationData: evaluated at the end of each epoch (`val_loss`, `val_<metric>`).
    ///   - validationSplit: the fraction of the samples, taken from the end before shuffling,
    ///     held out for validation (when `validationData` is nil).
    ///   - callbacks: notified of events; a ``History`` and the progress bar are added.
    /// - Returns: the per-epoch history (with a resumed run's earlier epochs).
    /// - Throws: ``TrainingError`` when the model is not compiled or the data do not fit, and
    ///   whatever a ``TrainingBackup`` throws.
    @discardableResult
    public func fit(x: Tensor, y: Tensor, epochs: Int = 1, initialEpoch: Int = 0, batchSize: Int = 32,
                    validationData: (Tensor, Tensor)? = nil, validationSplit: Float = 0, shuffle: Bool = true,
                    callbacks: [Callback] = [], verbose: Verbosity = .auto) throws -> History {
        let (optimizer, _) = try requireCompiled("fit")
        try checkBatch(x: x, y: y, batchSize: batchSize, method: "fit")
        guard epochs > 0 else { throw TrainingError("fit: epochs must be positive, got \(epochs)") }
        guard initialEpoch >= 0, initialEpoch < epochs else {
            throw TrainingError("fit: initialEpoch must be in 0..<epochs (\(epochs); epochs counts from the first epoch, as in Keras), got \(initialEpoch)")
        }
        guard validationSplit >= 0, validationSplit < 1 else {
            throw TrainingError("fit: validationSplit must be in [0, 1), got \(validationSplit)")
        }
        var trainX = x, trainY = y, validation = validationData
        if validation == nil, validationSplit > 0 {
            let n = x.shape[0], held = Int((Float(n) * validationSplit).rounded(.down))
            guard held > 0, held < n else { throw TrainingError("fit: validationSplit \(validationSplit) of \(n) samples leaves no training or validation samples") }
            trainX = x.slice(axis: 0, end: n - held).detach(); trainY = y.slice(axis: 0, end: n - held).detach()
            validation = (x.slice(axis: 0, start: n - held).detach(), y.slice(axis: 0, start: n - held).detach())
        }
        let n = trainX.shape[0]
        let steps = (n + batchSize - 1) / batchSize
        let history = History()
        let all: [Callback] = [history] + callbacks + (verbose == .silent ? [] : [ProgressBar(verbosity: verbose)])
        let backups = callbacks.compactMap { $0 as? any TrainingBackup }
        let context = TrainingContext(model: self, optimizer: optimizer, epochs: epochs, stepsPerEpoch: steps,
                                      callbacks: callbacks, history: history, initialEpoch: initialEpoch,
                                      shuffleGenerator: RandomGenerator(seed: shuffleSeed ?? GlobalRandom.with { $0.next() }))
        if shuffle {
            // Continue the shuffle sequence of a run that started at epoch 0.
            for _ in 0..<initialEpoch { var order = Array(0..<n); order.shuffle(using: &context.shuffleGenerator) }
        }
        if !backups.isEmpty {
            // Restoring weights needs them built (Keras builds before `on_train_begin` too).
            buildForTraining(sample: trainX.slice(axis: 0, end: 1).detach())
        }
        train()
        // The model is built after the first batch: from then on the optimizer keeps its
        // parameter list instead of reflecting over the model at every step.
        defer { optimizer.clearParameterListCache() }
        all.forEach { $0.trainBegin(context) }
        for backup in backups { try backup.restoreTraining(context) }
        for epoch in context.initialEpoch..<max(context.initialEpoch, epochs) {
            all.forEach { $0.epochBegin(epoch, context) }
            metrics.forEach { $0.reset() }
            var order = Array(0..<n)
            if shuffle { order.shuffle(using: &context.shuffleGenerator) }
            var lossSum: Double = 0, seen = 0
            var logs = Logs()
            for step in 0..<steps {
                all.forEach { $0.batchBegin(step, context) }
                let rows = Array(order[(step * batchSize)..<min((step + 1) * batchSize, n)])
                let (bx, by) = Self.batch(trainX, trainY, rows: rows, ordered: !shuffle)
                let (value, prediction) = trainStep(x: bx, y: by)
                if step == 0 { optimizer.cacheParameterList() }
                lossSum += Double(value) * Double(rows.count)
                seen += rows.count
                metrics.forEach { $0.update(prediction: prediction, target: by) }
                logs = Logs([("loss", Float(lossSum / Double(seen)))] + metrics.map { ($0.name, $0.result()) })
                all.forEach { $0.batchEnd(step, logs: logs, context) }
                if context.stopTraining && !(logs["loss"]?.isFinite ?? true) { break }
            }
            if let (vx, vy) = validation {
                for (key, value) in try evaluate(x: vx, y: vy, batchSize: batchSize).entries { logs["val_" + key] = value }
                train()
            }
            context.epochsCompleted = epoch + 1
            all.forEach { $0.epochEnd(epoch, logs: logs, context) }
            for backup in backups { try backup.backUpTraining(epoch: epoch, logs: logs, context) }
            if context.stopTraining { break }
        }
        all.forEach { $0.trainEnd(context) }
        return history
    }

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
        let (_, loss) = try requireCompiled("evaluate")
        try checkBatch(x: x, y: y, batchSize: batchSize, method: "evaluate")
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let evaluationMetrics = metrics
        evaluationMetrics.forEach { $0.reset() }
        var lossSum: Double = 0
        let n = x.shape[0]
        Tensor.withoutGrad {
            for start in stride(from: 0, to: n, by: batchSize) {
                let rows = Array(start..<min(start + batchSize, n))
                let (bx, by) = Self.batch(x, y, rows: rows, ordered: true)
                let prediction = forward(bx)
                lossSum += Double(loss(prediction, by).item()) * Double(rows.count)
                evaluationMetrics.forEach { $0.update(prediction: prediction, target: by) }
            }
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
                outputs.append(forward(x.slice(axis: 0, start: start, end: min(start + batchSize, n))))
            }
            return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
        }
    }

    func checkBatch(x: Tensor, y: Tensor, batchSize: Int, method: String) throws {
        guard x.rank >= 1, y.rank >= 1, x.shape[0] == y.shape[0] else {
            throw TrainingError("\(method): x has shape \(x.shape) and y \(y.shape); both need the same number of samples along axis 0")
        }
        guard x.shape[0] > 0 else { throw TrainingError("\(method): no samples") }
        guard batchSize > 0 else { throw TrainingError("\(method): batchSize must be positive, got \(batchSize)") }
    }

    /// Rows of x and y (a contiguous slice when `ordered`).
    static func batch(_ x: Tensor, _ y: Tensor, rows: [Int], ordered: Bool) -> (Tensor, Tensor) {
        if ordered, let first = rows.first {
            return (x.slice(axis: 0, start: first, end: first + rows.count).detach(),
                    y.slice(axis: 0, start: first, end: first + rows.count).detach())
        }
        let index = Tensor(indices: rows)
        return (x.detach().indexSelect(axis: 0, index), y.detach().indexSelect(axis: 0, index))
    }
}
