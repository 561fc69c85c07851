import Foundation

/// The replica pools by deployment name, read by the router on every request and changed by the
/// supervisor; also the supervisor's wake-up flag.
final class PoolTable: @unchecked Sendable {
    private let lock = NSLock()
    private var pools: [String: ReplicaPool] = [:]
    private var woken = false

    subscript(name: String) -> ReplicaPool? {
        get { lock.lock(); defer { lock.unlock() }; return pools[name] }
        set { lock.lock(); pools[name] = newValue; lock.unlock() }
    }

    /// Every pool with its deployment's name.
    var all: [(String, ReplicaPool)] {
        lock.lock(); defer { lock.unlock() }
        return pools.map { ($0.key, $0.value) }
    }

    /// Asks the supervisor to reconcile now rather than at its next tick.
    func wake() { lock.lock(); woken = true; lock.unlock() }

    /// Whether a wake-up was asked for since the last call (and clears it).
    func takeWake() -> Bool {
        lock.lock(); defer { lock.unlock() }
        let was = woken
        woken = false
        return was
    }
}
