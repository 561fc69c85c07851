import Testing
import LeptonTensor

@Suite struct RandomGeneratorTests {
    @Test func aSavedStateContinuesTheSequence() throws {
        var a = RandomGenerator(seed: 42)
        for _ in 0..<5 { _ = a.next() }
        var b = try #require(RandomGenerator(state: a.state))
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }

    @Test func invalidStatesAreRefused() {
        #expect(RandomGenerator(state: [1, 2, 3]) == nil)
        #expect(RandomGenerator(state: [0, 0, 0, 0]) == nil)
        #expect(RandomGenerator(state: [1, 2, 3, 4, 5]) == nil)
    }
}
