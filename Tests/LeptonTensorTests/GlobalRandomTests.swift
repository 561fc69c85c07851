import Foundation
import LeptonTensor
import Testing

/// ``GlobalRandom``'s scopes: work inside `scoped(seed:)` draws a sequence of its own, the same
/// whatever else in the process draws meanwhile.
@Suite struct GlobalRandomTests {
    static func draws(_ n: Int) -> [UInt64] { (0..<n).map { _ in GlobalRandom.with { $0.next() } } }

    @Test func aScopeRepeatsItsSequenceAndLeavesTheProcessSequenceAlone() {
        GlobalRandom.seed(9)
        let outside = Self.draws(3)
        GlobalRandom.seed(9)
        let first = GlobalRandom.scoped(seed: 1) { Self.draws(5) }
        let second = GlobalRandom.scoped(seed: 1) { Self.draws(5) }
        #expect(first == second)
        #expect(Self.draws(3) == outside)   // the scopes drew nothing from the process sequence
    }

    @Test func seedAndStateInsideAScopeAreTheScopes() {
        GlobalRandom.seed(4)
        let before = GlobalRandom.state
        let reseeded = GlobalRandom.scoped(seed: 1) { () -> [UInt64] in
            GlobalRandom.seed(2)
            let saved = GlobalRandom.state
            let a = Self.draws(4)
            GlobalRandom.state = saved
            #expect(Self.draws(4) == a)
            return a
        }
        #expect(GlobalRandom.scoped(seed: 2) { Self.draws(4) } == reseeded)
        #expect(GlobalRandom.state == before)
    }

    @Test func concurrentScopesDoNotDisturbEachOther() async {
        let expected = GlobalRandom.scoped(seed: 77) { Self.draws(2000) }
        let results = await withTaskGroup(of: [UInt64].self) { group in
            for _ in 0..<4 {
                group.addTask { GlobalRandom.scoped(seed: 77) { Self.draws(2000) } }
            }
            group.addTask { _ = Self.draws(5000); return [] }   // the process sequence, drawn meanwhile
            var all: [[UInt64]] = []
            for await r in group where !r.isEmpty { all.append(r) }
            return all
        }
        #expect(results.count == 4 && results.allSatisfy { $0 == expected })
    }
}
