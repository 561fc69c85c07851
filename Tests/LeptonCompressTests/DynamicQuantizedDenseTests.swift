import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizedDense` (Layers/DynamicQuantizedDense.swift): the input quantised on its own
/// range per call, the exact int8 arithmetic on every kernel path, close to the float `Dense`.
@Suite struct DynamicQuantizedDenseTests {
    /// What the layer must output: the input's range → uint8 codes, int32 sums with the weight
    /// codes, dequantised in float.
    static func reference(_ layer: DynamicQuantizedDense, _ x: Tensor) -> [Float] {
        let values = x.scalars, depth = layer.inputDimensions, units = layer.units, rows = x.count / depth
        let q = ActivationQuantization(minimum: values.min()!, maximum: values.max()!)
        let codes = values.map { Int32(q.code($0)) }
        let w = (0..<layer.kernel.count).map { Int32(layer.kernel.int8s[$0]) }
        let scales = layer.kernelScale.scalars, bias = layer.bias?.scalars
        var out: [Float] = []
        for r in 0..<rows {
            for n in 0..<units {
                var acc: Int32 = 0
                for k in 0..<depth { acc += (codes[r * depth + k] - q.zeroPoint) * w[n * depth + k] }
                let v = Float(acc) * (q.scale * scales[n]) + (bias?[n] ?? 0)
                out.append(layer.activation == .relu ? max(v, 0) : v)
            }
        }
        return out
    }

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported), [(1, 70, 5), (3, 40, 33), (9, 64, 256), (33, 13, 40), (300, 128, 1)])
    func everyPathIsExact(path: Int8KernelPath, size: (Int, Int, Int)) {
        let size = (rows: size.0, depth: size.1, units: size.2)
        let dense = GlobalRandom.scoped(seed: 1) { Dense(units: size.units, activation: .relu, inputDimensions: size.depth) }
        dense.bias!.assign(TestSupport.randn([size.units], seed: 3, scale: 0.1))
        let layer = DynamicQuantizedDense(dense)
        layer.kernelPath = path
        let x = TestSupport.randn([size.rows, size.depth], seed: 4)
        let worst = TestSupport.maxRelativeError(layer(x).scalars, Self.reference(layer, x), floor: 1e-3)
        #expect(worst < 1e-5, "path \(path), \(size): worst relative error \(worst)")
    }

    @Test func closeToTheFloatLayerAtAnyScale() {
        let dense = GlobalRandom.scoped(seed: 2) { Dense(units: 32, activation: .linear, inputDimensions: 300) }
        let layer = DynamicQuantizedDense(dense)
        for scale: Float in [0.01, 1, 100] {   // no calibration: each batch brings its own range
            let x = TestSupport.randn([64, 300], seed: 5, scale: scale)
            let float = dense(x).scalars, int8 = layer(x).scalars
            let range = float.map(abs).max()!
            let worst = zip(float, int8).map { abs($0 - $1) }.max()!
            #expect(worst < 0.03 * range, "scale \(scale): worst difference \(worst) of range \(range)")
            #expect(worst > 0, "int8 arithmetic should not reproduce float32 exactly")
        }
    }

    @Test func keepsLeadingAxesAndRunsOtherActivationsAfter() {
        let dense = GlobalRandom.scoped(seed: 3) { Dense(units: 10, activation: .softmax, inputDimensions: 20) }
        let out = DynamicQuantizedDense(dense)(TestSupport.randn([2, 3, 20], seed: 6))
        #expect(out.shape == [2, 3, 10])
        for r in 0..<6 { #expect(abs(out.scalars[(r * 10)..<(r * 10 + 10)].reduce(0, +) - 1) < 1e-5) }
    }

    @Test func nonFiniteInputsDoNotSpoilTheRange() {
        let dense = GlobalRandom.scoped(seed: 4) { Dense(units: 4, inputDimensions: 40) }
        let layer = DynamicQuantizedDense(dense)
        var values = TestSupport.randn([2, 40], seed: 7).scalars
        let float = dense(Tensor(values, shape: [2, 40])).scalars
        values[79] = .infinity
        values[78] = .nan
        let out = layer(Tensor(values, shape: [2, 40])).scalars
        let finite = out.allSatisfy { $0.isFinite }
        #expect(finite, "\(out)")
        let range = float.map(abs).max()!
        for n in 0..<4 { #expect(abs(out[n] - float[n]) < 0.03 * range, "the finite row keeps a finite range: \(out) vs \(float)") }
    }

    @Test func configRoundTrips() throws {
        QuantizedLayers.register()
        let layer = DynamicQuantizedDense(GlobalRandom.scoped(seed: 5) { Dense(units: 6, activation: .relu, inputDimensions: 9) })
        let config = try #require(LayerRegistry.config(of: layer))
        let again = try #require(try LayerRegistry.make(config, path: "layer") as? DynamicQuantizedDense)
        #expect(again.config == layer.config)
        #expect(again.kernel.dtype == .int8 && again.kernel.shape == [6, 9])
    }
}
