import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct Conv2DTransposeTests {
    @Test func kerasOutputSizes() {
        func size(_ k: Int, _ s: Int, _ p: PaddingMode, _ op: [Int]? = nil, dilation: Int = 1) -> [Int] {
            Conv2DTranspose(filters: 2, kernelSize: [k, k], strides: [s, s], padding: p, outputPadding: op,
                            dilation: [dilation, dilation])(Tensor.zeros([1, 5, 5, 3])).shape
        }
        #expect(size(3, 2, .valid) == [1, 11, 11, 2])     // 5·2 + max(3 − 2, 0)
        #expect(size(1, 2, .valid) == [1, 10, 10, 2])     // kernel below the stride
        #expect(size(3, 2, .same) == [1, 10, 10, 2])
        #expect(size(4, 2, .same) == [1, 10, 10, 2])
        #expect(size(2, 1, .same) == [1, 5, 5, 2])
        #expect(size(3, 2, .same, [1, 1]) == [1, 10, 10, 2])   // (5 − 1)·2 + 3 − 2 + 1
        #expect(size(3, 2, .valid, [1, 1]) == [1, 12, 12, 2])
        #expect(size(3, 1, .valid, dilation: 2) == [1, 9, 9, 2])
        let layer = Conv2DTranspose(filters: 6, kernelSize: [3, 2], groups: 2, dataFormat: .channelsFirst)
        #expect(layer(Tensor.zeros([1, 4, 5, 5])).shape == [1, 6, 7, 6])
        #expect(layer.kernel!.shape == [4, 3, 3, 2])
    }

    /// (kernel, stride, padding, outputPadding, dilation, groups, PyTorch padding, PyTorch
    /// output padding, crop of PyTorch's result as [top, left, height, width]).
    @Test(arguments: [
        ([3, 3], [2, 2], PaddingMode.valid, nil, [1, 1], 1, [0, 0], [0, 0], nil),
        ([4, 4], [2, 2], .same, nil, [1, 1], 1, [1, 1], [0, 0], nil),            // even crop: padding 1
        ([3, 3], [2, 2], .same, nil, [1, 1], 1, [0, 0], [0, 0], [0, 0, 8, 10]),  // odd crop: TensorFlow's
        ([3, 2], [2, 3], .same, [1, 2], [1, 1], 2, [1, 1], [1, 2], nil),
        ([2, 2], [1, 1], .valid, nil, [2, 2], 2, [0, 0], [0, 0], nil),
        ([1, 1], [3, 2], .valid, nil, [1, 1], 1, [0, 0], [2, 1], nil),           // kernel below the stride
    ] as [([Int], [Int], PaddingMode, [Int]?, [Int], Int, [Int], [Int], [Int]?)])
    func matchesPyTorch(kernel: [Int], strides: [Int], padding: PaddingMode, outputPadding: [Int]?, dilation: [Int],
                        groups: Int, torchPadding: [Int], torchOutputPadding: [Int], crop: [Int]?) throws {
        let conv = Conv2DTranspose(filters: 4, kernelSize: kernel, strides: strides, padding: padding,
                                   outputPadding: outputPadding, dilation: dilation, groups: groups, inputChannels: 4)
        LayerTesting.randomize(conv, seed: 1)
        let x = TestSupport.randn([2, 4, 5, 4], seed: 2)
        let y = conv(x)
        var attrs: OracleAttributes = ["stride": .ints(strides), "padding": .ints(torchPadding),
                                       "output_padding": .ints(torchOutputPadding), "dilation": .ints(dilation),
                                       "groups": .int(groups)]
        if let crop { attrs["crop"] = .ints(crop) }
        let c = try LayerTesting.compare("conv_transpose2d_layer", [x, conv.kernel!, conv.bias!], attrs: attrs, actual: y)
        #expect(c.passes, "\(c)")
    }

    @Test(arguments: [PaddingMode.valid, .same])
    func gradients(padding: PaddingMode) {
        let conv = Conv2DTranspose(filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: padding,
                                   activation: .tanh, inputChannels: 2)
        LayerTesting.randomize(conv, seed: 3)
        let x = TestSupport.randn([1, 3, 2, 2], seed: 4)
        let result = GradientChecker.check(parameters: conv.parameters() + [x]) { conv(x) }
        #expect(result.passed, "\(result)")
    }

    @Test func wrongRankStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let conv = Conv2DTranspose(filters: 2, kernelSize: [3, 3])
            _ = conv(Tensor.zeros([5, 5, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("Conv2DTranspose: expected a rank-4 image batch [N, H, W, C], got shape [5, 5, 3]"), "\(message)")
        }
    }
}
