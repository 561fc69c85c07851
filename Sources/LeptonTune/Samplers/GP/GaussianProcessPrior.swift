import Foundation

/// The prior on a ``GaussianProcess``'s hyperparameters (Optuna 5's `default_log_prior`, whose
/// authors picked it by heuristics): per dimension `−(0.1/ρ + 0.1ρ)` on the inverse squared
/// length scale ρ, which keeps length scales near 1 unless the data insist; Gamma(2, 1) on the
/// kernel scale; Gamma(1.1, 30) on the noise variance, which favours little noise. Log densities
/// are up to a constant (the Gamma normalisers are left out, as in Optuna).
public enum GaussianProcessPrior {
    /// The log prior density of `hyperparameters` (up to a constant).
    public static func logDensity(_ hyperparameters: GaussianProcess.Hyperparameters) -> Double {
        logDensityAndGradient(raw: hyperparameters.raw).value
    }

    /// The log prior density at the unconstrained parameters `raw` (see
    /// ``GaussianProcess/Hyperparameters/init(raw:)``) and its gradient with respect to them.
    public static func logDensityAndGradient(raw: [Double]) -> (value: Double, gradient: [Double]) {
        let d = raw.count - 2
        var value = 0.0, gradient = [Double](repeating: 0, count: raw.count)
        for k in 0..<d {
            let rho = exp(raw[k])
            value -= 0.1 / rho + 0.1 * rho
            gradient[k] = 0.1 / rho - 0.1 * rho
        }
        let scale = exp(raw[d])
        value += gammaLogDensity(scale, concentration: 2, rate: 1)
        gradient[d] = (2 - 1) - scale
        let excess = exp(raw[d + 1]), noise = excess + GaussianProcess.minimumNoise
        value += gammaLogDensity(noise, concentration: 1.1, rate: 30)
        gradient[d + 1] = ((1.1 - 1) / noise - 30) * excess
        return (value, gradient)
    }

    /// `(concentration − 1) log x − rate · x`: a Gamma log density without its normaliser.
    static func gammaLogDensity(_ x: Double, concentration: Double, rate: Double) -> Double {
        (concentration - 1) * log(x) - rate * x
    }
}
