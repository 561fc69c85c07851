import Foundation

/// Stops training as soon as the loss becomes NaN or infinite (`keras.callbacks.TerminateOnNaN`).
public final class TerminateOnNaN: Callback {
    /// The batch at which a non-finite loss was seen.
    public private(set) var terminatedAtBatch: Int?
    public init() {}
    public func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) {
        if let loss = logs["loss"], !loss.isFinite {
            terminatedAtBatch = batch
            context.stopTraining = true
        }
    }
}

/// A callback from closures (`keras.callbacks.LambdaCallback`).
public final class LambdaCallback: Callback {
    public var onEpochEnd: ((Int, Logs, TrainingContext) -> Void)?
    public var onBatchEnd: ((Int, Logs, TrainingContext) -> Void)?
    public var onTrainBegin: ((TrainingContext) -> Void)?
    public var onTrainEnd: ((TrainingContext) -> Void)?
    public var onEpochBegin: ((Int, TrainingContext) -> Void)?
    public var onBatchBegin: ((Int, TrainingContext) -> Void)?

    public init(onEpochEnd: ((Int, Logs, TrainingContext) -> Void)? = nil,
                onBatchEnd: ((Int, Logs, TrainingContext) -> Void)? = nil,
                onTrainBegin: ((TrainingContext) -> Void)? = nil, onTrainEnd: ((TrainingContext) -> Void)? = nil,
                onEpochBegin: ((Int, TrainingContext) -> Void)? = nil, onBatchBegin: ((Int, TrainingContext) -> Void)? = nil) {
        self.onEpochEnd = onEpochEnd
        self.onBatchEnd = onBatchEnd
        self.onTrainBegin = onTrainBegin
        self.onTrainEnd = onTrainEnd
        self.onEpochBegin = onEpochBegin
        self.onBatchBegin = onBatchBegin
    }

    public func epochBegin(_ epoch: Int, _ context: TrainingContext) { onEpochBegin?(epoch, context) }
    public func batchBegin(_ batch: Int, _ context: TrainingContext) { onBatchBegin?(batch, context) }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) { onEpochEnd?(epoch, logs, context) }
    public func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) { onBatchEnd?(batch, logs, context) }
    public func trainBegin(_ context: TrainingContext) { onTrainBegin?(context) }
    public func trainEnd(_ context: TrainingContext) { onTrainEnd?(context) }
}
