import Testing
import LeptonTensor
import LeptonNN

/// The generators of dropout layers and attention, saved and set by path.
@Suite struct ModuleRandomStateTests {
    final class Net: Module {
        let first = Dropout(rate: 0.5, seed: 1)
        let blocks: [Module] = [Dense(units: 4, inputDimensions: 4), Dropout(rate: 0.3, seed: 2)]
        let attention = MultiHeadAttention(heads: 2, keyDimensions: 2, dropout: 0.5, queryFeatures: 4, seed: 3)
        override func forward(_ x: Tensor) -> Tensor { attention(blocks[1](blocks[0](first(x))).reshape([1, -1, 4])) }
    }

    @Test func generatorsAreListedByPathAndCopiedExactly() throws {
        let a = Net(), b = Net()
        #expect(a.randomStates().map(\.0) == ["first", "blocks.1", "attention"])
        let x = Tensor.ones([3, 4])
        _ = a(x)   // a's generators move on
        try b.loadStateDict(Dictionary(uniqueKeysWithValues: a.stateDict()))
        #expect(b(x).scalars != a(x).scalars, "different dropout masks before the generators are copied")
        try b.loadRandomStates(Dictionary(uniqueKeysWithValues: a.randomStates()))
        #expect(b.randomStates().map(\.1) == a.randomStates().map(\.1))
        #expect(b(x).scalars == a(x).scalars, "the same masks once they are")
    }

    @Test func mismatchedStatesAreNamedAndChangeNothing() {
        let net = Net()
        let before = net.randomStates().map(\.1)
        var states = Dictionary(uniqueKeysWithValues: net.randomStates())
        states["first"] = nil
        states["blocks.0"] = RandomGenerator(seed: 9)
        do {
            try net.loadRandomStates(states.mapValues { _ in RandomGenerator(seed: 5) })
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("missing: first") && "\(error)".contains("unexpected: blocks.0"), "\(error)")
        }
        #expect(net.randomStates().map(\.1) == before)
    }
}
