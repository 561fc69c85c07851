import Foundation

/// A seedable pseudo-random generator (xoshiro256**), so that initialisation, shuffling and
/// dropout repeat exactly for a given seed.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let w = Tensor.normal([128, 64], std: 0.02, generator: &rng)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    /// The full internal state (saved in checkpoints to resume exactly).
    public private(set) var state: [UInt64]

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var s = seed
        state = (0..<4).map { _ in Self.splitMix(&s) }
    }

    /// A generator continuing from a saved ``state`` (four words, not all zero).
    /// Returns nil for any other list, which is not a state xoshiro256** can be in.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    /// A generator seeded from the system's entropy.
    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotate(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotate(state[3], 45)
        return result
    }

    /// A uniform `Float` in [0, 1).
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        var u1 = nextFloat()
        while u1 <= 1e-7 { u1 = nextFloat() }
        let u2 = nextFloat()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Float.pi * u2)
    }

    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func splitMix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
