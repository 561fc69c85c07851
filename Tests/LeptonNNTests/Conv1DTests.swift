import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct Conv1DTests {
    @Test func shapes() {
        #expect(Conv1D(filters: 4, kernelSize: 3)(Tensor.zeros([2, 10, 3])).shape == [2, 8, 4])
        #expect(Conv1D(filters: 4, kernelSize: 3, strides: 2, padding: .same)(Tensor.zeros([2, 9, 3])).shape == [2, 5, 4])
        #expect(Conv1D(filters: 4, kernelSize: 3, dilation: 2)(Tensor.zeros([2, 10, 3])).shape == [2, 6, 4])
        let first = Conv1D(filters: 4, kernelSize: 2, dataFormat: .channelsFirst)
        #expect(first(Tensor.zeros([2, 3, 10])).shape == [2, 4, 9])
        #expect(first.kernel!.shape == [4, 3, 2])
    }

    @Test(arguments: [
        (3, 1, PaddingMode.valid, 1, 1),
        (3, 2, .valid, 2, 2),
        (4, 1, .same, 1, 1),       // even kernel: TensorFlow pads 1 left, 2 right
        (3, 2, .same, 2, 1),
    ])
    func matchesPyTorch(kernelSize: Int, strides: Int, padding: PaddingMode, dilation: Int, groups: Int) throws {
        let (steps, channels) = (9, 4)
        let conv = Conv1D(filters: 6, kernelSize: kernelSize, strides: strides, padding: padding, dilation: dilation,
                          groups: groups, inputChannels: channels)
        LayerTesting.randomize(conv, seed: 1)
        let x = TestSupport.randn([2, steps, channels], seed: 2)
        let y = conv(x)
        // TensorFlow's "same" amounts, as the layer computes them.
        var left = 0, right = 0
        if padding == .same {
            let span = dilation * (kernelSize - 1) + 1, out = (steps + strides - 1) / strides
            let total = Swift.max(0, (out - 1) * strides + span - steps)
            (left, right) = (total / 2, total - total / 2)
        }
        let c = try LayerTesting.compare("conv1d_layer", [x, conv.kernel!, conv.bias!],
                                         attrs: ["stride": .int(strides), "padding": .ints([left, right]),
                                                 "dilation": .int(dilation), "groups": .int(groups)],
                                         actual: y)
        #expect(c.passes, "\(c)")
    }

    @Test func channelsFirstAgreesWithChannelsLast() {
        let last = Conv1D(filters: 3, kernelSize: 3, padding: .same, activation: .tanh, inputChannels: 2)
        let first = Conv1D(filters: 3, kernelSize: 3, padding: .same, activation: .tanh, dataFormat: .channelsFirst,
                           inputChannels: 2)
        LayerTesting.randomize(last, seed: 3)
        try! first.loadStateDict(Dictionary(uniqueKeysWithValues: last.stateDict()))
        let x = TestSupport.randn([2, 7, 2], seed: 4)
        let a = last(x), b = first(x.permute([0, 2, 1])).permute([0, 2, 1])
        #expect(TestSupport.maxRelativeError(a.scalars, b.scalars) < 1e-6)
    }

    @Test func gradients() {
        let conv = Conv1D(filters: 3, kernelSize: 3, strides: 2, padding: .same, groups: 1, inputChannels: 2)
        LayerTesting.randomize(conv, seed: 5)
        let x = TestSupport.randn([2, 6, 2], seed: 6)
        let result = GradientChecker.check(parameters: conv.parameters() + [x]) { conv(x) }
        #expect(result.passed, "\(result)")
    }

    @Test func wrongChannelCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let conv = Conv1D(filters: 3, kernelSize: 3, inputChannels: 2)
            _ = conv(Tensor.zeros([2, 6, 5]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Conv1D: input has 5 channels (shape [2, 6, 5]), expected 2"), "\(message)")
        }
    }
}
