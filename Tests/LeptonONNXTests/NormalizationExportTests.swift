import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `BatchNormalization` (inference, running statistics; any feature axis) and
/// `LayerNormalization` exported, run in onnxruntime, compared with Lepton to 1e-4.
@Suite struct NormalizationExportTests {
    @Test func batchNormalizationOnEveryFeatureAxis() throws {
        try ExportCheck.expectMatch([BatchNormalization()], input: TestSupport.randn([4, 6], seed: 1), "dense features")
        try ExportCheck.expectMatch([BatchNormalization(epsilon: 1e-5)], input: TestSupport.randn([2, 5, 4, 3], seed: 2), "channels last")
        try ExportCheck.expectMatch([BatchNormalization(axis: 1)], input: TestSupport.randn([2, 3, 5, 4], seed: 3), "channels first")
        try ExportCheck.expectMatch([BatchNormalization(axis: 2)], input: TestSupport.randn([2, 3, 5, 4], seed: 4), "a middle axis")
        try ExportCheck.expectMatch([Conv2D(filters: 3, kernelSize: [3, 3]), BatchNormalization(), Activation(.relu)],
                                    input: TestSupport.randn([2, 6, 6, 2], seed: 5), "after a convolution")
    }

    @Test func batchNormalizationOverTheBatchAxisIsRefused() throws {
        do {
            _ = try ONNXExporter.export(model: .init([Dense(units: 3), BatchNormalization(axis: 0)]), inputShape: [4])
            Issue.record("expected an error")
        } catch let error as ONNXError {
            #expect(error.description.hasPrefix("layer 1 (BatchNormalization): axis 0 is the batch axis"), "\(error)")
        }
    }

    @Test func layerNormalization() throws {
        try ExportCheck.expectMatch([LayerNormalization()], input: TestSupport.randn([3, 7], seed: 6))
        try ExportCheck.expectMatch([LayerNormalization(epsilon: 1e-3)], input: TestSupport.randn([2, 5, 8], seed: 7, scale: 4), "rank 3")
    }
}
