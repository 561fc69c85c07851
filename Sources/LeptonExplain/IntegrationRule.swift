import Foundation

/// How Integrated Gradients approximates its path integral: points `alphas` on the straight
/// path from the baseline (0) to the input (1) and the weight of each, as Captum's
/// `approximation_parameters` makes them.
public enum IntegrationRule: String, CaseIterable, Sendable {
    /// Gauss–Legendre quadrature (Captum's default, `"gausslegendre"`): exact for polynomials of
    /// degree `2·steps − 1` along the path.
    case gaussLegendre = "gausslegendre"
    /// Captum's `"riemann_trapezoid"`: `steps` evenly spaced points from 0 to 1, each weighted
    /// `1 / steps` with the two ends halved (Captum's weights, which add up to `(steps − 1) / steps`).
    case riemannTrapezoid = "riemann_trapezoid"

    /// The smallest number of steps the rule takes.
    public var minimumSteps: Int { self == .gaussLegendre ? 1 : 2 }

    /// The points along the path and their weights.
    /// - Throws: ``ExplainError`` when `steps` is below ``minimumSteps``.
    public func nodes(steps: Int) throws -> (alphas: [Double], weights: [Double]) {
        guard steps >= minimumSteps else {
            throw ExplainError("Integrated Gradients (\(rawValue)) needs at least \(minimumSteps) steps, got \(steps)")
        }
        switch self {
        case .gaussLegendre:
            let (x, w) = Self.legendre(steps)
            return (x.map { 0.5 * (1 + $0) }, w.map { 0.5 * $0 })
        case .riemannTrapezoid:
            var weights = [Double](repeating: 1 / Double(steps), count: steps)
            weights[0] /= 2
            weights[steps - 1] /= 2
            return ((0..<steps).map { Double($0) / Double(steps - 1) }, weights)
        }
    }

    /// Gauss–Legendre nodes on [−1, 1] in increasing order and their weights (NumPy's `leggauss`),
    /// by Newton's method on the Legendre polynomial.
    static func legendre(_ n: Int) -> ([Double], [Double]) {
        var nodes = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
        for i in 0..<(n + 1) / 2 {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in stride(from: 2, through: n, by: 1) {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1
                    p1 = p2
                }
                // p1 = P_n(x), p0 = P_{n-1}(x).
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-15 { break }
            }
            let w = 2 / ((1 - x * x) * derivative * derivative)
            nodes[i] = -x
            nodes[n - 1 - i] = x
            weights[i] = w
            weights[n - 1 - i] = w
        }
        return (nodes, weights)
    }
}
