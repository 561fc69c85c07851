import Foundation

/// Hyperband (Li et al. 2017) over ASHA, as Optuna's `HyperbandPruner`: several brackets of
/// successive halving, bracket b stopping trials no earlier than rung b; each trial joins one
/// bracket (chosen from its number, in proportion to the brackets' budgets) and competes only
/// with the trials of its bracket. Brackets hedge against a rung too early to judge.
public struct HyperbandPruner: Pruner {
    public let minimumResource: Int
    public let maximumResource: Int
    public let reductionFactor: Int

    /// The settings' defaults.
    public enum Defaults {
        public static let minimumResource = 1, reductionFactor = 3
    }

    /// A pruner with these settings; each left out takes its value in ``Defaults``.
    public init(minimumResource: Int = Defaults.minimumResource, maximumResource: Int, reductionFactor: Int = Defaults.reductionFactor) {
        self.minimumResource = max(minimumResource, 1)
        self.maximumResource = max(maximumResource, self.minimumResource)
        self.reductionFactor = max(reductionFactor, 2)
    }

    /// ⌊log_η(max / min)⌋ + 1 brackets.
    public var bracketCount: Int {
        var count = 1, resource = minimumResource
        while resource * reductionFactor <= maximumResource { resource *= reductionFactor; count += 1 }
        return count
    }

    /// Bracket b's share of trials: its budget ⌈n_brackets · η^(n_brackets-1-b) / (n_brackets - b)⌉, as Optuna's.
    var bracketBudgets: [Int] {
        let n = bracketCount
        return (0..<n).map { b in
            let top = Double(n) * pow(Double(reductionFactor), Double(n - 1 - b))
            return Int((top / Double(n - b)).rounded(.up))
        }
    }

    /// The bracket trial `number` belongs to.
    public func bracket(ofTrial number: Int) -> Int {
        let budgets = bracketBudgets
        var slot = Int(UInt64(truncatingIfNeeded: number &* 0x9E37_79B9) % UInt64(budgets.reduce(0, +)))
        for (b, budget) in budgets.enumerated() {
            if slot < budget { return b }
            slot -= budget
        }
        return budgets.count - 1
    }

    public func shouldPrune(trial: FrozenTrial, step: Int, trials: [FrozenTrial], direction: StudyDirection) -> Bool {
        let bracket = bracket(ofTrial: trial.number)
        let halving = SuccessiveHalvingPruner(minimumResource: minimumResource, reductionFactor: reductionFactor,
                                              minimumEarlyStoppingRate: bracket, competes: { [self] in self.bracket(ofTrial: $0.number) == bracket })
        return halving.shouldPrune(trial: trial, step: step, trials: trials, direction: direction)
    }
}
