import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct LSTMTests {
    @Test("LSTM matches torch.nn.LSTM on right-padded sequences (outputs, final h and c)")
    func matchesTorchWithMask() throws {
        try RecurrentTesting.expectMatchesTorch { seq, zero in
            LSTM(units: 7, returnSequences: seq, zeroOutputForMask: zero)
        }
    }

    @Test("LSTM with Keras's default initializers matches torch.nn.LSTM without a mask")
    func matchesTorchWithDefaultWeights() throws {
        let x = TestSupport.randn([3, 8, 4], seed: 3)
        let lstm = LSTM(units: 6, returnSequences: true, inputDimensions: 4)
        let (out, states) = lstm.run(x)
        let zeros = [Tensor.zeros([3, 6]), Tensor.zeros([3, 6])]
        let reference = try RecurrentTesting.torch([lstm], x: x, lengths: [8, 8, 8], states: [zeros])
        #expect(RecurrentTesting.maxError(out, reference.output) < 1e-4)
        #expect(RecurrentTesting.maxError(states[1], reference.c.reshape([3, 6])) < 1e-4)
    }

    @Test("LSTM gradients (input, states, kernels, bias) over 6 masked steps")
    func gradientsWithMask() {
        RecurrentTesting.expectGradients(LSTM(units: 4, returnSequences: true))
        RecurrentTesting.expectGradients(LSTM(units: 3), seed: 11)
        RecurrentTesting.expectGradients(LSTM(units: 3, returnSequences: true, goBackwards: true, zeroOutputForMask: true),
                                         seed: 13)
    }

    @Test("LSTM builds lazily with Keras's initial weights and returns the documented shapes")
    func shapesAndLazyBuild() {
        let lstm = LSTM(units: 5)
        #expect(lstm.kernel == nil && lstm.parameterCount == 0)
        let y = lstm(Tensor.ones([2, 7, 3]))
        #expect(y.shape == [2, 5])
        #expect(lstm.kernel!.shape == [3, 20] && lstm.recurrentKernel!.shape == [5, 20] && lstm.bias!.shape == [20])
        #expect(lstm.namedParameters().map(\.0) == ["kernel", "recurrentKernel", "bias"])
        #expect(lstm.bias!.scalars == [Float](repeating: 0, count: 5) + [Float](repeating: 1, count: 5)
                + [Float](repeating: 0, count: 10))
        // Orthogonal recurrent kernel: rows orthonormal.
        let w = lstm.recurrentKernel!
        let gram = w.matmul(w.transposed())
        #expect(RecurrentTesting.maxError(gram, Tensor.eye(5)) < 1e-4)
        let seq = LSTM(units: 5, returnSequences: true, inputDimensions: 3)
        let (out, states) = seq.run(Tensor.ones([2, 7, 3]))
        #expect(out.shape == [2, 7, 5] && states.map(\.shape) == [[2, 5], [2, 5]])
        // The last output of a sequence layer equals the final h.
        #expect(out[.all, .at(6)].scalars == states[0].scalars)
    }

    @Test("LSTM with goBackwards returns its outputs in processing order, like Keras")
    func goBackwardsOrder() {
        let x = TestSupport.randn([2, 5, 3], seed: 4)
        let back = LSTM(units: 4, returnSequences: true, inputDimensions: 3, goBackwards: true)
        let fwd = LSTM(units: 4, returnSequences: true, inputDimensions: 3)
        for ((_, p), (_, q)) in zip(fwd.namedParameters(), back.namedParameters()) { p.assign(q) }
        let reversed = Tensor.concatenate((0..<5).reversed().map { x.slice(axis: 1, start: $0, end: $0 + 1) }, axis: 1)
        #expect(RecurrentTesting.maxError(back(x), fwd(reversed)) < 1e-6)
    }

    @Test("LSTM given a rank-2 input stops with a message naming the expected shape")
    func badInputRankExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LSTM(units: 4)(Tensor.ones([2, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("LSTM") && message.contains("[batch, time, features]"), "\(message)")
        }
    }

    @Test("LSTM given the wrong feature count stops with a message naming both sizes")
    func badFeatureCountExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LSTM(units: 4, inputDimensions: 3)(Tensor.ones([2, 5, 6]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("LSTM: input has 6 features") && message.contains("expected 3"), "\(message)")
        }
    }
}
