import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct GRUTests {
    @Test("GRU (reset after) matches torch.nn.GRU on right-padded sequences")
    func matchesTorchWithMask() throws {
        try RecurrentTesting.expectMatchesTorch { seq, zero in
            GRU(units: 6, returnSequences: seq, zeroOutputForMask: zero)
        }
    }

    @Test("GRU gradients (input, state, kernels, both biases) over 6 masked steps")
    func gradientsWithMask() {
        RecurrentTesting.expectGradients(GRU(units: 4, returnSequences: true))
        RecurrentTesting.expectGradients(GRU(units: 3), seed: 11)
    }

    @Test("GRU builds lazily with two bias vectors and returns the documented shapes")
    func shapesAndLazyBuild() {
        let gru = GRU(units: 5)
        #expect(gru.kernel == nil)
        #expect(gru(Tensor.ones([3, 4, 2])).shape == [3, 5])
        #expect(gru.namedParameters().map(\.0) == ["kernel", "recurrentKernel", "bias", "recurrentBias"])
        #expect(gru.kernel!.shape == [2, 15] && gru.recurrentKernel!.shape == [5, 15])
        #expect(gru.bias!.shape == [15] && gru.recurrentBias!.shape == [15])
        let seq = GRU(units: 5, returnSequences: true, useBias: false)
        let (out, states) = seq.run(Tensor.ones([3, 4, 2]))
        #expect(out.shape == [3, 4, 5] && states.map(\.shape) == [[3, 5]])
        #expect(seq.namedParameters().count == 2)
    }

    @Test("GRU given a mask of the wrong shape stops with a clear message")
    func badMaskExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = GRU(units: 4)(Tensor.ones([2, 5, 3]), mask: Tensor.ones([2, 4]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("GRU: mask has shape [2, 4]"), "\(message)")
        }
    }
}
