import LeptonNN
import LeptonTrain

/// A training callback that freezes quantisation-aware training's observers and normalisation
/// statistics at the start of given epochs (as PyTorch's QAT recipe calls `disable_observer` and
/// `freeze_bn_stats` after some epochs).
///
/// ```swift
/// let schedule = try QATFreezeSchedule(observersAfter: 3, batchNormAfter: 2, epochs: 4)
/// try prepared.model.fit(x: x, y: y, epochs: 4, callbacks: [schedule])
/// ```
public final class QATFreezeSchedule: Callback {
    /// Epochs after which the input ranges and weight scales stop moving; nil: never.
    public let observersAfter: Int?
    /// Epochs after which the normalisations use their running statistics; nil: never.
    public let batchNormAfter: Int?

    /// - Throws: ``CompressError`` for `observersAfter` outside `1..<epochs` (the first epoch
    ///   sets the ranges) or `batchNormAfter` outside `0..<epochs`.
    public init(observersAfter: Int? = nil, batchNormAfter: Int? = nil, epochs: Int) throws {
        if let observersAfter, observersAfter < 1 || observersAfter >= epochs {
            throw CompressError("observers frozen after \(observersAfter) epochs of \(epochs); expected at least 1 and fewer than the epochs")
        }
        if let batchNormAfter, batchNormAfter < 0 || batchNormAfter >= epochs {
            throw CompressError("normalisation statistics frozen after \(batchNormAfter) epochs of \(epochs); "
                                + "expected at least 0 and fewer than the epochs")
        }
        self.observersAfter = observersAfter
        self.batchNormAfter = batchNormAfter
    }

    public func epochBegin(_ epoch: Int, _ context: TrainingContext) {
        if let observersAfter, epoch >= observersAfter { QuantizationAwareTraining.freezeObservers(context.model) }
        if let batchNormAfter, epoch >= batchNormAfter { QuantizationAwareTraining.freezeBatchNormStatistics(context.model) }
    }
}
