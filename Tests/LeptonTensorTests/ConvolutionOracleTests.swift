import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Convolution.swift` against a NumPy convolution (padding,
/// sliding windows and einsum) and a NumPy transposed convolution (the scatter that is
/// conv2d's adjoint), on every backend.
@Suite("Convolutions agree with NumPy")
struct ConvolutionOracleTests {
    struct ConvCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [Int]
        let weight: [Int]
        var stride = [1, 1]
        var padding = [0, 0]
        var dilation = [1, 1]
        var groups = 1
        var bias = false
        var testDescription: String { name }
    }

    static let conv2dCases: [ConvCase] = [
        ConvCase(name: "3×3", input: [2, 3, 7, 7], weight: [4, 3, 3, 3]),
        ConvCase(name: "stride 2, padding 1", input: [2, 3, 8, 7], weight: [5, 3, 3, 3], stride: [2, 2], padding: [1, 1]),
        ConvCase(name: "asymmetric padding", input: [1, 2, 6, 7], weight: [3, 2, 3, 2], stride: [2, 1],
                 padding: [1, 0, 2, 1]),
        ConvCase(name: "dilation 2", input: [2, 2, 9, 8], weight: [3, 2, 3, 3], padding: [2, 2], dilation: [2, 2]),
        ConvCase(name: "dilation and stride", input: [1, 3, 11, 10], weight: [2, 3, 2, 3], stride: [2, 3], padding: [1, 2],
                 dilation: [3, 2]),
        ConvCase(name: "groups 2", input: [2, 4, 6, 5], weight: [6, 2, 3, 3], padding: [1, 1], groups: 2),
        ConvCase(name: "depthwise", input: [2, 4, 5, 5], weight: [4, 1, 3, 3], padding: [1, 1], groups: 4),
        ConvCase(name: "depthwise ×2", input: [1, 3, 6, 6], weight: [6, 1, 3, 3], stride: [2, 2], groups: 3),
        ConvCase(name: "1×1 pointwise", input: [2, 5, 4, 3], weight: [3, 5, 1, 1]),
        ConvCase(name: "1×1 stride 2", input: [2, 5, 5, 4], weight: [3, 5, 1, 1], stride: [2, 2]),
        ConvCase(name: "1×1 padded", input: [1, 2, 3, 3], weight: [2, 2, 1, 1], padding: [1, 1]),
        ConvCase(name: "non-square kernel and input", input: [2, 3, 5, 9], weight: [4, 3, 2, 4], stride: [1, 2],
                 padding: [0, 1]),
        ConvCase(name: "kernel as large as the input", input: [2, 2, 4, 5], weight: [3, 2, 4, 5]),
        ConvCase(name: "bias", input: [2, 3, 6, 6], weight: [4, 3, 3, 3], padding: [1, 1], bias: true),
        ConvCase(name: "grouped with bias", input: [1, 6, 5, 4], weight: [9, 2, 2, 2], stride: [1, 1], padding: [1, 0],
                 groups: 3, bias: true),
        // The benchmark's shape class (MNIST CNN): batch 4, 1 → 32 channels, 28×28, 3×3; then 32 → 64 at 14×14.
        ConvCase(name: "benchmark 1→32 28×28", input: [4, 1, 28, 28], weight: [32, 1, 3, 3], padding: [1, 1], bias: true),
        ConvCase(name: "benchmark 32→64 14×14", input: [4, 32, 14, 14], weight: [64, 32, 3, 3], padding: [1, 1]),
    ]

    @Test("conv2d", arguments: TestSupport.backendNames, conv2dCases)
    func conv2d(backend: String, conv: ConvCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            // Weights scaled by 1/√fan-in (as initialisers do), so outputs are of unit scale and
            // floor 1 checks errors relative to the outputs' magnitude.
            let fanIn = Float(conv.weight[1] * conv.weight[2] * conv.weight[3])
            let x = TestSupport.randn(conv.input, seed: 1), w = TestSupport.randn(conv.weight, seed: 2, scale: 1 / fanIn.squareRoot())
            let bias = conv.bias ? TestSupport.randn([conv.weight[0]], seed: 3) : nil
            let attrs: OracleAttributes = ["stride": .ints(conv.stride), "padding": .ints(conv.padding),
                                           "dilation": .ints(conv.dilation), "groups": .int(conv.groups)]
            let actual = x.conv2d(w, bias: bias, stride: conv.stride, padding: conv.padding, dilation: conv.dilation,
                                  groups: conv.groups)
            // Long sums: errors relative to the outputs' unit scale (floor 1).
            let c = try NumPyOracle.shared.compare("conv2d", [x, w] + (bias.map { [$0] } ?? []), attrs: attrs,
                                                   actual: actual, floor: 1)
            #expect(c.passes, "\(c)")
        }
    }

    struct TransposeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [Int]
        /// `[C, O/groups, KH, KW]`.
        let weight: [Int]
        var stride = [1, 1]
        var padding = [0, 0]
        var outputPadding = [0, 0]
        var dilation = [1, 1]
        var groups = 1
        var bias = false
        var testDescription: String { name }
    }

    static let transposeCases: [TransposeCase] = [
        TransposeCase(name: "3×3", input: [2, 3, 4, 5], weight: [3, 2, 3, 3]),
        TransposeCase(name: "stride 2", input: [2, 3, 4, 4], weight: [3, 4, 2, 2], stride: [2, 2]),
        TransposeCase(name: "stride 2, padding 1, output padding 1", input: [1, 4, 5, 4], weight: [4, 3, 3, 3],
                      stride: [2, 2], padding: [1, 1], outputPadding: [1, 1]),
        TransposeCase(name: "output padding beyond padding", input: [1, 2, 3, 3], weight: [2, 2, 3, 2], stride: [3, 2],
                      padding: [0, 0], outputPadding: [2, 1]),
        TransposeCase(name: "non-square stride and padding", input: [2, 2, 3, 5], weight: [2, 3, 3, 2], stride: [2, 3],
                      padding: [1, 0], outputPadding: [0, 2]),
        TransposeCase(name: "dilation 2", input: [1, 3, 4, 4], weight: [3, 2, 3, 3], padding: [1, 2], dilation: [2, 2]),
        TransposeCase(name: "dilation with output padding", input: [1, 2, 3, 4], weight: [2, 2, 2, 3], stride: [1, 1],
                      outputPadding: [1, 0], dilation: [2, 1]),
        TransposeCase(name: "groups 2", input: [2, 4, 3, 3], weight: [4, 3, 3, 3], stride: [2, 1], padding: [1, 1], groups: 2),
        TransposeCase(name: "1×1", input: [2, 5, 3, 4], weight: [5, 3, 1, 1]),
        TransposeCase(name: "bias", input: [2, 3, 4, 4], weight: [3, 4, 3, 3], stride: [2, 2], padding: [1, 1],
                      outputPadding: [1, 1], bias: true),
        TransposeCase(name: "decoder 32→16 7×7 → 14×14", input: [4, 32, 7, 7], weight: [32, 16, 4, 4], stride: [2, 2],
                      padding: [1, 1]),
    ]

    @Test("convTranspose2d", arguments: TestSupport.backendNames, transposeCases)
    func convTranspose2d(backend: String, conv: TransposeCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            // Each output sums C/groups · KH·KW / stride² products on average: scaled to unit size.
            let fanIn = Float(conv.weight[0] / conv.groups * conv.weight[2] * conv.weight[3])
            let x = TestSupport.randn(conv.input, seed: 11), w = TestSupport.randn(conv.weight, seed: 12, scale: 1 / fanIn.squareRoot())
            let bias = conv.bias ? TestSupport.randn([conv.weight[1] * conv.groups], seed: 13) : nil
            let attrs: OracleAttributes = ["stride": .ints(conv.stride), "padding": .ints(conv.padding),
                                           "output_padding": .ints(conv.outputPadding), "dilation": .ints(conv.dilation),
                                           "groups": .int(conv.groups)]
            let actual = x.convTranspose2d(w, bias: bias, stride: conv.stride, padding: conv.padding,
                                           outputPadding: conv.outputPadding, dilation: conv.dilation, groups: conv.groups)
            let c = try NumPyOracle.shared.compare("conv_transpose2d", [x, w] + (bias.map { [$0] } ?? []), attrs: attrs,
                                                   actual: actual, floor: 1)
            #expect(c.passes, "\(c)")
        }
    }

    // MARK: Errors a caller can cause

    @Test("conv2d with a channel mismatch stops, naming the op and both shapes")
    func channelMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3, 8, 8]).conv2d(Tensor.zeros([4, 2, 3, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d"), "\(message)")
            #expect(message.contains("3") && message.contains("[4, 2, 3, 3]"), "\(message)")
        }
    }

    @Test("conv2d of a rank-3 input stops, naming the op and both shapes")
    func rankMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 8, 8]).conv2d(Tensor.zeros([4, 3, 3, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d"), "\(message)")
            #expect(message.contains("[3, 8, 8]") && message.contains("[4, 3, 3, 3]"), "\(message)")
        }
    }

    @Test("conv2d with a kernel larger than the input stops")
    func kernelTooLargeExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 2, 2]).conv2d(Tensor.zeros([1, 1, 3, 3]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d"), "\(message)")
        }
    }
}
