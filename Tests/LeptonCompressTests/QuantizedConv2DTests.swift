import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `QuantizedConv2D` (Layers/QuantizedConv2D.swift): every kernel path gives the exact integer
/// result of the quantised arithmetic (padding, strides, channel counts that are not multiples of
/// 4, filter counts that are not multiples of 32), and the layer stays close to the float `Conv2D`.
@Suite struct QuantizedConv2DTests {
    /// The quantised convolution computed directly: codes of the padded input minus the zero
    /// point, times the filters' codes, dequantised.
    static func reference(_ layer: QuantizedConv2D, _ x: Tensor) -> [Float] {
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, sh, sw, f) = (layer.kernelSize[0], layer.kernelSize[1], layer.strides[0], layer.strides[1], layer.filters)
        let q = layer.inputQuantization
        func pad(_ size: Int, _ k: Int, _ s: Int) -> (Int, Int) {
            guard layer.padding == .same else { return (0, (size - k) / s + 1) }
            let out = (size + s - 1) / s
            return (max(0, (out - 1) * s + k - size) / 2, out)
        }
        let (top, oh) = pad(h, kh, sh), (left, ow) = pad(w, kw, sw)
        let codes = x.scalars.map { Int32(q.code($0)) - q.zeroPoint }
        let weights = QuantizedReference.weightCodes(layer), epilogue = QuantizedReference.epilogue(layer)
        var out: [Float] = []
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<f {
            var acc: Int32 = 0
            for dy in 0..<kh { for dx in 0..<kw {
                let y = oy * sh + dy - top, xx = ox * sw + dx - left
                guard y >= 0, y < h, xx >= 0, xx < w else { continue }
                for ch in 0..<c { acc += codes[((b * h + y) * w + xx) * c + ch] * weights[((o * kh + dy) * kw + dx) * c + ch] }
            } }
            out.append(epilogue(acc, o))
        } } } }
        return out
    }

    static func quantized(_ conv: Conv2D, calibration x: Tensor, reduceRange: Bool = false) throws -> QuantizedConv2D {
        let result = try PostTrainingQuantizer(reduceRange: reduceRange).quantize(Sequential([conv]), calibration: x, batchSize: 8)
        return try #require(result.model.layers[0] as? QuantizedConv2D)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let input: [Int], filters: Int, kernel: [Int], strides: [Int], padding: PaddingMode
        var testDescription: String { "\(input) → \(filters) filters \(kernel) stride \(strides) \(padding)" }
    }

    static let cases = [
        Case(input: [2, 28, 28, 1], filters: 32, kernel: [3, 3], strides: [1, 1], padding: .valid),
        Case(input: [3, 11, 9, 3], filters: 40, kernel: [3, 3], strides: [2, 2], padding: .same),
        Case(input: [1, 7, 8, 5], filters: 7, kernel: [2, 3], strides: [1, 2], padding: .same),
        Case(input: [2, 6, 6, 16], filters: 64, kernel: [1, 1], strides: [1, 1], padding: .valid),
    ]

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported), cases)
    func everyPathIsExact(path: Int8KernelPath, test: Case) throws {
        let conv = Conv2D(filters: test.filters, kernelSize: test.kernel, strides: test.strides, padding: test.padding,
                          activation: .relu, inputChannels: test.input[3])
        conv.bias!.assign(TestSupport.randn([test.filters], seed: 8, scale: 0.1))
        let x = TestSupport.randn(test.input, seed: 9)
        let layer = try Self.quantized(conv, calibration: x)
        layer.kernelPath = path
        let actual = layer(x)
        #expect(actual.shape == conv(x).shape)
        let worst = TestSupport.maxRelativeError(actual.scalars, Self.reference(layer, x), floor: 1e-3)
        #expect(worst < 1e-5, "path \(path), \(test.testDescription): worst relative error \(worst)")
    }

    /// 7-bit weights run the AVX2 path's vpmaddubsw kernel (pools up to 4 wide; 5 falls back).
    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported))
    func narrowWeightsAreExactOnEveryPath(path: Int8KernelPath) throws {
        for test in Self.cases {
            let conv = Conv2D(filters: test.filters, kernelSize: test.kernel, strides: test.strides, padding: test.padding,
                              activation: .relu, inputChannels: test.input[3])
            let x = TestSupport.randn(test.input, seed: 15)
            let layer = try Self.quantized(conv, calibration: x, reduceRange: true)
            #expect(QuantizedReference.weightCodes(layer).allSatisfy { abs($0) <= 64 })
            layer.kernelPath = path
            let worst = TestSupport.maxRelativeError(layer(x).scalars, Self.reference(layer, x), floor: 1e-3)
            #expect(worst < 1e-5, "path \(path), \(test.testDescription): worst relative error \(worst)")
        }
        for pool in [[2, 2], [3, 3], [2, 4], [2, 5]] {
            let model = Sequential([Conv2D(filters: 36, kernelSize: [3, 3], activation: .relu, inputChannels: 2),
                                    MaxPooling2D(poolSize: pool)])
            let x = TestSupport.randn([2, 15, 17, 2], seed: 16)
            model.build(inputShape: [15, 17, 2])
            let fused = try PostTrainingQuantizer(reduceRange: true).quantize(model, calibration: x, batchSize: 2).model
            let separate = try PostTrainingQuantizer(fusePooling: false, reduceRange: true).quantize(model, calibration: x, batchSize: 2).model
            (fused.layers[0] as? QuantizedConv2D)?.kernelPath = path
            (separate.layers[0] as? QuantizedConv2D)?.kernelPath = .portable
            #expect(fused(x).scalars == separate(x).scalars, "path \(path), pool \(pool)")
        }
    }

    @Test func closeToTheFloatLayer() throws {
        let conv = Conv2D(filters: 16, kernelSize: [3, 3], padding: .same, inputChannels: 3)
        let x = TestSupport.randn([4, 10, 10, 3], seed: 10)
        let layer = try Self.quantized(conv, calibration: x)
        let float = conv(x).scalars, int8 = layer(x).scalars
        let range = float.map(abs).max()!
        let worst = zip(float, int8).map { abs($0 - $1) }.max()!
        #expect(worst < 0.03 * range, "worst difference \(worst) of range \(range)")
    }

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported), [[2, 2], [3, 2], [1, 4], [2, 5]])
    func fusedPoolingEqualsConvolutionThenPooling(path: Int8KernelPath, pool: [Int]) throws {
        let model = Sequential([Conv2D(filters: 36, kernelSize: [3, 3], activation: .relu, inputChannels: 2),
                                MaxPooling2D(poolSize: pool)])
        let x = TestSupport.randn([2, 15, 17, 2], seed: 12)
        model.build(inputShape: [15, 17, 2])
        let fused = try PostTrainingQuantizer().quantize(model, calibration: x, batchSize: 2).model
        let separate = try PostTrainingQuantizer(fusePooling: false).quantize(model, calibration: x, batchSize: 2).model
        #expect(fused.layers.count == 1 && separate.layers.count == 2)
        let layer = try #require(fused.layers[0] as? QuantizedConv2D)
        #expect(layer.poolSize == pool)
        layer.kernelPath = path
        (separate.layers[0] as? QuantizedConv2D)?.kernelPath = path
        let expected = separate(x)
        let actual = fused(x)
        #expect(actual.shape == expected.shape)
        #expect(actual.scalars == expected.scalars, "path \(path), pool \(pool)")
    }

    @Test func inferShapeRefusesWrongChannels() throws {
        let layer = try Self.quantized(Conv2D(filters: 4, kernelSize: [3, 3], inputChannels: 2),
                                       calibration: TestSupport.randn([1, 5, 5, 2], seed: 11))
        #expect(throws: ConfigError.self) { try layer.inferShape(TensorSpec(shape: [1, 5, 5, 3])) }
        #expect(try layer.inferShape(TensorSpec(shape: [1, 5, 5, 2])).output.shape == [1, 3, 3, 4])
    }
}
