import Foundation

/// A Gaussian-process regression model on points in [0, 1]^d with a Matérn 5/2 kernel, one
/// length scale per dimension (ARD), an amplitude and a noise variance, all fitted by
/// maximising the log marginal likelihood: a grid over a shared length scale and the noise,
/// then rounds of multiplicative steps per hyperparameter. Targets should be standardised
/// (mean 0, variance 1) by the caller. Linear algebra is a plain-Swift Cholesky factorisation:
/// the matrices are trials × trials, small.
struct GaussianProcess {
    let x: [[Double]]
    let lengthScales: [Double]
    let amplitude: Double
    let noise: Double
    /// Lower Cholesky factor of K + noise·I, row-major n × n.
    private let factor: [Double]
    /// (K + noise·I)⁻¹ y.
    private let alpha: [Double]
    /// The log marginal likelihood of the targets under these hyperparameters.
    let logLikelihood: Double

    /// The model with the given hyperparameters, or nil when the kernel matrix is not
    /// positive definite with them.
    init?(x: [[Double]], y: [Double], lengthScales: [Double], amplitude: Double, noise: Double) {
        let n = x.count
        var k = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let v = Self.matern52(x[i], x[j], lengthScales) * amplitude
                k[i * n + j] = v
                k[j * n + i] = v
            }
            k[i * n + i] += noise
        }
        guard let l = Self.cholesky(k, n) else { return nil }
        let a = Self.solveUpper(l, n, Self.solveLower(l, n, y))
        var logDet = 0.0
        for i in 0..<n { logDet += log(l[i * n + i]) }
        let fit = zip(y, a).reduce(0) { $0 + $1.0 * $1.1 }
        self.x = x
        self.lengthScales = lengthScales
        self.amplitude = amplitude
        self.noise = noise
        factor = l
        alpha = a
        logLikelihood = -0.5 * fit - logDet - 0.5 * Double(n) * log(2 * .pi)
    }

    /// The model whose hyperparameters maximise the marginal likelihood of `y` at `x`.
    static func fit(x: [[Double]], y: [Double]) -> GaussianProcess? {
        let d = x.first?.count ?? 0
        var best: GaussianProcess?
        func consider(_ scales: [Double], _ amplitude: Double, _ noise: Double) {
            let scales = scales.map { min(max($0, 0.01), 20) }
            let noise = min(max(noise, 1e-6), 1), amplitude = min(max(amplitude, 0.05), 20)
            guard let model = GaussianProcess(x: x, y: y, lengthScales: scales, amplitude: amplitude, noise: noise) else { return }
            if best == nil || model.logLikelihood > best!.logLikelihood { best = model }
        }
        for scale in [0.05, 0.1, 0.2, 0.35, 0.6, 1.0, 2.0] {
            for noise in [1e-6, 1e-4, 1e-2, 0.1] { consider([Double](repeating: scale, count: d), 1, noise) }
        }
        for _ in 0..<2 {
            for factor in [0.5, 0.75, 1.33, 2.0] {
                for dimension in 0..<d {
                    guard let current = best else { return nil }
                    var scales = current.lengthScales
                    scales[dimension] *= factor
                    consider(scales, current.amplitude, current.noise)
                }
                if let current = best {
                    consider(current.lengthScales, current.amplitude * factor, current.noise)
                    consider(current.lengthScales, current.amplitude, current.noise * factor * factor)
                }
            }
        }
        return best
    }

    /// The posterior mean and variance at `point`.
    func predict(_ point: [Double]) -> (mean: Double, variance: Double) {
        let n = x.count
        let kStar = x.map { Self.matern52($0, point, lengthScales) * amplitude }
        let mean = zip(kStar, alpha).reduce(0) { $0 + $1.0 * $1.1 }
        let v = Self.solveLower(factor, n, kStar)
        let variance = amplitude - v.reduce(0) { $0 + $1 * $1 }
        return (mean, max(variance, 1e-12))
    }

    /// Expected improvement below `best` (targets are minimised).
    func expectedImprovement(_ point: [Double], best: Double) -> Double {
        let (mean, variance) = predict(point)
        let sigma = variance.squareRoot()
        let z = (best - mean) / sigma
        let cdf = 0.5 * erfc(-z / 2.squareRoot()), pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
        return sigma * (z * cdf + pdf)
    }

    /// log EI, accurate also far below the best, where EI underflows: for z < -6 it uses
    /// z Φ(z) + φ(z) ≈ φ(z) / z² (the first term of the asymptotic series).
    func logExpectedImprovement(_ point: [Double], best: Double) -> Double {
        let (mean, variance) = predict(point)
        let sigma = variance.squareRoot()
        let z = (best - mean) / sigma
        if z > -6 {
            let cdf = 0.5 * erfc(-z / 2.squareRoot()), pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            return log(sigma) + log(max(z * cdf + pdf, 1e-300))
        }
        return log(sigma) - 0.5 * z * z - 0.5 * log(2 * Double.pi) - 2 * log(-z)
    }

    static func matern52(_ a: [Double], _ b: [Double], _ scales: [Double]) -> Double {
        var r2 = 0.0
        for i in a.indices {
            let t = (a[i] - b[i]) / scales[i]
            r2 += t * t
        }
        let r = (5 * r2).squareRoot()
        return (1 + r + r * r / 3) * exp(-r)
    }

    /// The lower factor L of a symmetric positive-definite n × n matrix (L Lᵀ = a), or nil.
    static func cholesky(_ a: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = a[j * n + j]
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            guard diagonal > 0, diagonal.isFinite else { return nil }
            let root = diagonal.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(n, j + 1) {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        return l
    }

    /// Solves L z = b for lower-triangular L.
    static func solveLower(_ l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var z = b
        for i in 0..<n {
            var s = z[i]
            for k in 0..<i { s -= l[i * n + k] * z[k] }
            z[i] = s / l[i * n + i]
        }
        return z
    }

    /// Solves Lᵀ z = b for lower-triangular L.
    static func solveUpper(_ l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var z = b
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * z[k] }
            z[i] = s / l[i * n + i]
        }
        return z
    }
}
