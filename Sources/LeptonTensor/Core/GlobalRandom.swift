import Foundation

/// The process-wide random generator that layers draw their initial weights from when no
/// generator is given — the one piece of global random state, as `torch.manual_seed` and
/// `keras.utils.set_random_seed` provide.
///
/// ```swift
/// GlobalRandom.seed(42)   // makes weight initialisation repeatable
/// ```
///
/// Work that must not share the sequence with the rest of the process — a training job, one
/// trial of a tuner running beside others — runs inside ``scoped(seed:_:)``: within it, on its
/// task or thread, every call here uses a generator of its own.
public enum GlobalRandom {
    /// A generator and the lock guarding it.
    final class Source: @unchecked Sendable {
        var generator: RandomGenerator
        let lock = NSLock()
        init(seed: UInt64) { generator = RandomGenerator(seed: seed) }

        func access<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
            lock.lock(); defer { lock.unlock() }
            return try body(&generator)
        }
    }

    private static let process = Source(seed: 0)
    @TaskLocal private static var scope: Source?

    private static var current: Source { scope ?? process }

    /// Runs `body` with a generator of its own, started from `seed`: weights built, dropout
    /// seeded and batches shuffled inside it do not depend on, or disturb, the process's sequence
    /// or another scope's.
    public static func scoped<R>(seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try $scope.withValue(Source(seed: seed)) { try body() }
    }

    /// Restarts the current sequence (the scope's inside ``scoped(seed:_:)``) from `seed`.
    public static func seed(_ seed: UInt64) {
        current.access { $0 = RandomGenerator(seed: seed) }
    }

    /// Runs `body` with exclusive use of the current generator.
    public static func with<R>(_ body: (inout RandomGenerator) throws -> R) rethrows -> R {
        try current.access(body)
    }

    /// The current generator's state (for checkpoints).
    public static var state: RandomGenerator {
        get { current.access { $0 } }
        set { current.access { $0 = newValue } }
    }
}
