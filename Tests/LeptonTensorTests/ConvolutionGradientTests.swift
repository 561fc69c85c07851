import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of `conv2d` and `convTranspose2d` (`Ops/Tensor+Convolution.swift`) with
/// respect to input, weight and bias: strides, symmetric and asymmetric padding, dilation,
/// groups (including depthwise), 1×1 kernels, and transposed convolutions with output padding.
@Suite struct ConvolutionGradientTests {
    struct Conv: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]            // [N, C, H, W]
        var outChannels: Int
        var kernel: [Int]
        var stride = [1, 1]
        var padding = [0, 0]
        var dilation = [1, 1]
        var groups = 1
        var bias = true
        var testDescription: String { name }
    }

    static let convolutions: [Conv] = [
        Conv(name: "3×3", input: [2, 2, 5, 5], outChannels: 3, kernel: [3, 3]),
        Conv(name: "no bias", input: [1, 2, 4, 5], outChannels: 2, kernel: [2, 3], bias: false),
        Conv(name: "stride 2", input: [1, 2, 6, 5], outChannels: 2, kernel: [3, 3], stride: [2, 2]),
        Conv(name: "stride (2, 1)", input: [1, 1, 5, 6], outChannels: 2, kernel: [2, 2], stride: [2, 1]),
        Conv(name: "padding 1", input: [1, 2, 4, 4], outChannels: 2, kernel: [3, 3], padding: [1, 1]),
        Conv(name: "padding (2, 0)", input: [1, 1, 3, 5], outChannels: 2, kernel: [3, 3], padding: [2, 0]),
        Conv(name: "asymmetric padding", input: [1, 2, 4, 5], outChannels: 2, kernel: [3, 3], padding: [0, 2, 1, 0]),
        Conv(name: "asymmetric padding, stride 2", input: [2, 1, 5, 5], outChannels: 2, kernel: [2, 3],
             stride: [2, 2], padding: [1, 0, 2, 1]),
        Conv(name: "dilation 2", input: [1, 2, 6, 6], outChannels: 2, kernel: [3, 3], dilation: [2, 2]),
        Conv(name: "dilation (1, 2), padding 2", input: [1, 1, 5, 5], outChannels: 2, kernel: [3, 2],
             padding: [2, 2], dilation: [1, 2]),
        Conv(name: "groups 2", input: [2, 4, 4, 4], outChannels: 6, kernel: [3, 3], padding: [1, 1], groups: 2),
        Conv(name: "depthwise", input: [1, 3, 5, 4], outChannels: 3, kernel: [3, 3], stride: [2, 1], groups: 3),
        Conv(name: "depthwise multiplier 2", input: [1, 2, 4, 4], outChannels: 4, kernel: [2, 2], groups: 2),
        Conv(name: "1×1", input: [2, 3, 3, 4], outChannels: 2, kernel: [1, 1]),
        Conv(name: "1×1 groups 3", input: [1, 3, 2, 3], outChannels: 6, kernel: [1, 1], groups: 3),
        Conv(name: "1×1 stride 2", input: [1, 2, 5, 5], outChannels: 2, kernel: [1, 1], stride: [2, 2]),
        Conv(name: "1×1 padding 1", input: [1, 2, 3, 3], outChannels: 2, kernel: [1, 1], padding: [1, 1]),
        Conv(name: "kernel covers input", input: [2, 2, 3, 3], outChannels: 2, kernel: [3, 3]),
        Conv(name: "everything", input: [2, 4, 7, 6], outChannels: 4, kernel: [3, 2], stride: [2, 2],
             padding: [1, 2, 0, 1], dilation: [2, 1], groups: 2),
    ]

    @Test(arguments: TestSupport.backendNames, convolutions)
    func conv2d(backend: String, c: Conv) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 1)
            let w = TestSupport.randn([c.outChannels, c.input[1] / c.groups] + c.kernel, seed: 2, scale: 0.5)
            let b = TestSupport.randn([c.outChannels], seed: 3)
            let inputs = c.bias ? [x, w, b] : [x, w]
            let result = GradientChecker.check(inputs) {
                $0[0].conv2d($0[1], bias: c.bias ? $0[2] : nil, stride: c.stride, padding: c.padding,
                             dilation: c.dilation, groups: c.groups)
            }
            #expect(result.passed, "conv2d \(c.name): \(result)")
            // Each of input and weight alone (the rules skip the other).
            for i in 0..<2 {
                let one = GradientChecker.check(inputs, checking: [i]) {
                    $0[0].conv2d($0[1], bias: c.bias ? $0[2] : nil, stride: c.stride, padding: c.padding,
                                 dilation: c.dilation, groups: c.groups)
                }
                #expect(one.passed, "conv2d \(c.name), only input \(i): \(one)")
            }
        }
    }

    struct Transposed: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]            // [N, C, H, W]
        var outChannels: Int
        var kernel: [Int]
        var stride = [1, 1]
        var padding = [0, 0]
        var outputPadding = [0, 0]
        var dilation = [1, 1]
        var groups = 1
        var bias = true
        var testDescription: String { name }
    }

    static let transposed: [Transposed] = [
        Transposed(name: "3×3", input: [2, 2, 3, 3], outChannels: 3, kernel: [3, 3]),
        Transposed(name: "no bias", input: [1, 2, 3, 2], outChannels: 2, kernel: [2, 3], bias: false),
        Transposed(name: "stride 2", input: [1, 2, 3, 3], outChannels: 2, kernel: [3, 3], stride: [2, 2]),
        Transposed(name: "stride 2, padding 1", input: [1, 2, 3, 2], outChannels: 2, kernel: [3, 3], stride: [2, 2],
                   padding: [1, 1]),
        Transposed(name: "stride 2, output padding 1", input: [1, 2, 3, 3], outChannels: 2, kernel: [3, 3],
                   stride: [2, 2], padding: [1, 1], outputPadding: [1, 1]),
        Transposed(name: "output padding beyond padding", input: [1, 1, 2, 3], outChannels: 2, kernel: [2, 2],
                   stride: [3, 2], outputPadding: [2, 1]),
        Transposed(name: "stride (2, 1), output padding (1, 0)", input: [2, 1, 3, 3], outChannels: 2, kernel: [2, 3],
                   stride: [2, 1], padding: [0, 1], outputPadding: [1, 0]),
        Transposed(name: "dilation 2", input: [1, 2, 3, 3], outChannels: 2, kernel: [2, 2], dilation: [2, 2]),
        Transposed(name: "dilation with output padding", input: [1, 1, 3, 3], outChannels: 2, kernel: [2, 2],
                   padding: [1, 0], outputPadding: [1, 1], dilation: [2, 2]),
        Transposed(name: "groups 2", input: [1, 4, 3, 3], outChannels: 4, kernel: [3, 3], stride: [2, 2], groups: 2),
        Transposed(name: "depthwise", input: [2, 3, 3, 2], outChannels: 3, kernel: [2, 2], groups: 3),
        Transposed(name: "1×1", input: [1, 3, 3, 3], outChannels: 2, kernel: [1, 1]),
        Transposed(name: "everything", input: [2, 4, 3, 3], outChannels: 6, kernel: [3, 2], stride: [2, 3],
                   padding: [1, 1], outputPadding: [1, 2], dilation: [1, 2], groups: 2),
    ]

    @Test(arguments: TestSupport.backendNames, transposed)
    func convTranspose2d(backend: String, c: Transposed) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 4)
            let w = TestSupport.randn([c.input[1], c.outChannels / c.groups] + c.kernel, seed: 5, scale: 0.5)
            let b = TestSupport.randn([c.outChannels], seed: 6)
            let inputs = c.bias ? [x, w, b] : [x, w]
            let f: ([Tensor]) -> Tensor = {
                $0[0].convTranspose2d($0[1], bias: c.bias ? $0[2] : nil, stride: c.stride, padding: c.padding,
                                      outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups)
            }
            let result = GradientChecker.check(inputs, f)
            #expect(result.passed, "convTranspose2d \(c.name): \(result)")
            for i in 0..<2 {
                let one = GradientChecker.check(inputs, checking: [i], f)
                #expect(one.passed, "convTranspose2d \(c.name), only input \(i): \(one)")
            }
        }
    }

    /// A transposed convolution is the input-gradient of the convolution with the same
    /// geometry: `⟨conv(x), y⟩ = ⟨x, convT(y)⟩`.
    @Test(arguments: TestSupport.backendNames)
    func transposedIsAdjointOfConv(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 4, 7, 6], seed: 7)
            let w = TestSupport.randn([6, 2, 3, 2], seed: 8)
            let y = x.conv2d(w, stride: [2, 2], padding: [1, 1], dilation: [1, 2], groups: 2)
            let r = TestSupport.randn(y.shape, seed: 9)
            let back = r.convTranspose2d(w, stride: [2, 2], padding: [1, 1], outputPadding: [0, 1], dilation: [1, 2], groups: 2)
            #expect(back.shape == x.shape)
            let lhs = (y * r).sum().item(), rhs = (x * back).sum().item()
            #expect(Swift.abs(lhs - rhs) <= 1e-3 * Swift.max(1, Swift.abs(lhs)), "⟨conv x, r⟩ = \(lhs), ⟨x, convT r⟩ = \(rhs)")
        }
    }

    /// A small convolutional network: conv → relu-free smooth activation → pooling → linear.
    @Test(arguments: TestSupport.backendNames)
    func composedNetwork(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 1, 6, 6], seed: 10)
            let w1 = TestSupport.randn([3, 1, 3, 3], seed: 11, scale: 0.5)
            let b1 = TestSupport.randn([3], seed: 12, scale: 0.1)
            let w2 = TestSupport.randn([3 * 3 * 3, 2], seed: 13, scale: 0.3)
            let result = GradientChecker.check(parameters: [x, w1, b1, w2]) {
                x.conv2d(w1, bias: b1, padding: [1, 1]).tanh().avgPool2d(kernel: [2, 2]).flatten(startAxis: 1).matmul(w2)
            }
            #expect(result.passed, "conv network: \(result)")
        }
    }
}
