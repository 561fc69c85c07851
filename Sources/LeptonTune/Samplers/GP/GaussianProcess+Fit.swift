import Foundation

extension GaussianProcess {
    /// The smallest noise variance a fit allows (Optuna's `DEFAULT_MINIMUM_NOISE_VAR`): the
    /// noise is `minimumNoise + e^raw`, which keeps the kernel matrix well conditioned.
    public static let minimumNoise = 1e-6

    /// The log marginal likelihood of `y` at `x` under the hyperparameters `raw` (see
    /// ``Hyperparameters/init(raw:)``), without the constant −n/2 log 2π (as Optuna), and its
    /// gradient with respect to `raw`; nil when the kernel matrix is not positive definite.
    ///
    /// With C = K + noise·I, α = C⁻¹y and W = ααᵀ − C⁻¹, the value is −½ yᵀα − Σ log L_ii and
    /// ∂/∂θ = ½ Σ_ij W_ij ∂C_ij/∂θ, where ∂C_ij/∂log ρ_k = scale · m′(r²_ij) · ρ_k (x_ik − x_jk)²,
    /// ∂C/∂log scale = K and ∂C/∂raw noise = (noise − minimumNoise) I.
    public static func logMarginalLikelihood(x: [[Double]], y: [Double], raw: [Double]) -> (value: Double, gradient: [Double])? {
        let hyperparameters = Hyperparameters(raw: raw)
        guard raw.allSatisfy(\.isFinite), let model = GaussianProcess(x: x, y: y, hyperparameters: hyperparameters) else { return nil }
        let n = x.count, d = raw.count - 2
        var logDeterminantHalf = 0.0
        for i in 0..<n { logDeterminantHalf += log(model.factor[i * n + i]) }
        let fit = zip(y, model.alpha).reduce(0) { $0 + $1.0 * $1.1 }
        let value = -0.5 * fit - logDeterminantHalf

        let (k, slopes) = kernelMatrix(x, hyperparameters)
        let alpha = model.alpha, rho = hyperparameters.inverseSquaredLengthScales, scale = hyperparameters.kernelScale
        var gradient = [Double](repeating: 0, count: raw.count)
        var lengthTerms = [Double](repeating: 0, count: d)
        var scaleTerm = 0.0, trace = 0.0
        model.inverse.withUnsafeBufferPointer { c in
            for i in 0..<n {
                trace += alpha[i] * alpha[i] - c[i * n + i]
                scaleTerm += (alpha[i] * alpha[i] - c[i * n + i]) * k[i * n + i]
                for j in 0..<i {
                    // Off-diagonal pairs count twice (W and ∂C are symmetric).
                    let w = 2 * (alpha[i] * alpha[j] - c[i * n + j])
                    scaleTerm += w * k[i * n + j]
                    let ws = w * scale * slopes[i * n + j]
                    for m in 0..<d {
                        let t = x[i][m] - x[j][m]
                        lengthTerms[m] += ws * t * t
                    }
                }
            }
        }
        for m in 0..<d { gradient[m] = 0.5 * lengthTerms[m] * rho[m] }
        gradient[d] = 0.5 * scaleTerm
        gradient[d + 1] = 0.5 * trace * (hyperparameters.noiseVariance - minimumNoise)
        return (value, gradient)
    }

    /// The model whose hyperparameters maximise the log marginal likelihood of `y` at `x` plus
    /// the log prior (``GaussianProcessPrior``) — a MAP estimate, by L-BFGS on the log
    /// hyperparameters from `start` (a previous fit's, to warm-start) and, if that fails, from
    /// ``Hyperparameters/initial(dimensions:)``. Nil only when no start gives a positive-definite
    /// kernel matrix.
    public static func fit(x: [[Double]], y: [Double], start: Hyperparameters? = nil) -> GaussianProcess? {
        let d = x.first?.count ?? 0
        var starts = [Hyperparameters.initial(dimensions: d)]
        if let start, start.inverseSquaredLengthScales.count == d { starts.insert(start, at: 0) }
        for start in starts {
            let result = BoundedLBFGS.minimize(start: start.raw, lower: [Double](repeating: -25, count: d + 2),
                                               upper: [Double](repeating: 25, count: d + 2), gradientTolerance: 1e-2, maximumIterations: 200) { raw in
                guard let (likelihood, gradient) = logMarginalLikelihood(x: x, y: y, raw: raw) else { return nil }
                let prior = GaussianProcessPrior.logDensityAndGradient(raw: raw)
                return (-(likelihood + prior.value), zip(gradient, prior.gradient).map { -($0 + $1) })
            }
            if let result, let model = GaussianProcess(x: x, y: y, hyperparameters: Hyperparameters(raw: result.x)) { return model }
        }
        return nil
    }
}
