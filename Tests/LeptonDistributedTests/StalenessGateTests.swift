import LeptonDistributed
import Testing

/// The asynchronous parameter server's gate: no rank is let go on more than `bound` steps ahead
/// of the slowest, whatever order the gradients arrive in, every rank finishes, and all ranks
/// meet at the end of each epoch.
@Suite struct StalenessGateTests {
    @Test func aRankWaitsOnceItIsBoundStepsAhead() {
        var gate = StalenessGate(ranks: 3, bound: 1)
        gate.pushed(1, epochEnd: false)
        #expect(gate.release() == [1])
        gate.pushed(1, epochEnd: false)
        #expect(gate.release() == [] && gate.isWaiting(1))
        gate.pushed(0, epochEnd: false)
        #expect(gate.release() == [0])
        gate.pushed(2, epochEnd: false)
        #expect(gate.release() == [1, 2] && gate.largestLead == 1)
    }

    @Test func boundZeroIsLockstep() {
        var gate = StalenessGate(ranks: 2, bound: 0)
        gate.pushed(0, epochEnd: false)
        #expect(gate.release() == [])
        gate.pushed(1, epochEnd: false)
        #expect(gate.release() == [0, 1] && gate.largestLead == 0)
    }

    @Test func randomArrivalsNeverExceedTheBoundAndAllRanksFinish() {
        var random = SystemRandomNumberGenerator()
        for bound in 0...3 {
            for ranks in 2...4 {
                let stepsPerEpoch = 5, epochs = 3, total = stepsPerEpoch * epochs
                var gate = StalenessGate(ranks: ranks, bound: bound)
                var done = [Int](repeating: 0, count: ranks)
                var running = Set(0..<ranks)          // ranks computing a gradient (not waiting)
                var events = 0
                while done.contains(where: { $0 < total }) {
                    let movable = running.filter { done[$0] < total }
                    guard let next = movable.randomElement(using: &random) else {
                        Issue.record("deadlock: bound \(bound), ranks \(ranks), counts \(done)"); return
                    }
                    done[next] += 1
                    running.remove(next)
                    gate.pushed(next, epochEnd: done[next] % stepsPerEpoch == 0)
                    for rank in gate.release() {
                        let lead = gate.counts[rank] - (gate.counts.min() ?? 0)
                        #expect(lead <= bound, "bound \(bound): rank \(rank) let go \(lead) steps ahead")
                        running.insert(rank)
                    }
                    // Nobody starts an epoch before all have finished the previous one.
                    if let low = done.min(), let high = done.max() { #expect(high / stepsPerEpoch - low / stepsPerEpoch <= 1) }
                    events += 1
                }
                #expect(events == ranks * total && gate.largestLead <= bound)
            }
        }
    }
}
