import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct SimpleRNNTests {
    @Test("SimpleRNN (tanh) matches torch.nn.RNN on right-padded sequences")
    func matchesTorchTanh() throws {
        try RecurrentTesting.expectMatchesTorch { seq, zero in
            SimpleRNN(units: 5, returnSequences: seq, zeroOutputForMask: zero)
        }
    }

    @Test("SimpleRNN (relu) matches torch.nn.RNN(nonlinearity: relu)")
    func matchesTorchRelu() throws {
        try RecurrentTesting.expectMatchesTorch({ seq, zero in
            SimpleRNN(units: 4, activation: .relu, returnSequences: seq, zeroOutputForMask: zero)
        }, seed: 5)
    }

    @Test("SimpleRNN gradients (input, state, kernels, bias) over 6 masked steps")
    func gradientsWithMask() {
        RecurrentTesting.expectGradients(SimpleRNN(units: 4, returnSequences: true))
        RecurrentTesting.expectGradients(SimpleRNN(units: 3, goBackwards: true), seed: 11)
    }

    @Test("SimpleRNN builds lazily and returns the documented shapes")
    func shapesAndLazyBuild() {
        let rnn = SimpleRNN(units: 3)
        #expect(rnn.kernel == nil)
        #expect(rnn(Tensor.ones([2, 6, 4])).shape == [2, 3])
        #expect(rnn.kernel!.shape == [4, 3] && rnn.recurrentKernel!.shape == [3, 3] && rnn.bias!.shape == [3])
        let seq = SimpleRNN(units: 3, returnSequences: true, inputDimensions: 4)
        #expect(seq(Tensor.ones([2, 6, 4])).shape == [2, 6, 3])
    }

    @Test("SimpleRNN with an unsupported activation stops with a clear message")
    func badActivationExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SimpleRNN(units: 3, activation: .softmax)
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("SimpleRNN: activation must be .tanh or .relu"), "\(message)")
        }
    }
}
