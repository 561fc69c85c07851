import Foundation

/// A learning rate as a function of the step, applied by every ``Optimizer``.
public indirect enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// The base rate throughout.
    case constant
    /// Multiply by `gamma` every `stepSize` steps (`torch.optim.lr_scheduler.StepLR`).
    case step(stepSize: Int, gamma: Float)
    /// Multiply by `gamma` every step (`ExponentialLR`).
    case exponential(gamma: Float)
    /// Cosine from the base rate down to `minimum` over `totalSteps` (`CosineAnnealingLR`), then
    /// `minimum` from then on (as Keras's `CosineDecay`; PyTorch's `CosineAnnealingLR` would
    /// rise again after `T_max`).
    case cosine(totalSteps: Int, minimum: Float)
    /// Rise linearly from 0 to the base rate over `steps`, then follow `then`, counted from the end of warm-up.
    case linearWarmup(steps: Int, then: LearningRateSchedule)

    /// The rate at `step` (0-based) for base rate `base`.
    public func learningRate(base: Float, step: Int) -> Float {
        switch self {
        case .constant:
            return base
        case .step(let size, let gamma):
            return base * Float(Foundation.pow(Double(gamma), Double(step / Swift.max(size, 1))))
        case .exponential(let gamma):
            return base * Float(Foundation.pow(Double(gamma), Double(step)))
        case .cosine(let total, let minimum):
            let t = Double(Swift.min(step, total)) / Double(Swift.max(total, 1))
            return minimum + (base - minimum) * Float((1 + Foundation.cos(Double.pi * t)) / 2)
        case .linearWarmup(let steps, let then):
            if step < steps { return base * Float(step + 1) / Float(steps) }
            return then.learningRate(base: base, step: step - steps)
        }
    }
}
