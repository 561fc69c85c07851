import Foundation

/// The logarithm of expected improvement below the best target so far (targets minimised), the
/// acquisition function of ``GPSampler`` (Optuna's `LogEI`, after Ament et al. 2023,
/// "Unexpected Improvements to Expected Improvement"), with its gradient in the point.
///
/// With posterior mean μ, standard deviation σ (variance + 1e-12, as Optuna) and
/// z = (best − μ)/σ, EI = σ h(z) where h(z) = z Φ(z) + φ(z). Far below the best (z < −25), where
/// h's two terms cancel, h and Φ come from their asymptotic series in 1/z², so log EI stays
/// finite and smooth where EI itself underflows.
public enum LogExpectedImprovement {
    /// log h(z) and its derivative d log h / dz = Φ(z) / h(z).
    public static func logH(_ z: Double) -> (value: Double, slope: Double) {
        if z > -25 {
            let cdf = 0.5 * erfc(-z / 2.squareRoot()), pdf = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            let h = z * cdf + pdf
            return (log(h), cdf / h)
        }
        // h(z) = φ(z)/z² (1 − 3/z² + 15/z⁴ − 105/z⁶ + 945/z⁸ …),
        // Φ(z) = φ(z)/(−z) (1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸ …).
        let u = 1 / (z * z)
        let hSeries = 1 - u * (3 - u * (15 - u * (105 - u * 945)))
        let cdfSeries = 1 - u * (1 - u * (3 - u * (15 - u * 105)))
        let logPDF = -0.5 * z * z - 0.5 * log(2 * Double.pi)
        return (logPDF + log(u) + log(hSeries), -z * cdfSeries / hSeries)
    }

    /// log EI of `model` at `point` below `best`.
    public static func value(_ model: GaussianProcess, at point: [Double], best: Double) -> Double {
        let (mean, variance) = model.predict(point)
        let sigma = (variance + 1e-12).squareRoot()
        return log(sigma) + logH((best - mean) / sigma).value
    }

    /// log EI of `model` at `point` below `best`, and its gradient with respect to `point`.
    public static func valueAndGradient(_ model: GaussianProcess, at point: [Double], best: Double) -> (value: Double, gradient: [Double]) {
        let p = model.predictWithGradient(point)
        let sigma = (p.variance + 1e-12).squareRoot()
        let z = (best - p.mean) / sigma
        let (logh, slope) = logH(z)
        // d log EI = dσ/σ + slope · dz, dz = (−dμ − z dσ)/σ, dσ = dvar / (2σ).
        let gradient = (0..<point.count).map { k -> Double in
            let dSigma = p.varianceGradient[k] / (2 * sigma)
            return dSigma / sigma + slope * (-p.meanGradient[k] - z * dSigma) / sigma
        }
        return (log(sigma) + logh, gradient)
    }
}
