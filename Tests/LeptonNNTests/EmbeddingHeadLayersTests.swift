import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// UnitNormalization and CosineDense, the layers at the end of an embedding model.
@Suite struct EmbeddingHeadLayersTests {
    @Test func unitNormalizationGivesRowsOfLengthOne() {
        let y = UnitNormalization()(Tensor([3, 4, 0, 0, 1, 0], shape: [3, 2])).scalars
        #expect(abs(y[0] - 0.6) < 1e-6 && abs(y[1] - 0.8) < 1e-6)
        #expect(y[2] == 0 && y[3] == 0)   // a zero row stays zero, not NaN
        let result = GradientChecker.check([GradientChecker.input([3, 4], seed: 2, low: 0.2, high: 1)]) { UnitNormalization()($0[0]) }
        #expect(result.passed, "\(result)")
    }

    @Test func cosineDenseOutputsCosinesToItsCentres() {
        let layer = CosineDense(units: 3, inputDimensions: 4)
        let x = GradientChecker.input([5, 4], seed: 3)
        let y = layer(x).scalars
        #expect(y.allSatisfy { abs($0) <= 1 + 1e-5 })
        // Scaling an input does not change its cosines.
        let scaled = layer(x * 7).scalars
        #expect(zip(y, scaled).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func bothRoundTripThroughTheRegistryAndRefuseBadSettings() throws {
        let unit = try LayerRegistry.make(.object(["type": .string("UnitNormalization")]), path: "layers[0]")
        let head = try LayerRegistry.make(.object(["type": .string("CosineDense"), "units": .int(7)]), path: "layers[1]")
        #expect(unit is UnitNormalization && (head as? CosineDense)?.units == 7)
        #expect(throws: ConfigError.self) { try LayerRegistry.make(.object(["type": .string("CosineDense"), "units": .int(0)]), path: "l") }
        #expect(throws: ConfigError.self) { try LayerRegistry.make(.object(["type": .string("UnitNormalization"), "epsilon": .int(-1)]), path: "l") }
        #expect(throws: ConfigError.self) { try CosineDense(units: 3).inferShape(TensorSpec(shape: [2, 3, 4], dtype: .float32)) }
    }
}
