import LeptonTensor

/// Sets the learning rate at the start of each epoch from a function of the epoch and the
/// current rate (`keras.callbacks.LearningRateScheduler`).
public final class LearningRateScheduler: Callback {
    private let schedule: (Int, Float) -> Float

    public init(_ schedule: @escaping (_ epoch: Int, _ learningRate: Float) -> Float) { self.schedule = schedule }

    public func epochBegin(_ epoch: Int, _ context: TrainingContext) {
        context.optimizer.learningRate = schedule(epoch, context.optimizer.learningRate)
    }
}

/// Multiplies the learning rate by `factor` when a monitored value has not improved for
/// `patience` epochs (`keras.callbacks.ReduceLROnPlateau`).
public final class ReduceLROnPlateau: Callback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let minDelta: Float
    public let minimumLearningRate: Float
    public let mode: MonitorMode
    var best: Float = .nan
    var wait = 0

    public init(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, minDelta: Float = 1e-4,
                minimumLearningRate: Float = 0, mode: MonitorMode? = nil) {
        checkPrecondition(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got \(factor)")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.minimumLearningRate = minimumLearningRate
        self.mode = mode ?? .auto(monitor)
    }

    public func trainBegin(_ context: TrainingContext) {
        best = mode == .min ? .infinity : -.infinity
        wait = 0
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {
        guard let value = logs[monitor] else { return }
        if mode.improved(value, over: best, minDelta: minDelta) {
            best = value
            wait = 0
        } else {
            wait += 1
            if wait >= patience {
                context.optimizer.learningRate = max(context.optimizer.learningRate * factor, minimumLearningRate)
                wait = 0
            }
        }
    }
}
