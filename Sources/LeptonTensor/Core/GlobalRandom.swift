import Foundation

/// The process-wide random generator that layers draw their initial weights from when no
/// generator is given — the one piece of global random state, as `torch.manual_seed` and
/// `keras.utils.set_random_seed` provide.
///
/// ```swift
/// GlobalRandom.seed(42)   // makes weight initialisation repeatable
/// ```
public enum GlobalRandom {
    nonisolated(unsafe) private static var generator = RandomGenerator(seed: 0)
    private static let lock = NSLock()

    /// Restarts the global sequence from `seed`.
    public static func seed(_ seed: UInt64) {
        lock.lock(); defer { lock.unlock() }
        generator = RandomGenerator(seed: seed)
    }

    /// Runs `body` with exclusive use of the global generator.
    public static func with<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&generator)
    }

    /// The generator's state (for checkpoints).
    public static var state: RandomGenerator {
        get { lock.lock(); defer { lock.unlock() }; return generator }
        set { lock.lock(); defer { lock.unlock() }; generator = newValue }
    }
}
