import Foundation

/// Asynchronous successive halving (ASHA, Li et al. 2018, as Optuna's
/// `SuccessiveHalvingPruner`): rung k sits at step `minimumResource · η^(k + s)` (η the
/// reduction factor, s the minimum early-stopping rate). A trial reaching a rung goes on only
/// if its value there is among the best 1/η of all values recorded at that rung so far, its
/// own included; while fewer than η trials have reached the rung, only the best so far goes on.
/// No trial waits for others, so parallel workers never idle.
public struct SuccessiveHalvingPruner: Pruner {
    public let minimumResource: Int
    public let reductionFactor: Int
    public let minimumEarlyStoppingRate: Int
    /// Trials that compete at a rung (nil: all); ``HyperbandPruner`` gives each bracket its own.
    let competes: (@Sendable (FrozenTrial) -> Bool)?

    /// The settings' defaults.
    public enum Defaults {
        public static let minimumResource = 1, reductionFactor = 3, minimumEarlyStoppingRate = 0
    }

    /// A pruner with these settings; each left out takes its value in ``Defaults``.
    public init(minimumResource: Int = Defaults.minimumResource, reductionFactor: Int = Defaults.reductionFactor,
                minimumEarlyStoppingRate: Int = Defaults.minimumEarlyStoppingRate) {
        self.init(minimumResource: minimumResource, reductionFactor: reductionFactor,
                  minimumEarlyStoppingRate: minimumEarlyStoppingRate, competes: nil)
    }

    init(minimumResource: Int, reductionFactor: Int, minimumEarlyStoppingRate: Int, competes: (@Sendable (FrozenTrial) -> Bool)?) {
        self.minimumResource = max(minimumResource, 1)
        self.reductionFactor = max(reductionFactor, 2)
        self.minimumEarlyStoppingRate = max(minimumEarlyStoppingRate, 0)
        self.competes = competes
    }

    /// The step of rung `k`.
    public func rungStep(_ k: Int) -> Int {
        var step = minimumResource
        for _ in 0..<(k + minimumEarlyStoppingRate) { step *= reductionFactor }
        return step
    }

    /// Whether `step` is the step of a rung.
    public func isRung(_ step: Int) -> Bool {
        var rung = rungStep(0)
        while rung < step { rung *= reductionFactor }
        return rung == step
    }

    public func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool {
        guard let value = trial.intermediate[step] else { return false }
        guard value.isFinite else { return true }
        guard isRung(step) else { return false }
        let competitors = trials.filter { $0.number != trial.number && (competes?($0) ?? true) }
            .compactMap { $0.intermediate[step] }.filter(\.isFinite)
        return !Self.isPromotable(value, competing: competitors + [value], reductionFactor: reductionFactor, direction: direction)
    }

    /// Whether `value` is among the best `count / η` of `competing` (the best one while
    /// fewer than η values compete).
    static func isPromotable(_ value: Double, competing: [Double], reductionFactor: Int, direction: StudyDirection) -> Bool {
        let losses = competing.map(direction.loss).sorted()
        let promotable = max(losses.count / reductionFactor, 1)
        return direction.loss(value) <= losses[promotable - 1]
    }
}
