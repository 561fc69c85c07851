import Foundation

/// Gaussian-process regression on points in [0, 1]^d (Optuna's `GPRegressor`): a Matérn 5/2
/// kernel with one inverse squared length scale per dimension (ARD), a kernel scale and a
/// noise variance. Targets should be standardised (mean 0, variance 1) by the caller.
///
/// The kernel of two points is `scale · m(r²)` with `r² = Σ_k ρ_k (a_k − b_k)²` and
/// `m(r²) = (1 + √(5r²) + 5r²/3) e^{−√(5r²)}`. ``fit(x:y:start:)`` chooses the
/// hyperparameters (maximum a posteriori under ``GaussianProcessPrior``); ``predict(_:)``
/// gives the posterior at a point and ``predictWithGradient(_:)`` its derivatives too.
///
/// ```swift
/// let model = GaussianProcess.fit(x: [[0.1], [0.5], [0.9]], y: [1, -1, 0.5])!
/// let (mean, variance) = model.predict([0.4])
/// ```
public struct GaussianProcess: Sendable {
    /// The observed points, each in [0, 1]^d.
    public let x: [[Double]]
    /// The observed (standardised) targets.
    public let y: [Double]
    /// The kernel's hyperparameters.
    public let hyperparameters: Hyperparameters
    /// Lower Cholesky factor of K + noise·I, row-major n × n.
    let factor: [Double]
    /// (K + noise·I)⁻¹, row-major n × n.
    let inverse: [Double]
    /// (K + noise·I)⁻¹ y.
    let alpha: [Double]

    /// The model with the given hyperparameters, or nil when the kernel matrix with them is not
    /// positive definite (or the points have different dimensions).
    public init?(x: [[Double]], y: [Double], hyperparameters: Hyperparameters) {
        let n = x.count
        guard n == y.count, x.allSatisfy({ $0.count == hyperparameters.inverseSquaredLengthScales.count }) else { return nil }
        var c = Self.kernelMatrix(x, hyperparameters).values
        for i in 0..<n { c[i * n + i] += hyperparameters.noiseVariance }
        guard let l = Cholesky.factor(c, n) else { return nil }
        self.x = x
        self.y = y
        self.hyperparameters = hyperparameters
        factor = l
        inverse = Cholesky.inverse(l, n)
        alpha = Cholesky.solveUpper(l, n, Cholesky.solveLower(l, n, y))
    }

    /// The kernel matrix K (row-major n × n, without noise) and, per pair, m′(r²) — the
    /// derivative of the Matérn function with respect to the squared distance.
    static func kernelMatrix(_ x: [[Double]], _ h: Hyperparameters) -> (values: [Double], slopes: [Double]) {
        let n = x.count
        var k = [Double](repeating: 0, count: n * n), slopes = k
        for i in 0..<n {
            for j in 0...i {
                let (m, slope) = matern52(squaredDistance(x[i], x[j], h.inverseSquaredLengthScales))
                k[i * n + j] = h.kernelScale * m
                k[j * n + i] = k[i * n + j]
                slopes[i * n + j] = slope
                slopes[j * n + i] = slope
            }
        }
        return (k, slopes)
    }

    /// The posterior mean and variance at `point` (the variance is at least 0).
    public func predict(_ point: [Double]) -> (mean: Double, variance: Double) {
        let kStar = x.map { Self.matern52(Self.squaredDistance($0, point, hyperparameters.inverseSquaredLengthScales)).value * hyperparameters.kernelScale }
        let mean = zip(kStar, alpha).reduce(0) { $0 + $1.0 * $1.1 }
        let v = Cholesky.solveLower(factor, x.count, kStar)
        let variance = hyperparameters.kernelScale - v.reduce(0) { $0 + $1 * $1 }
        return (mean, max(variance, 0))
    }

    /// The posterior mean and variance at `point` and their gradients with respect to it.
    /// Where the variance is clamped at 0 its gradient is 0.
    public func predictWithGradient(_ point: [Double]) -> (mean: Double, variance: Double, meanGradient: [Double], varianceGradient: [Double]) {
        let n = x.count, d = point.count
        let rho = hyperparameters.inverseSquaredLengthScales, scale = hyperparameters.kernelScale
        var kStar = [Double](repeating: 0, count: n), slopes = kStar
        for i in 0..<n {
            let (m, slope) = Self.matern52(Self.squaredDistance(x[i], point, rho))
            kStar[i] = scale * m
            slopes[i] = scale * slope
        }
        // v = C⁻¹ k*, variance = scale − k*ᵀ v.
        var v = [Double](repeating: 0, count: n)
        inverse.withUnsafeBufferPointer { c in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += c[i * n + j] * kStar[j] }
                v[i] = s
            }
        }
        var mean = 0.0, explained = 0.0
        for i in 0..<n {
            mean += kStar[i] * alpha[i]
            explained += kStar[i] * v[i]
        }
        let rawVariance = scale - explained
        // ∂k*_i/∂point_k = scale · m′(r²_i) · 2 ρ_k (point_k − x_ik).
        var meanGradient = [Double](repeating: 0, count: d), varianceGradient = meanGradient
        for i in 0..<n {
            let a = slopes[i] * alpha[i], b = -2 * slopes[i] * v[i]
            for k in 0..<d {
                let dk = 2 * rho[k] * (point[k] - x[i][k])
                meanGradient[k] += a * dk
                varianceGradient[k] += b * dk
            }
        }
        if rawVariance <= 0 { return (mean, 0, meanGradient, [Double](repeating: 0, count: d)) }
        return (mean, rawVariance, meanGradient, varianceGradient)
    }

    static func squaredDistance(_ a: [Double], _ b: [Double], _ rho: [Double]) -> Double {
        var r2 = 0.0
        for i in a.indices {
            let t = a[i] - b[i]
            r2 += rho[i] * t * t
        }
        return r2
    }

    /// The Matérn 5/2 function of the squared distance and its derivative with respect to it,
    /// −5/6 (1 + √(5r²)) e^{−√(5r²)} (finite at r² = 0, unlike the derivative in r).
    static func matern52(_ r2: Double) -> (value: Double, slope: Double) {
        let r = (5 * r2).squareRoot(), e = exp(-r)
        return ((1 + r + 5 * r2 / 3) * e, -5.0 / 6 * (1 + r) * e)
    }
}

extension GaussianProcess {
    /// The hyperparameters of a ``GaussianProcess``.
    public struct Hyperparameters: Sendable, Equatable {
        /// ρ_k = 1 / ℓ_k², one per dimension.
        public var inverseSquaredLengthScales: [Double]
        /// The kernel's value at distance 0 (the prior variance of the function).
        public var kernelScale: Double
        /// The variance of the observation noise.
        public var noiseVariance: Double

        /// Hyperparameters with the given values.
        public init(inverseSquaredLengthScales: [Double], kernelScale: Double, noiseVariance: Double) {
            self.inverseSquaredLengthScales = inverseSquaredLengthScales
            self.kernelScale = kernelScale
            self.noiseVariance = noiseVariance
        }

        /// Optuna's starting point: every ρ, the scale and the noise 1.
        public static func initial(dimensions: Int) -> Hyperparameters {
            Hyperparameters(inverseSquaredLengthScales: [Double](repeating: 1, count: dimensions), kernelScale: 1, noiseVariance: 1)
        }

        /// From the unconstrained parameters the fit works on: log ρ_1…log ρ_d, log scale,
        /// log(noise − ``GaussianProcess/minimumNoise``).
        public init(raw: [Double]) {
            let d = raw.count - 2
            self.init(inverseSquaredLengthScales: raw.prefix(d).map { exp($0) }, kernelScale: exp(raw[d]),
                      noiseVariance: exp(raw[d + 1]) + GaussianProcess.minimumNoise)
        }

        /// The unconstrained parameters (see ``init(raw:)``).
        public var raw: [Double] {
            inverseSquaredLengthScales.map { log($0) } + [log(kernelScale), log(max(noiseVariance - GaussianProcess.minimumNoise, 1e-300))]
        }

        /// The length scales ℓ_k = 1 / √ρ_k.
        public var lengthScales: [Double] { inverseSquaredLengthScales.map { 1 / $0.squareRoot() } }
    }
}
