import Testing
import LeptonTensor
import LeptonTestSupport

/// `conv2dMaxPool2x2`: the convolution and the 2×2 max pooling after it in one pass at inference
/// (direct kernel and GEMM path, both backends), equal to the two ops; with gradients recorded,
/// the two ops themselves.
@Suite struct ConvolutionPoolingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]            // [N, H, W, C]
        var outChannels: Int
        var kernel = [3, 3]
        var stride = [1, 1]
        var padding = [0, 0]
        var groups = 1
        var bias = true
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Direct kernel: the MNIST CNN's first layer, an odd map (7 × 9: the last row and column dropped).
        Case(name: "direct, 32 filters, 26×26 map", input: [2, 28, 28, 1], outChannels: 32),
        Case(name: "direct, 16 filters, odd 7×9 map", input: [3, 9, 11, 1], outChannels: 16),
        Case(name: "direct, RGB, padding, no bias", input: [1, 8, 10, 3], outChannels: 24, padding: [1, 1], bias: false),
        Case(name: "direct, stride 2, groups 2", input: [2, 11, 9, 4], outChannels: 16, stride: [2, 2], groups: 2),
        // GEMM path (a patch of 8 · 9 = 72 taps): the chunk is pooled from its scratch.
        Case(name: "GEMM, 8 channels in", input: [3, 7, 8, 8], outChannels: 12),
        Case(name: "GEMM, 1×1 pointwise", input: [2, 6, 5, 40], outChannels: 10, kernel: [1, 1]),
    ]

    static func separate(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ c: Case, relu: Bool) -> Tensor {
        x.conv2d(w, bias: b, stride: c.stride, padding: c.padding, groups: c.groups, channelsLast: true, relu: relu)
            .maxPool2d(kernel: [2, 2], channelsLast: true)
    }

    @Test(arguments: TestSupport.backendNames, cases)
    func matchesConvThenPoolAtInference(backend: String, c: Case) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(c.input, seed: 11)
            let w = TestSupport.randn([c.outChannels, c.input[3] / c.groups] + c.kernel, seed: 12, scale: 0.5)
            let b = c.bias ? TestSupport.randn([c.outChannels], seed: 13) : nil
            for relu in [true, false] {
                let fused = Tensor.withoutGrad {
                    x.conv2dMaxPool2x2(w, bias: b, stride: c.stride, padding: c.padding, groups: c.groups, relu: relu)
                }
                let expected = Tensor.withoutGrad { Self.separate(x, w, b, c, relu: relu) }
                #expect(fused.shape == expected.shape, "\(c.name), relu \(relu)")
                #expect(fused.scalars == expected.scalars, "\(c.name), relu \(relu): bit for bit")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func aNaNWinsItsWindowAsInThePoolingOp(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            var values = TestSupport.randn([1, 10, 10, 1], seed: 14).scalars
            values[23] = .nan
            let x = Tensor(values, shape: [1, 10, 10, 1]), w = TestSupport.randn([16, 1, 3, 3], seed: 15)
            let fused = Tensor.withoutGrad { x.conv2dMaxPool2x2(w) }.scalars
            let expected = Tensor.withoutGrad { x.conv2d(w, channelsLast: true).maxPool2d(kernel: [2, 2], channelsLast: true) }.scalars
            #expect(fused.contains { $0.isNaN })
            #expect(fused.map(\.isNaN) == expected.map(\.isNaN))
            #expect(zip(fused, expected).allSatisfy { $0.isNaN || $0 == $1 })
        }
    }

    @Test func withGradientsRecordedItIsTheTwoOpsWithTheirGradients() {
        let c = Self.cases[1]
        let x = TestSupport.randn(c.input, seed: 16).requiringGrad()
        let w = TestSupport.randn([c.outChannels, 1, 3, 3], seed: 17, scale: 0.5).requiringGrad()
        let b = TestSupport.randn([c.outChannels], seed: 18).requiringGrad()
        func gradients(_ fused: Bool) -> [[Float]] {
            let y = fused ? x.conv2dMaxPool2x2(w, bias: b, relu: true) : Self.separate(x, w, b, c, relu: true)
            (y * TestSupport.randn(y.shape, seed: 19)).sum().backward()
            defer { x.grad = nil; w.grad = nil; b.grad = nil }
            return [y.scalars, x.grad!.scalars, w.grad!.scalars, b.grad!.scalars]
        }
        #expect(gradients(true) == gradients(false))
    }
}
