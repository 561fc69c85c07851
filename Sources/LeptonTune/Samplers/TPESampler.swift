import Foundation
import LeptonNN
import LeptonTensor

/// The Tree-structured Parzen Estimator (Bergstra et al. 2011, as Optuna implements it): after
/// `startupTrials` random trials, the finished trials are split into the best `gamma(n)`
/// ("good", density l) and the rest ("bad", density g); `eiCandidates` points are drawn from
/// l and the one with the largest l(x)/g(x) — the point expected improvement favours — is taken.
///
/// Multivariate by default, as Optuna 5's default: the parameters that always exist are
/// modelled jointly (a kernel per trial over all of them), conditional parameters one by one,
/// each on the trials where it exists; `multivariate: false` models every parameter alone. Pruned trials count as worse than every complete one; running
/// trials (other workers') count as bad, as Optuna's `constant_liar`, so that parallel workers
/// do not all sample the same region.
public struct TPESampler: Sampler {
    public let seed: UInt64
    public let startupTrials: Int
    public let eiCandidates: Int
    public let multivariate: Bool
    public let priorWeight: Double
    /// How many of `n` ranked trials form the good group (Optuna: min(⌈0.1·n⌉, 25)).
    public let gamma: @Sendable (Int) -> Int

    public init(seed: UInt64 = 0, startupTrials: Int = 10, eiCandidates: Int = 24, multivariate: Bool = true,
                priorWeight: Double = 1, gamma: @escaping @Sendable (Int) -> Int = { min(Int((0.1 * Double($0)).rounded(.up)), 25) }) {
        self.seed = seed
        self.startupTrials = max(startupTrials, 1)
        self.eiCandidates = max(eiCandidates, 1)
        self.multivariate = multivariate
        self.priorWeight = priorWeight
        self.gamma = gamma
    }

    public func sample(space: SearchSpace, trials: [FrozenTrial], direction: StudyDirection, number: Int) -> [String: ConfigValue] {
        var rng = Self.rng(seed: seed, trial: number)
        let complete = trials.filter { $0.state == .complete && $0.value?.isFinite == true }
        let pruned = trials.filter { $0.state == .pruned }
        // Optuna counts pruned trials among the startup trials and in γ's n.
        guard complete.count + pruned.count >= startupTrials else { return space.sample(using: &rng) }
        let ranked = Self.rank(complete, pruned: pruned, direction: direction)
        let goodCount = min(max(gamma(ranked.count), 0), ranked.count)
        let good = ranked[..<goodCount].sorted { $0.number < $1.number }
        // Running trials join the bad group (Optuna's constant liar), so parallel workers spread out.
        let bad = (ranked[goodCount...] + trials.filter { $0.state == .running }).sorted { $0.number < $1.number }
        var values: [String: ConfigValue] = [:]
        if multivariate {
            let joint = space.parameters.filter { $0.condition == nil }
            for (parameter, value) in zip(joint, sampleGroup(joint, good: good, bad: bad, rng: &rng)) {
                values[parameter.name] = value
            }
        }
        return space.complete(values) { parameter in
            sampleGroup([parameter], good: good, bad: bad, rng: &rng)[0]
        }
    }

    /// Complete trials best first, then pruned ones (those that got further first, then by
    /// their last intermediate value, NaN last; those that reported nothing after all).
    static func rank(_ complete: [FrozenTrial], pruned: [FrozenTrial], direction: StudyDirection) -> [FrozenTrial] {
        let byValue = complete.sorted { direction.loss($0.value!) < direction.loss($1.value!) }
        func score(_ trial: FrozenTrial) -> (Int, Double) {
            guard let (step, value) = trial.lastIntermediate else { return (1, 0) }
            return (-step, value.isNaN ? .infinity : direction.loss(value))
        }
        let byProgress = pruned.sorted { score($0) < score($1) }
        return byValue + byProgress
    }

    /// Values for `parameters` from the good and bad trials that hold all of them (a group
    /// that holds none is modelled by the prior alone, as Optuna does).
    private func sampleGroup(_ parameters: [Parameter], good: [FrozenTrial], bad: [FrozenTrial], rng: inout RandomGenerator) -> [ConfigValue] {
        guard !parameters.isEmpty else { return [] }
        func observations(_ trials: [FrozenTrial]) -> [[Double]] {
            trials.compactMap { trial in
                let x = parameters.map { p in trial.params[p.name].flatMap { p.distribution.internalValue(of: $0) } }
                return x.contains(where: { $0 == nil }) ? nil : x.map { $0! }
            }
        }
        let goodX = observations(good), badX = observations(bad)
        let distributions = parameters.map(\.distribution)
        let l = ParzenEstimator(distributions: distributions, observations: goodX, priorWeight: priorWeight)
        let g = ParzenEstimator(distributions: distributions, observations: badX, priorWeight: priorWeight)
        var best: [Double] = []
        var bestScore = -Double.infinity
        for _ in 0..<eiCandidates {
            let x = l.sample(using: &rng)
            let score = l.logDensity(x) - g.logDensity(x)
            if score > bestScore || best.isEmpty { best = x; bestScore = score }  // the first of equals, as numpy's argmax
        }
        return zip(distributions, best).map { $0.value(atInternal: $1) }
    }
}
