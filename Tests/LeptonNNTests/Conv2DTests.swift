import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `Conv2D` (Layers/Conv2D.swift) against `torch.nn.functional.conv2d` after layout
/// conversion; 'same' padding uses TensorFlow's rule (computed independently in
/// python/torch_ops/layers.py); gradient checks with respect to input, kernel and bias.
@Suite struct Conv2DTests {
    struct Config: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]          // [N, H, W, C]
        var filters: Int
        var kernel: [Int]
        var strides = [1, 1]
        var padding = PaddingMode.valid
        var dilation = [1, 1]
        var groups = 1
        var useBias = true
        var activation = ActivationFunction.linear
        var testDescription: String { name }
    }

    static let configs: [Config] = [
        Config(name: "3×3 valid", input: [2, 6, 5, 3], filters: 4, kernel: [3, 3]),
        Config(name: "3×3 same", input: [2, 6, 5, 3], filters: 4, kernel: [3, 3], padding: .same),
        Config(name: "2×2 same (odd padding after)", input: [1, 5, 6, 2], filters: 3, kernel: [2, 2], padding: .same),
        Config(name: "3×2 stride 2 valid", input: [2, 7, 6, 2], filters: 3, kernel: [3, 2], strides: [2, 2]),
        Config(name: "3×3 stride (2, 1) same", input: [1, 7, 6, 2], filters: 2, kernel: [3, 3], strides: [2, 1], padding: .same),
        Config(name: "4×4 stride 3 same", input: [1, 8, 7, 1], filters: 2, kernel: [4, 4], strides: [3, 3], padding: .same),
        Config(name: "dilation 2 valid", input: [1, 7, 7, 2], filters: 3, kernel: [3, 3], dilation: [2, 2]),
        Config(name: "dilation (2, 1) same", input: [2, 6, 5, 2], filters: 2, kernel: [3, 2], padding: .same, dilation: [2, 1]),
        Config(name: "groups 2", input: [2, 5, 5, 4], filters: 6, kernel: [3, 3], groups: 2),
        Config(name: "depthwise (groups = C) same", input: [1, 5, 4, 3], filters: 3, kernel: [3, 3], padding: .same, groups: 3),
        Config(name: "1×1 no bias", input: [2, 3, 4, 5], filters: 2, kernel: [1, 1], useBias: false),
        Config(name: "relu activation", input: [1, 5, 5, 2], filters: 3, kernel: [3, 3], activation: .relu),
    ]

    static func layer(_ c: Config, format: DataFormat) -> Conv2D {
        let conv = Conv2D(filters: c.filters, kernelSize: c.kernel, strides: c.strides, padding: c.padding,
                          dilation: c.dilation, groups: c.groups, activation: c.activation, useBias: c.useBias,
                          dataFormat: format, inputChannels: c.input[3])
        conv.kernel!.fillNormal(seed: 21, scale: 0.5)
        conv.bias?.fillNormal(seed: 22, scale: 0.5)
        return conv
    }

    static func input(_ c: Config, format: DataFormat, seed: UInt64 = 23) -> Tensor {
        let x = TestSupport.randn(c.input, seed: seed)
        return format == .channelsLast ? x : x.permute([0, 3, 1, 2]).copy()
    }

    @Test(arguments: configs, [DataFormat.channelsLast, .channelsFirst])
    func forwardMatchesTorch(c: Config, format: DataFormat) throws {
        let conv = Self.layer(c, format: format)
        let x = Self.input(c, format: format)
        let y = conv(x)
        let (h, w) = (c.input[1], c.input[2])
        let span = (0..<2).map { c.dilation[$0] * (c.kernel[$0] - 1) + 1 }
        let expected = c.padding == .same
            ? [(h + c.strides[0] - 1) / c.strides[0], (w + c.strides[1] - 1) / c.strides[1]]
            : [(h - span[0]) / c.strides[0] + 1, (w - span[1]) / c.strides[1] + 1]
        #expect(y.shape == (format == .channelsLast ? [c.input[0]] + expected + [c.filters]
                                                     : [c.input[0], c.filters] + expected))
        let attrs: OracleAttributes = ["data_format": .string(format.rawValue), "stride": .ints(c.strides),
                                       "dilation": .ints(c.dilation), "groups": .int(c.groups),
                                       "padding": .string(c.padding.rawValue), "activation": .string(c.activation.rawValue)]
        try Torch.expectMatch("conv2d", [x, conv.kernel!] + (conv.bias.map { [$0] } ?? []), attrs: attrs,
                              actual: y, tolerance: 1e-4, "Conv2D \(c.name) \(format)")
    }

    @Test(arguments: configs.filter { $0.activation != .relu }, [DataFormat.channelsLast, .channelsFirst])
    func gradientCheck(c: Config, format: DataFormat) {
        let conv = Self.layer(c, format: format)
        let x = Self.input(c, format: format)
        let result = GradientChecker.check(parameters: [x, conv.kernel!] + (conv.bias.map { [$0] } ?? []),
                                           maxElementsPerInput: 40) { conv(x) }
        #expect(result.passed, "Conv2D \(c.name) \(format): \(result)")
    }

    @Test func kernelLayoutAndKerasDefaults() {
        let conv = Conv2D(filters: 64, kernelSize: [3, 3], inputChannels: 32)
        #expect(conv.kernel!.shape == [64, 32, 3, 3])
        // glorot_uniform with Keras's fans: receptive field × channels.
        let a = Float((6.0 / Double(9 * 32 + 9 * 64)).squareRoot())
        let k = conv.kernel!.scalars
        #expect(k.allSatisfy { abs($0) <= a } && k.max()! > 0.95 * a && k.min()! < -0.95 * a)
        #expect(conv.bias!.scalars.allSatisfy { $0 == 0 })
        let grouped = Conv2D(filters: 8, kernelSize: [3, 3], groups: 4, inputChannels: 8)
        #expect(grouped.kernel!.shape == [8, 2, 3, 3])
    }

    @Test func lazyBuildFromChannels() {
        let conv = Conv2D(filters: 4, kernelSize: [3, 3])
        #expect(conv(Tensor.zeros([2, 8, 8, 3])).shape == [2, 6, 6, 4])
        #expect(conv.kernel!.shape == [4, 3, 3, 3])
        let first = Conv2D(filters: 4, kernelSize: [3, 3], padding: .same, dataFormat: .channelsFirst)
        #expect(first(Tensor.zeros([2, 3, 8, 8])).shape == [2, 4, 8, 8])
    }
}
