/// The bookkeeping of an asynchronous parameter server with bounded staleness (Ho et al.'s
/// stale synchronous parallel): which ranks may go on after pushing a gradient.
///
/// Every rank pushes one gradient per step and waits for the server's weights before its next
/// step. A rank that has pushed `n` gradients goes on only while `n − (the fewest any rank has
/// pushed) ≤ bound`: no rank runs more than `bound` steps ahead of the slowest. A push that ends
/// an epoch is held until every rank's last push of that epoch is in, so all ranks end each
/// epoch on the same weights (validation, checkpoints and the final model see every gradient).
///
/// ```swift
/// var gate = StalenessGate(ranks: 3, bound: 1)
/// gate.pushed(1, epochEnd: false)
/// gate.release()              // [1]: one step ahead of ranks 0 and 2, within the bound
/// gate.pushed(1, epochEnd: false)
/// gate.release()              // []: two steps ahead; rank 1 waits for ranks 0 and 2
/// ```
public struct StalenessGate: Sendable {
    /// The most steps a rank may run ahead of the slowest.
    public let bound: Int
    /// Gradients pushed by each rank.
    public private(set) var counts: [Int]
    /// The largest lead (steps ahead of the slowest) of a rank when it was let go on.
    public private(set) var largestLead = 0
    private var waiting: Set<Int> = []
    private var atEpochEnd: Set<Int> = []

    /// - Parameters:
    ///   - ranks: the ranks that push gradients.
    ///   - bound: the staleness bound `s`, at least 0 (0: every rank waits for all others each step).
    public init(ranks: Int, bound: Int) {
        self.bound = bound
        counts = [Int](repeating: 0, count: ranks)
    }

    /// Records a gradient from `rank`, which now waits for ``release()`` to let it go on.
    /// - Parameter epochEnd: whether it is the rank's last gradient of an epoch (held until
    ///   every rank's last gradient of the epoch is in).
    public mutating func pushed(_ rank: Int, epochEnd: Bool) {
        counts[rank] += 1
        if epochEnd { atEpochEnd.insert(rank) } else { waiting.insert(rank) }
    }

    /// The ranks that may go on now (in rank order); they no longer wait.
    public mutating func release() -> [Int] {
        if atEpochEnd.count == counts.count {
            atEpochEnd = []
            return Array(0..<counts.count)
        }
        let slowest = counts.min() ?? 0
        let going = waiting.filter { counts[$0] - slowest <= bound }.sorted()
        for rank in going {
            largestLead = Swift.max(largestLead, counts[rank] - slowest)
            waiting.remove(rank)
        }
        return going
    }

    /// Whether `rank` has pushed and not been released yet.
    public func isWaiting(_ rank: Int) -> Bool { waiting.contains(rank) || atEpochEnd.contains(rank) }
}
