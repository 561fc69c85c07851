import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct BidirectionalTests {
    /// Compares with `torch.nn.LSTM/GRU(bidirectional=True)` over packed (unpadded) sequences.
    func expectMatchesTorch(_ layer: RecurrentLayer, lengths: [Int], time: Int, seed: UInt64) throws {
        let batch = lengths.count
        let x = TestSupport.randn([batch, time, 4], seed: seed)
        let mask = RecurrentTesting.mask(lengths: lengths, time: time)
        let bi = Bidirectional(layer)
        _ = bi(x)
        RecurrentTesting.randomize(bi.forwardLayer, seed: seed &+ 10)
        RecurrentTesting.randomize(bi.backwardLayer, seed: seed &+ 20)
        let units = layer.units
        let s0 = RecurrentTesting.states(layer.cell, batch: batch, units: units, seed: seed &+ 30)
        let s1 = RecurrentTesting.states(layer.cell, batch: batch, units: units, seed: seed &+ 40)
        let reference = try RecurrentTesting.torch([bi.forwardLayer, bi.backwardLayer], x: x, lengths: lengths,
                                                   states: [s0, s1])
        let (out, states) = bi.run(x, mask: mask, initialState: s0 + s1)
        if layer.returnSequences {
            #expect(out.shape == [batch, time, 2 * units])
            #expect(RecurrentTesting.maxError(out, reference.output) < 1e-4, "\(RecurrentTesting.maxError(out, reference.output))")
        } else {
            // The last output: forward at each sequence's last real step, backward at step 0.
            let expected = Tensor.concatenate([reference.h[.at(0)], reference.h[.at(1)]], axis: -1)
            #expect(RecurrentTesting.maxError(out, expected) < 1e-4)
        }
        let n = layer.cell.stateCount
        #expect(RecurrentTesting.maxError(states[0], reference.h[.at(0)]) < 1e-4)
        #expect(RecurrentTesting.maxError(states[n], reference.h[.at(1)]) < 1e-4)
        if n == 2 { #expect(RecurrentTesting.maxError(states[3], reference.c[.at(1)]) < 1e-4) }
    }

    @Test("Bidirectional LSTM matches torch (bidirectional=True) on right-padded sequences")
    func lstmMatchesTorch() throws {
        try expectMatchesTorch(LSTM(units: 5, returnSequences: true), lengths: [7, 3, 5, 1], time: 7, seed: 1)
        try expectMatchesTorch(LSTM(units: 5), lengths: [7, 3, 5, 1], time: 7, seed: 2)
    }

    @Test("Bidirectional GRU and SimpleRNN match torch on right-padded sequences")
    func gruAndRNNMatchTorch() throws {
        try expectMatchesTorch(GRU(units: 4, returnSequences: true), lengths: [2, 6, 6], time: 6, seed: 3)
        try expectMatchesTorch(SimpleRNN(units: 3, returnSequences: true), lengths: [5, 2], time: 5, seed: 4)
    }

    @Test("Bidirectional gradients over 6 masked steps (both directions' weights, input, states)")
    func gradientsWithMask() {
        let lengths = [6, 2, 4], time = 6
        let x = GradientChecker.input([3, time, 3], seed: 5)
        let mask = RecurrentTesting.mask(lengths: lengths, time: time)
        for layer in [LSTM(units: 3, returnSequences: true), GRU(units: 3)] as [RecurrentLayer] {
            let bi = Bidirectional(layer)
            _ = bi(x)
            RecurrentTesting.randomize(bi.forwardLayer, seed: 6)
            RecurrentTesting.randomize(bi.backwardLayer, seed: 7)
            let states = (0..<(2 * layer.cell.stateCount)).map { TestSupport.randn([3, 3], seed: 8 + UInt64($0), scale: 0.5) }
            let result = GradientChecker.check(parameters: bi.namedParameters().map(\.1) + [x] + states) {
                let (out, finals) = bi.run(x, mask: mask, initialState: states)
                return Tensor.concatenate(([out] + finals).map { $0.reshape([-1]) })
            }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("Bidirectional builds both directions lazily; merge modes give the documented shapes")
    func shapesAndMergeModes() {
        let bi = Bidirectional(LSTM(units: 4))
        #expect(bi.parameterCount == 0)
        #expect(bi(Tensor.ones([2, 5, 3])).shape == [2, 8])
        #expect(bi.namedParameters().map(\.0) == ["forwardLayer.kernel", "forwardLayer.recurrentKernel", "forwardLayer.bias",
                                                   "backwardLayer.kernel", "backwardLayer.recurrentKernel", "backwardLayer.bias"])
        #expect(bi.forwardLayer.kernel!.scalars != bi.backwardLayer.kernel!.scalars)
        for mode in [Bidirectional.MergeMode.sum, .average, .multiply] {
            #expect(Bidirectional(GRU(units: 4, returnSequences: true), mergeMode: mode)(Tensor.ones([2, 5, 3])).shape == [2, 5, 4])
        }
        #expect(Bidirectional(SimpleRNN(units: 4, returnSequences: true))(Tensor.ones([2, 5, 3])).shape == [2, 5, 8])
    }
}
