import Foundation
import LeptonTune
import Testing

/// The Gaussian process of ``GPSampler`` against Optuna 5.0.0's `optuna._gp` (values computed
/// once with Optuna 5.0.0, torch 2.13, by building `GPRegressor` with the same points, targets
/// and hyperparameters and calling `marginal_log_likelihood`, `posterior`, `acqf.logei` and
/// `prior.default_log_prior`), and its gradients against central finite differences.
@Suite struct GaussianProcessTests {
    static let x = [[0.1, 0.2], [0.5, 0.9], [0.8, 0.3], [0.35, 0.6]]
    static let y = [1.0, -0.5, 0.3, -0.8]
    static let hyperparameters = GaussianProcess.Hyperparameters(inverseSquaredLengthScales: [3, 0.5], kernelScale: 1.3, noiseVariance: 0.01)

    static func expectGradient(_ analytic: [Double], at point: [Double], step: Double = 1e-6, tolerance: Double = 1e-5,
                               _ what: String, _ f: ([Double]) -> Double) {
        for k in point.indices {
            var up = point, down = point
            up[k] += step
            down[k] -= step
            let numeric = (f(up) - f(down)) / (2 * step)
            #expect(abs(numeric - analytic[k]) <= tolerance * max(1, abs(numeric)), "\(what) ∂/∂\(k): analytic \(analytic[k]), numeric \(numeric)")
        }
    }

    @Test func priorMatchesOptuna() {
        let cases: [(GaussianProcess.Hyperparameters, Double)] = [
            (.init(inverseSquaredLengthScales: [1, 1], kernelScale: 1, noiseVariance: 1), -31.4),
            (.init(inverseSquaredLengthScales: [0.3, 4, 12], kernelScale: 0.7, noiseVariance: 1e-3), -3.774117138503614),
            (.init(inverseSquaredLengthScales: [50], kernelScale: 2.5, noiseVariance: 1.1e-5), -7.727800796642436),
        ]
        for (h, expected) in cases {
            #expect(abs(GaussianProcessPrior.logDensity(h) - expected) < 1e-9, "\(h): \(GaussianProcessPrior.logDensity(h)) vs Optuna's \(expected)")
        }
    }

    @Test func likelihoodPosteriorAndLogEIMatchOptuna() throws {
        let likelihood = try #require(GaussianProcess.logMarginalLikelihood(x: Self.x, y: Self.y, raw: Self.hyperparameters.raw))
        #expect(abs(likelihood.value - -4.4684567651826725) < 1e-9, "\(likelihood.value)")
        // Optuna maximises: its logEI(mean, var, f0 = 0.8) is ours with the targets negated, best −0.8.
        let model = try #require(GaussianProcess(x: Self.x, y: Self.y.map { -$0 }, hyperparameters: Self.hyperparameters))
        let (mean, variance) = model.predict([0.4, 0.5])
        #expect(abs(mean - 0.6684841670681507) < 1e-9 && abs(variance - 0.024347608565460366) < 1e-9, "\(mean) \(variance)")
        let logEI = LogExpectedImprovement.value(model, at: [0.4, 0.5], best: -0.8)
        #expect(abs(logEI - -51.577555318416465) < 1e-7, "\(logEI)")
    }

    @Test func likelihoodAndPriorGradientsMatchFiniteDifferences() throws {
        for raw in [Self.hyperparameters.raw, [0.4, -1.2, -0.3, -2.5], [2.0, 1.0, 0.5, -9.0]] {
            let (_, gradient) = try #require(GaussianProcess.logMarginalLikelihood(x: Self.x, y: Self.y, raw: raw))
            Self.expectGradient(gradient, at: raw, "log likelihood") { GaussianProcess.logMarginalLikelihood(x: Self.x, y: Self.y, raw: $0)!.value }
            Self.expectGradient(GaussianProcessPrior.logDensityAndGradient(raw: raw).gradient, at: raw, "log prior") {
                GaussianProcessPrior.logDensityAndGradient(raw: $0).value
            }
        }
    }

    @Test func logEIGradientMatchesFiniteDifferences() throws {
        let model = try #require(GaussianProcess(x: Self.x, y: Self.y, hyperparameters: Self.hyperparameters))
        // Near the best, moderately far from it (z ≈ −10) and far beyond (z < −25, the series).
        for (point, best) in [([0.3, 0.7], -0.8), ([0.9, 0.1], -0.8), ([0.6, 0.4], -3.0), ([0.2, 0.25], -6.0)] {
            let (value, gradient) = LogExpectedImprovement.valueAndGradient(model, at: point, best: best)
            #expect(abs(value - LogExpectedImprovement.value(model, at: point, best: best)) < 1e-9 * max(1, abs(value)))
            Self.expectGradient(gradient, at: point, tolerance: 1e-4, "log EI at \(point), best \(best)") {
                LogExpectedImprovement.value(model, at: $0, best: best)
            }
        }
    }

    /// log h(z) is continuous where it switches to the asymptotic series.
    @Test func logEIIsSmoothAcrossTheSeriesSwitch() {
        let below = LogExpectedImprovement.logH(-25.000001), above = LogExpectedImprovement.logH(-24.999999)
        #expect(abs(below.value - above.value) < 1e-4 && abs(below.slope - above.slope) < 1e-3, "\(below) \(above)")
        #expect(LogExpectedImprovement.logH(-1e4).value.isFinite)
    }

    @Test func theFitRaisesTheMAPObjectiveAndIsDeterministic() throws {
        let x = (0..<20).map { i in [Double(i) / 19, Double((i * 7) % 20) / 19] }
        let y0 = x.map { sin(6 * $0[0]) + 0.1 * $0[1] }
        let mean = y0.reduce(0, +) / 20, spread = (y0.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20).squareRoot()
        let y = y0.map { ($0 - mean) / spread }
        func objective(_ h: GaussianProcess.Hyperparameters) -> Double {
            GaussianProcess.logMarginalLikelihood(x: x, y: y, raw: h.raw)!.value + GaussianProcessPrior.logDensity(h)
        }
        let model = try #require(GaussianProcess.fit(x: x, y: y))
        let initial = GaussianProcess.Hyperparameters.initial(dimensions: 2)
        #expect(objective(model.hyperparameters) > objective(initial) + 1)
        // The first dimension matters, the second little: a shorter length scale for it.
        #expect(model.hyperparameters.inverseSquaredLengthScales[0] > model.hyperparameters.inverseSquaredLengthScales[1])
        #expect(GaussianProcess.fit(x: x, y: y)!.hyperparameters == model.hyperparameters)
        // At the MAP estimate the gradient is nearly zero.
        let raw = model.hyperparameters.raw
        let g = GaussianProcess.logMarginalLikelihood(x: x, y: y, raw: raw)!.gradient
        let p = GaussianProcessPrior.logDensityAndGradient(raw: raw).gradient
        #expect(zip(g, p).allSatisfy { abs($0 + $1) < 0.05 }, "\(zip(g, p).map { $0 + $1 })")
    }

    @Test func boundedLBFGSFindsMinimaInsideAndOnTheBox() throws {
        // Rosenbrock in 2D, unconstrained minimum (1, 1) inside the box.
        let rosenbrock: ([Double]) -> (value: Double, gradient: [Double])? = { p in
            let (a, b) = (p[0], p[1])
            return (100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a), [-400 * a * (b - a * a) - 2 * (1 - a), 200 * (b - a * a)])
        }
        let inside = try #require(BoundedLBFGS.minimize(start: [-1.2, 1], lower: [-2, -2], upper: [2, 2], gradientTolerance: 1e-8, maximumIterations: 500, rosenbrock))
        #expect(abs(inside.x[0] - 1) < 1e-4 && abs(inside.x[1] - 1) < 1e-4, "\(inside)")
        // With b ≤ 0.5 the minimum is on the bound b = 0.5, a = √0.5-ish.
        let bounded = try #require(BoundedLBFGS.minimize(start: [0, 0], lower: [-2, -2], upper: [2, 0.5], gradientTolerance: 1e-8, maximumIterations: 500, rosenbrock))
        #expect(bounded.x[1] == 0.5 && bounded.value < rosenbrock([0.7, 0.5])!.value, "\(bounded)")
    }
}
