import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// Keras's preprocessing layers: `Rescaling` and `Normalization` (with `adapt`), and their configs.
@Suite struct PreprocessingLayerTests {
    @Test func rescalingScalesAndShiftsAndTakesIntegers() {
        let layer = Rescaling(scale: 1.0 / 255, offset: -0.5)
        #expect(layer(Tensor([0, 255, 51], shape: [3])).scalars.map { ($0 * 1e5).rounded() / 1e5 } == [-0.5, 0.5, -0.3])
        #expect(layer(Tensor(int32: [0, 255], shape: [2])).dtype == .float32)
    }

    @Test func normalizationAdaptsPerFeatureLikeKeras() throws {
        let x = Tensor([1, 10, 3, 30, 5, 50], shape: [3, 2])
        let layer = Normalization()
        try layer.adapt(x)
        #expect(layer.mean?.scalars == [3, 30])
        let v = layer.variance!.scalars
        #expect(abs(v[0] - 8.0 / 3) < 1e-5 && abs(v[1] - 800.0 / 3) < 1e-3)   // population variance, as Keras
        let y = layer(x).scalars
        #expect(abs(y[0] + 1.2247449) < 1e-5 && abs(y[1] + 1.2247449) < 1e-5 && abs(y[2]) < 1e-6)
        // A constant feature divides by the 1e-7 floor, not by zero.
        let constant = Normalization()
        try constant.adapt(Tensor([2, 2, 2], shape: [3, 1]))
        #expect(constant(Tensor([2], shape: [1, 1])).scalars == [0])
    }

    @Test func statisticsAreBuffersSavedWithTheModel() throws {
        let layer = Normalization(axis: nil)
        try layer.adapt(Tensor([0, 2, 4, 6], shape: [2, 2]))
        #expect(Set(layer.stateDict().map(\.0)) == ["mean", "variance"])
        let rebuilt = try LayerRegistry.make(.object(["type": .string("Normalization"), "axis": .null, "features": .int(1)]), path: "layers[0]")
        try rebuilt.loadStateDict(Dictionary(uniqueKeysWithValues: layer.stateDict()))
        #expect(rebuilt(Tensor([3], shape: [1, 1])).scalars == layer(Tensor([3], shape: [1, 1])).scalars)
        #expect(LayerRegistry.config(of: layer) == .object(["type": .string("Normalization"), "axis": .null, "features": .int(1)]))
    }

    @Test func badConfigsAreErrors() {
        #expect(throws: ConfigError.self) { try LayerRegistry.make(.object(["type": .string("Rescaling"), "scale": .string("x")]), path: "l") }
        #expect(throws: ConfigError.self) { try LayerRegistry.make(.object(["type": .string("Normalization"), "features": .int(0)]), path: "l") }
        #expect(throws: ConfigError.self) { try Normalization(axis: 3).adapt(Tensor.zeros([2, 2])) }
    }
}
