import Foundation
import LeptonNN
import LeptonTensor

/// Bayesian optimisation with a Gaussian process and log expected improvement, for small
/// spaces — Optuna 5's `GPSampler`, in plain Swift.
///
/// After `startupTrials` random trials, each trial: the parameters become numbers in [0, 1]
/// (see `Encoding`: a choice one 0/1 number per option, a parameter that does not exist in a
/// trial at 0.5), the losses are standardised, and a ``GaussianProcess`` (Matérn 5/2, ARD) is
/// fitted — the MAP estimate under ``GaussianProcessPrior`` by L-BFGS, warm-started from this
/// sampler's previous fit. Then log EI (``LogExpectedImprovement``) is scored at `candidates`
/// points of a scrambled Sobol sequence (``SobolSequence``, as Optuna's); the best of them,
/// `localSearches − 2` more drawn with probability ∝ EI (Optuna's roulette) and the best trial
/// so far start gradient-based local searches (`AcquisitionOptimizer`), and the best point
/// reached is the next trial.
///
/// Trials that are not complete are left out of the model; at most the `maximumObservations`
/// best trials are used (the kernel matrix grows as the square of them). The warm start makes a
/// sampler object's proposals depend on the trials it saw before (as Optuna's): a fresh sampler
/// with the same seed, replaying the same study, proposes the same trials.
public struct GPSampler: Sampler {
    /// The seed of every trial's random sequence.
    public let seed: UInt64
    /// Random trials before the model is used.
    public let startupTrials: Int
    /// Random points scored before the local searches.
    public let candidates: Int
    /// Local searches of the acquisition per trial.
    public let localSearches: Int
    /// The most trials (the best ones) the model is fitted to.
    public let maximumObservations: Int
    private let memory = FitMemory()

    /// - Parameters:
    ///   - startupTrials: random trials before the model is used (Optuna's `n_startup_trials`).
    ///   - candidates: random points scored before the local searches (Optuna's `n_preliminary_samples`).
    ///   - localSearches: local searches per trial (Optuna's `n_local_search`), at least 2.
    ///   - maximumObservations: the most trials (the best ones) the model is fitted to.
    public init(seed: UInt64 = 0, startupTrials: Int = 10, candidates: Int = 2048, localSearches: Int = 10, maximumObservations: Int = 300) {
        self.seed = seed
        self.startupTrials = max(startupTrials, 1)
        self.candidates = max(candidates, 1)
        self.localSearches = max(localSearches, 2)
        self.maximumObservations = max(maximumObservations, 2)
    }

    public func sample(space: SearchSpace, trials: [FrozenTrial], direction: StudyDirection, number: Int) -> [String: ConfigValue] {
        var rng = Self.rng(seed: seed, trial: number)
        var complete = trials.filter { $0.state == .complete && $0.value?.isFinite == true }
        guard complete.count >= startupTrials else { return space.sample(using: &rng) }
        if complete.count > maximumObservations {
            complete = Array(complete.sorted { direction.loss($0.value!) < direction.loss($1.value!) }.prefix(maximumObservations))
        }
        let encoding = Encoding(space)
        let x = complete.map { encoding.encode($0.params) }
        let losses = complete.map { direction.loss($0.value!) }
        let mean = losses.reduce(0, +) / Double(losses.count)
        let spread = max((losses.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(losses.count)).squareRoot(), 1e-10)
        let y = losses.map { ($0 - mean) / spread }
        guard let model = GaussianProcess.fit(x: x, y: y, start: memory.last) else { return space.sample(using: &rng) }
        memory.last = model.hyperparameters
        let best = y.indices.min { y[$0] < y[$1] }!
        let optimizer = AcquisitionOptimizer(model: model, best: y[best], encoding: encoding)

        let points = candidatePoints(space, encoding, using: &rng)
        let scores = points.map(optimizer.score)
        let starts = rouletteStarts(scores, using: &rng).map { points[$0] } + [x[best]]
        return encoding.decode(optimizer.maximize(from: starts).x)
    }

    /// `candidates` points spread over the space by a scrambled Sobol sequence (Optuna's
    /// preliminary samples); drawn at random in a space of more parameters than the Sobol
    /// table has dimensions.
    private func candidatePoints(_ space: SearchSpace, _ encoding: Encoding, using rng: inout RandomGenerator) -> [[Double]] {
        guard space.parameters.count <= SobolSequence.maximumDimensions else {
            return (0..<candidates).map { _ in encoding.encode(space.sample(using: &rng)) }
        }
        var sobol = SobolSequence(dimensions: space.parameters.count, scramblingWith: &rng)
        return (0..<candidates).map { _ in encoding.encode(space.point(atUnit: sobol.next())) }
    }

    /// The best-scoring candidate and up to `localSearches − 2` others drawn without
    /// replacement with probability ∝ exp(score − best score).
    private func rouletteStarts(_ scores: [Double], using rng: inout RandomGenerator) -> [Int] {
        let top = scores.indices.max { scores[$0] < scores[$1] }!
        var weights = scores.map { $0.isFinite ? exp($0 - scores[top]) : 0 }
        weights[top] = 0
        var chosen = [top]
        for _ in 0..<(localSearches - 2) {
            let total = weights.reduce(0, +)
            guard total > 0 else { break }
            var target = Double.random(in: 0..<total, using: &rng), pick = weights.count - 1
            for (i, w) in weights.enumerated() where w > 0 {
                if target < w { pick = i; break }
                target -= w
            }
            guard weights[pick] > 0 else { break }
            chosen.append(pick)
            weights[pick] = 0
        }
        return chosen
    }
}

/// The last hyperparameters a ``GPSampler`` fitted, to warm-start the next fit (shared by the
/// copies of one sampler; locked, as parallel workers may sample at once).
final class FitMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: GaussianProcess.Hyperparameters?

    var last: GaussianProcess.Hyperparameters? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
