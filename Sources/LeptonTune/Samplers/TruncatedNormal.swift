import Foundation
import LeptonTensor

/// The normal distribution truncated to an interval, as the Parzen estimator's kernels use it
/// (Optuna's `_truncnorm`): log masses computed in log space, so that kernels far in each
/// other's tails still compare (a cell 40 bandwidths from the kernel's centre has a mass
/// below the smallest double, but a finite log mass).
enum TruncatedNormal {
    /// log Φ(z), the standard normal's log CDF; an asymptotic series far in the left tail.
    static func logCDF(_ z: Double) -> Double {
        if z > -20 { return log(0.5 * erfc(-z / 2.squareRoot())) }
        let z2 = z * z
        let series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2)
        return -0.5 * z2 - log(-z) - 0.5 * log(2 * .pi) + log(series)
    }

    /// log(Φ(b) − Φ(a)) for a ≤ b: the log mass of the standard normal on [a, b] (−∞ when a = b).
    static func logMass(_ a: Double, _ b: Double) -> Double {
        guard a < b else { return -.infinity }
        if a >= 0 { return logMass(-b, -a) }
        if b <= 0 {
            let la = logCDF(a), lb = logCDF(b)
            return lb + log1p(-exp(la - lb))
        }
        // a < 0 < b: one minus both tails.
        let tails = 0.5 * erfc(-a / 2.squareRoot()) + 0.5 * erfc(b / 2.squareRoot())
        return log1p(-tails)
    }

    /// A draw from N(mu, sigma²) truncated to [low, high] (mu inside it), by rejection: the
    /// Parzen estimator's kernels keep at least a third of their mass in the range (their
    /// centre is in it and their bandwidth at most its width), so 100 tries all fail with
    /// probability below 10⁻¹⁷; a uniform draw stands in then.
    static func sample(mu: Double, sigma: Double, low: Double, high: Double, using rng: inout RandomGenerator) -> Double {
        for _ in 0..<100 {
            let candidate = mu + sigma * standardNormal(using: &rng)
            if candidate >= low, candidate <= high { return candidate }
        }
        return Double.random(in: low..<high, using: &rng)
    }

    static func standardNormal(using rng: inout RandomGenerator) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
