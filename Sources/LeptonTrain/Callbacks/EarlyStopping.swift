import LeptonTensor

/// Whether a smaller or a larger monitored value is better.
public enum MonitorMode: String, Sendable, Codable {
    case min, max
    /// `min` for losses and errors, `max` for everything else (Keras's `auto`).
    public static func auto(_ key: String) -> MonitorMode {
        key.contains("loss") || key.contains("error") || key.hasSuffix("mse") || key.hasSuffix("mae") ? .min : .max
    }
    func improved(_ value: Float, over best: Float, minDelta: Float) -> Bool {
        self == .min ? value < best - minDelta : value > best + minDelta
    }
}

/// Stops training when a monitored value stops improving (`keras.callbacks.EarlyStopping`):
/// after `patience` consecutive epochs without an improvement of more than `minDelta`
/// (at the first such epoch when `patience` is 0), optionally restoring the weights of the best
/// epoch when training ends.
public final class EarlyStopping: Callback {
    public let monitor: String
    public let minDelta: Float
    public let patience: Int
    public let mode: MonitorMode
    public let restoreBestWeights: Bool
    /// The epoch training stopped at, if it stopped early.
    public internal(set) var stoppedEpoch: Int?
    public internal(set) var bestEpoch: Int?
    var best: Float = .nan
    var wait = 0
    var bestWeights: [String: Tensor]?

    public init(monitor: String = "val_loss", minDelta: Float = 0, patience: Int = 0, mode: MonitorMode? = nil,
                restoreBestWeights: Bool = false) {
        self.monitor = monitor
        self.minDelta = abs(minDelta)
        self.patience = patience
        self.mode = mode ?? .auto(monitor)
        self.restoreBestWeights = restoreBestWeights
    }

    public func trainBegin(_ context: TrainingContext) {
        best = mode == .min ? .infinity : -.infinity
        wait = 0
        stoppedEpoch = nil
        bestEpoch = nil
        bestWeights = nil
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {
        guard let value = logs[monitor] else { return }
        if mode.improved(value, over: best, minDelta: minDelta) {
            best = value
            bestEpoch = epoch
            wait = 0
            if restoreBestWeights {
                bestWeights = Dictionary(uniqueKeysWithValues: context.model.stateDict().map { ($0.0, $0.1.copy()) })
            }
            return
        }
        // As Keras: stop once `patience` epochs in a row brought no improvement (0 and 1 both
        // stop at the first epoch without one).
        wait += 1
        if wait >= patience {
            stoppedEpoch = epoch
            context.stopTraining = true
        }
    }

    public func trainEnd(_ context: TrainingContext) {
        if restoreBestWeights, let bestWeights { try? context.model.loadStateDict(bestWeights) }
    }
}
