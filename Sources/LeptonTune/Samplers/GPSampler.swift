import Foundation
import LeptonNN
import LeptonTensor

/// Bayesian optimisation with a Gaussian process (``GaussianProcess``: Matérn 5/2, ARD,
/// hyperparameters by marginal likelihood) and expected improvement, for small spaces.
///
/// Each parameter becomes numbers in [0, 1]: a float or integer its position in its range (in
/// log space for log scales), a choice one 0/1 number per option; a parameter that does not
/// exist in a trial sits at 0.5 (numbers) or all zeros (choices). After `startupTrials` random
/// trials, `candidates` random points and `candidates / 2` points around the 5 best trials are
/// scored by expected improvement (its logarithm, which keeps ranking points far from the best
/// where EI itself underflows), and the best `refined` of them are improved by local random
/// steps of shrinking size. Trials that are not
/// complete are left out of the model; at most the `maximumObservations` best trials are used
/// (the kernel matrix grows as the square of them).
public struct GPSampler: Sampler {
    public let seed: UInt64
    public let startupTrials: Int
    public let candidates: Int
    public let refined: Int
    public let maximumObservations: Int

    public init(seed: UInt64 = 0, startupTrials: Int = 10, candidates: Int = 1000, refined: Int = 5, maximumObservations: Int = 300) {
        self.seed = seed
        self.startupTrials = max(startupTrials, 1)
        self.candidates = max(candidates, 1)
        self.refined = max(refined, 0)
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
        let spread = max((losses.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(losses.count)).squareRoot(), 1e-12)
        let y = losses.map { ($0 - mean) / spread }
        guard let model = GaussianProcess.fit(x: x, y: y) else { return space.sample(using: &rng) }
        let best = y.min()!
        var points = (0..<candidates).map { _ in encoding.encode(space.sample(using: &rng)) }
        // Also candidates around the best trials so far, where expected improvement usually peaks.
        for index in y.indices.sorted(by: { y[$0] < y[$1] }).prefix(5) {
            for _ in 0..<(candidates / 10) { points.append(jitter(x[index], 0.05, encoding, using: &rng)) }
        }
        var scored = points.map { (x: $0, ei: model.logExpectedImprovement($0, best: best)) }
        scored.sort { $0.ei > $1.ei }
        var winner = scored[0]
        for start in scored.prefix(refined) {
            var current = start
            for step in 0..<60 {
                let size = 0.1 * pow(0.5, Double(step / 15))
                let moved = jitter(current.x, size, encoding, using: &rng)
                let ei = model.logExpectedImprovement(moved, best: best)
                if ei > current.ei { current = (moved, ei) }
            }
            if current.ei > winner.ei { winner = current }
        }
        return encoding.decode(winner.x)
    }

    /// `point` with Gaussian steps of `size` on every numeric dimension, snapped to the grid
    /// (decoding and encoding again also resets parameters that do not exist to 0.5).
    private func jitter(_ point: [Double], _ size: Double, _ encoding: Encoding, using rng: inout RandomGenerator) -> [Double] {
        var moved = point
        for d in encoding.numericDimensions {
            moved[d] = min(max(moved[d] + size * TruncatedNormal.standardNormal(using: &rng), 0), 1)
        }
        return encoding.encode(encoding.decode(moved))
    }
}

/// How ``GPSampler`` turns parameters into numbers in [0, 1] and back.
struct Encoding {
    let space: SearchSpace
    /// Per parameter, its first dimension.
    let offsets: [Int]
    let dimensions: Int
    static let inactive = 0.5

    init(_ space: SearchSpace) {
        self.space = space
        var offsets: [Int] = [], next = 0
        for parameter in space.parameters {
            offsets.append(next)
            next += parameter.distribution.isNumeric ? 1 : parameter.distribution.choiceCount
        }
        self.offsets = offsets
        dimensions = next
    }

    var numericDimensions: [Int] {
        space.parameters.indices.filter { space.parameters[$0].distribution.isNumeric }.map { offsets[$0] }
    }

    func encode(_ params: [String: ConfigValue]) -> [Double] {
        var x = [Double](repeating: 0, count: dimensions)
        for (index, parameter) in space.parameters.enumerated() {
            let offset = offsets[index]
            let internalValue = params[parameter.name].flatMap { parameter.distribution.internalValue(of: $0) }
            if parameter.distribution.isNumeric {
                x[offset] = internalValue.map { parameter.distribution.normalised($0) } ?? Self.inactive
            } else if let choice = internalValue {
                x[offset + Int(choice)] = 1
            }
        }
        return x
    }

    func decode(_ x: [Double]) -> [String: ConfigValue] {
        space.complete([:]) { parameter in
            let index = space.parameters.firstIndex(of: parameter)!
            let offset = offsets[index]
            if parameter.distribution.isNumeric {
                let (low, high) = parameter.distribution.internalBounds
                return parameter.distribution.value(atInternal: low + x[offset] * (high - low))
            }
            let scores = x[offset..<(offset + parameter.distribution.choiceCount)]
            let choice = scores.indices.max { scores[$0] < scores[$1] }! - offset
            return parameter.distribution.value(atInternal: Double(choice))
        }
    }
}
