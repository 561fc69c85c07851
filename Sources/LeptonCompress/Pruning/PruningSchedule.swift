import Foundation

/// How sparse the pruned weights should be at each training step (TF-MOT's `ConstantSparsity`
/// and `PolynomialDecay`); pruning happens every `frequency` steps from `beginStep`.
public enum PruningSchedule: Sendable, Equatable {
    /// `sparsity` from `beginStep` on.
    case constant(sparsity: Double, beginStep: Int = 0, frequency: Int = 100)
    /// From `initial` at `beginStep` to `final` at `endStep`:
    /// `final + (initial − final) · (1 − (step − beginStep) / (endStep − beginStep))^power`.
    case polynomial(initial: Double, final: Double, beginStep: Int, endStep: Int, power: Double = 3, frequency: Int = 100)

    /// Checks the sparsities (in [0, 1), the final one in (0, 1)) and steps.
    /// - Throws: ``CompressError`` naming the value and what was expected.
    public func validate() throws {
        func check(_ value: Double, _ name: String, allowZero: Bool) throws {
            guard value.isFinite, value < 1, allowZero ? value >= 0 : value > 0 else {
                throw CompressError("\(name) \(value): expected a sparsity in \(allowZero ? "[0, 1)" : "(0, 1)")")
            }
        }
        switch self {
        case let .constant(sparsity, beginStep, frequency):
            try check(sparsity, "sparsity", allowZero: false)
            guard beginStep >= 0, frequency >= 1 else {
                throw CompressError("begin step \(beginStep), frequency \(frequency): expected a step ≥ 0 and a frequency ≥ 1")
            }
        case let .polynomial(initial, final, beginStep, endStep, power, frequency):
            try check(initial, "initial sparsity", allowZero: true)
            try check(final, "final sparsity", allowZero: false)
            guard beginStep >= 0, endStep > beginStep, frequency >= 1, power > 0, power.isFinite else {
                throw CompressError("steps \(beginStep)...\(endStep), power \(power), frequency \(frequency): expected "
                                    + "0 ≤ begin < end, a positive power and a frequency ≥ 1")
            }
        }
    }

    /// The sparsity to prune to after `step` (counted from 0), or nil when this step does not prune.
    public func sparsity(atStep step: Int) -> Double? {
        switch self {
        case let .constant(sparsity, beginStep, frequency):
            return step >= beginStep && (step - beginStep) % frequency == 0 ? sparsity : nil
        case let .polynomial(initial, final, beginStep, endStep, power, frequency):
            guard step >= beginStep, step <= endStep, (step - beginStep) % frequency == 0 || step == endStep else { return nil }
            let progress = Double(step - beginStep) / Double(endStep - beginStep)
            return final + (initial - final) * pow(1 - progress, power)
        }
    }
}
