import Foundation

/// Minimises a smooth function inside a box with a projected limited-memory BFGS method: the
/// L-BFGS direction (two-loop recursion over the last `memory` steps) on the variables not held
/// at a bound, a backtracking line search along the projection onto the box, and Armijo's
/// sufficient-decrease test. It stops when the projected gradient's largest entry is below
/// `gradientTolerance` (scipy's `pgtol`), when a step no longer lowers the value by a relative
/// 1e-9 or more (scipy's `factr`), or after `maximumIterations`.
///
/// The objective returns the value and its gradient, or nil where it is undefined (e.g. a
/// kernel matrix that is not positive definite); the line search backs off from such points.
///
/// ```swift
/// let result = BoundedLBFGS.minimize(start: [0.5], lower: [0], upper: [1]) { x in
///     ((x[0] - 0.3) * (x[0] - 0.3), [2 * (x[0] - 0.3)])
/// }   // result?.x ≈ [0.3]
/// ```
public enum BoundedLBFGS {
    /// The point reached, its value and the number of iterations (line searches) taken; nil
    /// when the objective is undefined at the (clamped) start.
    public static func minimize(start: [Double], lower: [Double], upper: [Double], gradientTolerance: Double = 1e-5,
                                maximumIterations: Int = 200, memory: Int = 10,
                                _ objective: ([Double]) -> (value: Double, gradient: [Double])?) -> (x: [Double], value: Double, iterations: Int)? {
        let n = start.count
        func project(_ x: [Double]) -> [Double] { (0..<n).map { min(max(x[$0], lower[$0]), upper[$0]) } }
        var x = project(start)
        guard var (value, gradient) = objective(x), value.isFinite else { return nil }
        var steps: [[Double]] = [], changes: [[Double]] = [], curvatures: [Double] = []
        var iterations = 0
        while iterations < maximumIterations {
            // Variables at a bound whose gradient pushes outward stay fixed this iteration.
            let free = (0..<n).map { i in !((x[i] <= lower[i] && gradient[i] > 0) || (x[i] >= upper[i] && gradient[i] < 0)) }
            let largest = (0..<n).reduce(0.0) { free[$1] ? max($0, abs(gradient[$1])) : $0 }
            if largest < gradientTolerance { break }
            var direction = twoLoop(gradient, steps, changes, curvatures).enumerated().map { free[$0.offset] ? -$0.element : 0 }
            var slope = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                steps.removeAll(); changes.removeAll(); curvatures.removeAll()
                direction = gradient.enumerated().map { free[$0.offset] ? -$0.element : 0 }
                slope = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            }
            var length = steps.isEmpty ? min(1, 1 / max(largest, 1e-300)) : 1
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<40 {
                let candidate = project((0..<n).map { x[$0] + length * direction[$0] })
                let moved = (0..<n).reduce(0.0) { $0 + (candidate[$1] - x[$1]) * gradient[$1] }
                if let (v, g) = objective(candidate), v.isFinite, v <= value + 1e-4 * min(moved, 0) {
                    accepted = (candidate, v, g)
                    break
                }
                length *= 0.5
            }
            iterations += 1
            guard let next = accepted else { break }
            let step = (0..<n).map { next.x[$0] - x[$0] }, change = (0..<n).map { next.gradient[$0] - gradient[$0] }
            let curvature = zip(step, change).reduce(0) { $0 + $1.0 * $1.1 }
            if curvature > 1e-10 * change.reduce(0, { $0 + $1 * $1 }) {
                steps.append(step); changes.append(change); curvatures.append(curvature)
                if steps.count > memory { steps.removeFirst(); changes.removeFirst(); curvatures.removeFirst() }
            }
            let decrease = value - next.value
            (x, value, gradient) = (next.x, next.value, next.gradient)
            if decrease <= 1e-9 * max(abs(value), abs(value + decrease), 1) { break }
        }
        return (x, value, iterations)
    }

    /// H g for the L-BFGS inverse-Hessian estimate H built from the stored steps.
    static func twoLoop(_ gradient: [Double], _ steps: [[Double]], _ changes: [[Double]], _ curvatures: [Double]) -> [Double] {
        var q = gradient
        var weights = [Double](repeating: 0, count: steps.count)
        for m in stride(from: steps.count - 1, through: 0, by: -1) {
            weights[m] = zip(steps[m], q).reduce(0) { $0 + $1.0 * $1.1 } / curvatures[m]
            for i in q.indices { q[i] -= weights[m] * changes[m][i] }
        }
        if let last = changes.last {
            let gamma = curvatures[curvatures.count - 1] / last.reduce(0) { $0 + $1 * $1 }
            for i in q.indices { q[i] *= gamma }
        }
        for m in steps.indices {
            let beta = zip(changes[m], q).reduce(0) { $0 + $1.0 * $1.1 } / curvatures[m]
            for i in q.indices { q[i] += (weights[m] - beta) * steps[m][i] }
        }
        return q
    }
}
