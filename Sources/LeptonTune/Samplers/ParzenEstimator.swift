import Foundation
import LeptonTensor

/// A Parzen estimator over one or more parameters, as Optuna's TPE (5.0) builds it
/// (`_ParzenEstimator`): one kernel per observation (a normal truncated to the range for a
/// number, its bandwidth the distance to the neighbouring observations, clipped; a smoothed
/// one-hot for a choice) plus a prior kernel covering the whole range, mixed with weights
/// that favour recent observations once there are more than 25. Without observations it is
/// the prior kernel alone.
///
/// With several parameters the kernels of one observation multiply (multivariate TPE), so
/// the estimator keeps the dependencies between parameters that the observations show.
///
/// Values are internal numbers (``ParameterDistribution/internalValue(of:)``). An integer's
/// density is a probability: the kernel's mass over the integer's cell (half a step either
/// side, on the log scale for a log-scaled one), as Optuna's discrete truncated normals.
public struct ParzenEstimator: Sendable {
    public let distributions: [ParameterDistribution]
    /// Mixture weights, one per observation and the prior last; they sum to 1.
    public let weights: [Double]
    /// Per parameter: the kernel of each component.
    private let kernels: [[Kernel]]

    enum Kernel {
        case normal(mu: Double, sigma: Double, low: Double, high: Double)
        case categorical([Double])
    }

    /// - Parameters:
    ///   - observations: per observation (oldest first), the internal value of each parameter.
    ///   - priorWeight: the prior kernel's weight beside each observation's (Optuna's `prior_weight`).
    public init(distributions: [ParameterDistribution], observations: [[Double]], priorWeight: Double = 1) {
        self.distributions = distributions
        let n = observations.count
        var w = n == 0 ? [1] : Self.observationWeights(n) + [priorWeight]
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        weights = w
        kernels = distributions.enumerated().map { d, distribution in
            let values = observations.map { $0[d] }
            switch distribution {
            case .categorical(let choices):
                let k = Double(choices.count), kernelCount = Double(n + 1)
                var result = values.map { value -> Kernel in
                    var p = [Double](repeating: priorWeight / kernelCount, count: choices.count)
                    p[min(max(Int(value.rounded()), 0), choices.count - 1)] += 1
                    let sum = p.reduce(0, +)
                    return .categorical(p.map { $0 / sum })
                }
                result.append(.categorical([Double](repeating: 1 / k, count: choices.count)))
                return result
            default:
                let (low, high) = distribution.internalBounds
                let sigmas = Self.neighbourBandwidths(values, low: low, high: high)
                let minimum = (high - low) / min(100, 1 + Double(n + 1))
                var result = zip(values, sigmas).map { mu, sigma in
                    Kernel.normal(mu: mu, sigma: min(max(sigma, minimum), high - low), low: low, high: high)
                }
                result.append(.normal(mu: (low + high) / 2, sigma: high - low, low: low, high: high))
                return result
            }
        }
    }

    /// Optuna's `default_weights`: 1 for the 25 most recent observations, a ramp from 1/n up
    /// to 1 for older ones.
    public static func observationWeights(_ n: Int) -> [Double] {
        guard n > 25 else { return [Double](repeating: 1, count: n) }
        let ramp = n - 25
        let rampWeights = (0..<ramp).map { i -> Double in
            ramp == 1 ? 1 / Double(n) : 1 / Double(n) + (1 - 1 / Double(n)) * Double(i) / Double(ramp - 1)
        }
        return rampWeights + [Double](repeating: 1, count: 25)
    }

    /// Each observation's bandwidth: the larger distance to its neighbours among the sorted
    /// observations, the range's ends bounding the outermost ones — which look inwards only
    /// (Optuna's `consider_endpoints=False`).
    static func neighbourBandwidths(_ values: [Double], low: Double, high: Double) -> [Double] {
        guard !values.isEmpty else { return [] }
        let order = values.indices.sorted { values[$0] < values[$1] }
        let sorted = order.map { values[$0] }
        let padded: [Double] = [low] + sorted + [high]
        var sigmaSorted: [Double] = (1...sorted.count).map { (i: Int) -> Double in
            let left: Double = padded[i] - padded[i - 1], right: Double = padded[i + 1] - padded[i]
            return max(left, right)
        }
        if sorted.count >= 2 {
            sigmaSorted[0] = padded[2] - padded[1]
            sigmaSorted[sorted.count - 1] = padded[sorted.count] - padded[sorted.count - 1]
        }
        var sigmas = [Double](repeating: 0, count: values.count)
        for (rank, index) in order.enumerated() { sigmas[index] = sigmaSorted[rank] }
        return sigmas
    }

    /// A point drawn from the mixture (internal values; integers and choices on their grid).
    public func sample(using rng: inout RandomGenerator) -> [Double] {
        let component = Self.pick(weights, using: &rng)
        return distributions.indices.map { d in
            switch kernels[d][component] {
            case let .categorical(p): return Double(Self.pick(p, using: &rng))
            case let .normal(mu, sigma, low, high):
                let x = TruncatedNormal.sample(mu: mu, sigma: sigma, low: low, high: high, using: &rng)
                return distributions[d].internalValue(of: distributions[d].value(atInternal: x)) ?? x
            }
        }
    }

    /// The log density of `x` (internal values) under the mixture; for integers, the log
    /// probability of the integer.
    public func logDensity(_ x: [Double]) -> Double {
        let cells = distributions.indices.map { Self.cell(of: x[$0], in: distributions[$0]) }
        var terms = [Double](repeating: 0, count: weights.count)
        for component in weights.indices {
            var term = log(weights[component])
            for d in distributions.indices {
                switch kernels[d][component] {
                case let .categorical(p): term += log(p[min(max(Int(x[d].rounded()), 0), p.count - 1)])
                case let .normal(mu, sigma, low, high):
                    let normaliser = TruncatedNormal.logMass((low - mu) / sigma, (high - mu) / sigma)
                    if let (left, right) = cells[d] {
                        term += TruncatedNormal.logMass((left - mu) / sigma, (right - mu) / sigma) - normaliser
                    } else {
                        let z = (x[d] - mu) / sigma
                        term += -0.5 * z * z - log(sigma) - 0.5 * log(2 * .pi) - normaliser
                    }
                }
            }
            terms[component] = term
        }
        let top = terms.max() ?? 0
        guard top.isFinite else { return top }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// An integer's cell on the internal scale: half a step either side of the value (nil for
    /// floats and choices).
    static func cell(of x: Double, in distribution: ParameterDistribution) -> (Double, Double)? {
        guard case let .int(_, _, step, isLog) = distribution, let v = distribution.value(atInternal: x).number else { return nil }
        let half = Double(step) / 2
        return isLog ? (log(v - half), log(v + half)) : (v - half, v + half)
    }

    static func pick(_ weights: [Double], using rng: inout RandomGenerator) -> Int {
        var u = Double.random(in: 0..<weights.reduce(0, +), using: &rng)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.count - 1
    }
}
