import Foundation
import LeptonTensor
import LeptonTune
import Testing

/// The Parzen estimator against Optuna 5.0.0's own `_ParzenEstimator`.
///
/// The expected log densities were computed once with Optuna 5.0.0 (numpy 2.4.6) by building
/// `optuna.samplers._tpe.parzen_estimator._ParzenEstimator(observations, search_space,
/// _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True,
/// consider_endpoints=False, weights=default_weights, multivariate=True))` — TPESampler's
/// defaults — on the same observations and calling its `log_pdf` at the same points
/// (external values there; internal ones here: logarithms on log scales, indices for choices).
@Suite struct ParzenEstimatorTests {
    static func logDensities(_ distributions: [ParameterDistribution], _ observations: [[Double]], at points: [[Double]]) -> [Double] {
        let estimator = ParzenEstimator(distributions: distributions, observations: observations)
        return points.map(estimator.logDensity)
    }

    static func expectClose(_ actual: [Double], _ expected: [Double], _ what: String) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) < 1e-9, "\(what): \(actual) vs Optuna's \(expected)")
        }
    }

    @Test func floatKernelsMatchOptuna() {
        let x = ParameterDistribution.float(low: -5, high: 10, log: false)
        Self.expectClose(Self.logDensities([x], [[0], [2.5], [7], [9.5]], at: [[-4], [1], [8], [10]]),
                         [-3.51205123976, -2.62434400732, -2.38864848387, -2.4051132785], "float")
        let a = ParameterDistribution.float(low: 0.1, high: 10, log: true)
        Self.expectClose(Self.logDensities([a], [[log(0.5)], [log(1)], [log(4)]], at: [[log(0.2)], [log(1)], [log(9)]]),
                         [-1.76012317643, -1.27265555109, -1.85975318966], "log float")
    }

    /// An integer's density is the kernel's mass over its cell, not the density at the point.
    @Test func integerKernelsGiveTheMassOfTheIntegersCell() {
        let n = ParameterDistribution.int(low: 1, high: 8, step: 1, log: false)
        Self.expectClose(Self.logDensities([n], [[2], [3], [7]], at: [[1], [2], [5], [8]]),
                         [-1.97659316597, -1.82243787288, -2.14731684373, -2.43230325814], "int")
        let stepped = ParameterDistribution.int(low: 0, high: 40, step: 5, log: false)
        Self.expectClose(Self.logDensities([stepped], [[10], [15], [35]], at: [[0], [10], [25], [40]]),
                         [-2.36844324637, -1.96838071101, -2.20620920217, -2.50839730554], "int step 5")
        let units = ParameterDistribution.int(low: 1, high: 64, step: 1, log: true)
        Self.expectClose(Self.logDensities([units], [[log(2)], [log(8)], [log(9)]], at: [[log(1)], [log(8)], [log(64)]]),
                         [-1.80178631883, -3.31996163278, -6.56175522146], "log int")
        // The probabilities of all the integers sum to 1.
        let estimator = ParzenEstimator(distributions: [n], observations: [[2], [3], [7]])
        let total = (1...8).map { exp(estimator.logDensity([Double($0)])) }.reduce(0, +)
        #expect(abs(total - 1) < 1e-12, "\(total)")
    }

    @Test func withoutObservationsTheEstimatorIsThePrior() {
        let x = ParameterDistribution.float(low: 0, high: 1, log: false)
        let estimator = ParzenEstimator(distributions: [x], observations: [])
        #expect(estimator.weights == [1])
        Self.expectClose([0, 0.5, 0.9].map { estimator.logDensity([$0]) }, [-0.0840221995091, 0.0409778004909, -0.0390221995091], "prior")
    }

    @Test func jointKernelsAndChoicesMatchOptuna() {
        let x = ParameterDistribution.float(low: -5, high: 10, log: false), y = ParameterDistribution.float(low: 0, high: 15, log: false)
        Self.expectClose(Self.logDensities([x, y], [[0, 1], [3, 4], [8, 14]], at: [[0.5, 1.5], [3, 13], [-5, 0]]),
                         [-4.58743713312, -5.54233766354, -5.75546609182], "joint")
        let c = ParameterDistribution.categorical(["a", "b", "c"])
        Self.expectClose(Self.logDensities([c], [[0], [0], [2]], at: [[0], [1], [2]]),
                         [-0.741937344729, -1.6582280766, -1.09861228867], "categorical")
    }

    /// Beyond 25 observations the older ones weigh less (Optuna's `default_weights`).
    @Test func olderObservationsWeighLessBeyond25() {
        #expect(ParzenEstimator.observationWeights(27).prefix(3) == [1.0 / 27, 1, 1])
        let x = ParameterDistribution.float(low: 0, high: 10, log: false)
        Self.expectClose(Self.logDensities([x], (0..<30).map { [Double($0 % 10)] }, at: [[0], [5]]),
                         [-1.96794176672, -2.13454631132], "30 observations")
    }

    /// Kernels far in the tails still give finite, ordered log densities (no underflow to −∞).
    @Test func farTailsStayFinite() {
        let n = ParameterDistribution.int(low: 0, high: 10_000, step: 1, log: false)
        let observations = (0..<200).map { [Double($0)] }
        let estimator = ParzenEstimator(distributions: [n], observations: observations, priorWeight: 0)
        let far = estimator.logDensity([9_000]), farther = estimator.logDensity([10_000])
        #expect(far.isFinite && farther.isFinite && farther < far, "\(far), \(farther)")
    }

    @Test func samplesStayInTheRangeAndOnTheGrid() {
        let n = ParameterDistribution.int(low: 0, high: 40, step: 5, log: false), x = ParameterDistribution.float(low: -1, high: 1, log: false)
        let estimator = ParzenEstimator(distributions: [n, x], observations: [[0, -1], [40, 1]])
        var rng = RandomGenerator(seed: 4)
        for _ in 0..<500 {
            let s = estimator.sample(using: &rng)
            #expect(s[0] >= 0 && s[0] <= 40 && s[0].truncatingRemainder(dividingBy: 5) == 0, "\(s)")
            #expect(s[1] >= -1 && s[1] <= 1, "\(s)")
        }
    }
}
