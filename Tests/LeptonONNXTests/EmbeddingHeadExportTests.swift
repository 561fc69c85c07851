import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// UnitNormalization and CosineDense exported to ONNX agree with onnxruntime.
@Suite struct EmbeddingHeadExportTests {
    @Test func unitNormalizationAndCosineHeadMatchOnnxRuntime() throws {
        let x = TestSupport.randn([4, 6], seed: 21)
        _ = try ExportCheck.expectMatch([Dense(units: 5), UnitNormalization()], input: x, "embedding")
        _ = try ExportCheck.expectMatch([Dense(units: 5), CosineDense(units: 3)], input: x, "cosine head")
    }
}
