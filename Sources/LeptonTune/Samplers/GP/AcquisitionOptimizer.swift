import Foundation
import LeptonNN

/// Maximises log expected improvement over the encoded search space (Optuna's
/// `optimize_acqf_mixed`): local searches from a few start points, each alternating
///  - gradient ascent (``BoundedLBFGS``) on the continuous dimensions active at the point, in
///    coordinates divided by the model's length scales (which evens out the curvature), and
///  - for each discrete parameter (a choice, a small integer range), the best of its values,
/// until a round changes no discrete parameter.
struct AcquisitionOptimizer {
    let model: GaussianProcess
    let best: Double
    let encoding: Encoding
    /// Largest projected gradient at which a continuous ascent stops (Optuna's √tol, tol 1e-4).
    var gradientTolerance = 1e-2

    func score(_ x: [Double]) -> Double { LogExpectedImprovement.value(model, at: x, best: best) }

    /// The best point reached from any of `starts` and its log EI.
    func maximize(from starts: [[Double]]) -> (x: [Double], value: Double) {
        var winner: (x: [Double], value: Double)?
        for start in starts {
            let reached = localSearch(from: start)
            if winner == nil || reached.value > winner!.value { winner = reached }
        }
        return winner!
    }

    /// A local maximum of log EI near `start` (snapped to the grid).
    func localSearch(from start: [Double]) -> (x: [Double], value: Double) {
        var x = encoding.snapped(start), value = score(x)
        let lengthScales = model.hyperparameters.lengthScales
        for _ in 0..<20 {
            let dimensions = encoding.continuousDimensions(x)
            if !dimensions.isEmpty {
                let ascended = ascend(x, dimensions, lengthScales)
                if ascended.value > value { (x, value) = ascended }
            }
            var changed = false
            for index in encoding.activeParameters(x) {
                guard let values = encoding.discreteValues(encoding.space.parameters[index]) else { continue }
                for candidate in values.map({ encoding.setting(x, parameter: index, to: $0) }) where candidate != x {
                    let v = score(candidate)
                    if v > value { (x, value, changed) = (candidate, v, true) }
                }
            }
            if !changed { break }
        }
        return (x, value)
    }

    /// Gradient ascent on `dimensions` of `x` (the others held), in z = x / ℓ on [0, 1/ℓ];
    /// the result snapped to the grid and scored there.
    private func ascend(_ x: [Double], _ dimensions: [Int], _ lengthScales: [Double]) -> (x: [Double], value: Double) {
        let scales = dimensions.map { lengthScales[$0] }
        func point(_ z: [Double]) -> [Double] {
            var p = x
            for (k, d) in dimensions.enumerated() { p[d] = z[k] * scales[k] }
            return p
        }
        let result = BoundedLBFGS.minimize(start: dimensions.indices.map { x[dimensions[$0]] / scales[$0] },
                                           lower: [Double](repeating: 0, count: dimensions.count), upper: scales.map { 1 / $0 },
                                           gradientTolerance: gradientTolerance, maximumIterations: 200) { z in
            let (value, gradient) = LogExpectedImprovement.valueAndGradient(model, at: point(z), best: best)
            guard value.isFinite else { return nil }
            return (-value, dimensions.indices.map { -gradient[dimensions[$0]] * scales[$0] })
        }
        guard let result else { return (x, -.infinity) }
        let reached = encoding.snapped(point(result.x))
        return (reached, score(reached))
    }
}
