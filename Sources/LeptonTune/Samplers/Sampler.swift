import LeptonNN
import LeptonTensor

/// Chooses the parameters of the next trial from the trials so far (Optuna's samplers).
///
/// A sampler is seeded: the same seed, space and history give the same parameters. Its random
/// sequence for trial `number` is ``rng(seed:trial:)``, so parallel workers do not share one.
public protocol Sampler: Sendable {
    /// The parameters of trial `number` (every active parameter of `space`).
    /// - Parameters:
    ///   - trials: every trial of the study so far (running ones included, which carry no value).
    func sample(space: SearchSpace, trials: [FrozenTrial], direction: StudyDirection, number: Int) -> [String: ConfigValue]
}

extension Sampler {
    /// The random sequence of trial `number` under `seed`.
    public static func rng(seed: UInt64, trial number: Int) -> RandomGenerator {
        RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: number) &* 0xBF58_476D_1CE4_E5B9 &+ 1)
    }
}

/// Parameters drawn independently and uniformly (log-uniformly on log scales).
public struct RandomSampler: Sampler {
    public let seed: UInt64

    public init(seed: UInt64 = 0) { self.seed = seed }

    public func sample(space: SearchSpace, trials: [FrozenTrial], direction: StudyDirection, number: Int) -> [String: ConfigValue] {
        var rng = Self.rng(seed: seed, trial: number)
        return space.sample(using: &rng)
    }
}

/// Names the built-in samplers for configs and the command line.
public enum SamplerKind: String, Sendable, CaseIterable, Codable {
    case tpe, gp, random, grid

    /// A sampler of this kind with its default settings.
    public func make(seed: UInt64) -> any Sampler {
        switch self {
        case .tpe: return TPESampler(seed: seed)
        case .gp: return GPSampler(seed: seed)
        case .random: return RandomSampler(seed: seed)
        case .grid: return GridSampler(seed: seed)
        }
    }
}
