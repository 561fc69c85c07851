import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `QuantizedDense` (Layers/QuantizedDense.swift): every kernel path this CPU runs gives the exact
/// integer result of the quantised arithmetic, and the layer stays close to the float `Dense` it replaces.
@Suite struct QuantizedDenseTests {
    /// What the layer must output: the int32 sums of codes, dequantised in float.
    static func reference(_ layer: QuantizedDense, _ x: Tensor) -> [Float] {
        let depth = layer.inputDimensions, units = layer.units, rows = x.count / depth
        let q = layer.inputQuantization
        let codes = x.scalars.map { Int32(q.code($0)) }
        let w = QuantizedReference.weightCodes(layer), epilogue = QuantizedReference.epilogue(layer)
        var out: [Float] = []
        for r in 0..<rows {
            for n in 0..<units {
                var acc: Int32 = 0
                for k in 0..<depth { acc += (codes[r * depth + k] - q.zeroPoint) * w[n * depth + k] }
                out.append(epilogue(acc, n))
            }
        }
        return out
    }

    static func quantized(_ dense: Dense, calibration x: Tensor, reduceRange: Bool = false) throws -> QuantizedDense {
        let result = try PostTrainingQuantizer(reduceRange: reduceRange).quantize(Sequential([dense]), calibration: x, batchSize: 64)
        return try #require(result.model.layers[0] as? QuantizedDense)
    }

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported), [(1, 70, 5), (9, 200, 13), (33, 64, 4), (4, 5408, 128)])
    func everyPathIsExact(path: Int8KernelPath, size: (Int, Int, Int)) throws {
        let size = (rows: size.0, depth: size.1, units: size.2)
        let dense = Dense(units: size.units, activation: .relu, inputDimensions: size.depth)
        dense.bias!.assign(TestSupport.randn([size.units], seed: 3, scale: 0.1))
        let x = TestSupport.randn([size.rows, size.depth], seed: 4)
        let layer = try Self.quantized(dense, calibration: x)
        layer.kernelPath = path
        let expected = Self.reference(layer, x)
        let worst = TestSupport.maxRelativeError(layer(x).scalars, expected, floor: 1e-3)
        #expect(worst < 1e-5, "path \(path), \(size): worst relative error \(worst)")
    }

    /// 7-bit weights run the AVX2 path's vpmaddubsw kernel: inputs at the calibrated extremes
    /// (codes 0 and 255) against codes ±64 are the worst case for its int16 pair sums.
    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported))
    func narrowWeightsAreExactOnEveryPath(path: Int8KernelPath) throws {
        for (rows, depth, units) in [(1, 70, 5), (9, 200, 13), (4, 5408, 128)] {
            let dense = Dense(units: units, activation: .relu, inputDimensions: depth)
            let x = TestSupport.randn([rows, depth], seed: 14)
            let layer = try Self.quantized(dense, calibration: x, reduceRange: true)
            let codes = QuantizedReference.weightCodes(layer)
            #expect(codes.allSatisfy { abs($0) <= 64 } && codes.contains { abs($0) == 64 })
            layer.kernelPath = path
            let worst = TestSupport.maxRelativeError(layer(x).scalars, Self.reference(layer, x), floor: 1e-3)
            #expect(worst < 1e-5, "path \(path), \(rows)×\(depth)→\(units): worst relative error \(worst)")
        }
    }

    @Test func closeToTheFloatLayer() throws {
        let dense = Dense(units: 32, activation: .linear, inputDimensions: 300)
        let x = TestSupport.randn([64, 300], seed: 5)
        let layer = try Self.quantized(dense, calibration: x)
        let float = dense(x).scalars, int8 = layer(x).scalars
        let range = float.map(abs).max()!
        let worst = zip(float, int8).map { abs($0 - $1) }.max()!
        #expect(worst < 0.03 * range, "worst difference \(worst) of range \(range)")
        #expect(worst > 0, "int8 arithmetic should not reproduce float32 exactly")
    }

    @Test func softmaxRunsAfterTheKernel() throws {
        let dense = Dense(units: 10, activation: .softmax, inputDimensions: 20)
        let x = TestSupport.randn([3, 20], seed: 6)
        let out = try Self.quantized(dense, calibration: x)(x)
        for r in 0..<3 { #expect(abs(out.scalars[(r * 10)..<(r * 10 + 10)].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func configRoundTrips() throws {
        QuantizedLayers.register()
        let layer = try Self.quantized(Dense(units: 6, activation: .relu, inputDimensions: 9), calibration: TestSupport.randn([4, 9], seed: 7))
        let config = try #require(LayerRegistry.config(of: layer))
        let again = try #require(try LayerRegistry.make(config, path: "layer") as? QuantizedDense)
        #expect(again.config == layer.config)
        #expect(again.inputQuantization == layer.inputQuantization)
    }

    @Test func badConfigsAreRefused() {
        QuantizedLayers.register()
        let base: [String: ConfigValue] = ["type": .string("QuantizedDense"), "units": .int(4), "input_dim": .int(3),
                                           "input_scale": .double(0.1), "input_zero_point": .int(0)]
        for (key, value, words) in [("input_scale", ConfigValue.double(-1), "positive"), ("input_zero_point", .int(300), "0...255"),
                                    ("input_dim", .int(0), "≥ 1")] {
            var bad = base
            bad[key] = value
            #expect {
                _ = try LayerRegistry.make(.object(bad), path: "layers[2]")
            } throws: { error in
                "\(error)".contains(key) && "\(error)".contains(words)
            }
        }
    }
}
