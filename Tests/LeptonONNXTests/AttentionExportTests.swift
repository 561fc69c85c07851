import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// Self-attention, Transformer encoder blocks and position layers exported, run in
/// onnxruntime, compared with Lepton to 1e-4.
@Suite struct AttentionExportTests {
    @Test func multiHeadSelfAttention() throws {
        let x = TestSupport.randn([2, 5, 8], seed: 1)
        try ExportCheck.expectMatch([MultiHeadAttention(heads: 2, keyDimensions: 4)], input: x)
        try ExportCheck.expectMatch([MultiHeadAttention(heads: 3, keyDimensions: 2, valueDimensions: 5, useBias: false, outputDimensions: 6)],
                                    input: x, "other value and output sizes, no biases")
    }

    @Test func transformerEncoderBlocks() throws {
        let x = TestSupport.randn([2, 6, 8], seed: 2)
        try ExportCheck.expectMatch([TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 16)], input: x, "post-norm")
        try ExportCheck.expectMatch([TransformerEncoderLayer(modelDimensions: 8, heads: 4, feedForwardDimensions: 12, activation: .gelu,
                                                             normFirst: true)], input: x, "pre-norm, GELU")
        try ExportCheck.expectMatch([TransformerEncoder(layers: 2, modelDimensions: 8, heads: 2, feedForwardDimensions: 16, normFirst: true,
                                                        finalNorm: true), Flatten(), Dense(units: 3)],
                                    input: x, "stack with final norm, then a classifier head")
    }

    @Test func positionLayers() throws {
        let x = TestSupport.randn([2, 6, 8], seed: 3)
        try ExportCheck.expectMatch([PositionEmbedding(sequenceLength: 10)], input: x, "fewer steps than the table")
        try ExportCheck.expectMatch([PositionEmbedding(sequenceLength: 6)], input: x, "the whole table")
        try ExportCheck.expectMatch([SinusoidalPositionEncoding()], input: x)
        let ids = ExportCheck.ids([3, 7], bound: 30, seed: 4)
        try ExportCheck.expectMatch([TokenAndPositionEmbedding(vocabularySize: 30, sequenceLength: 9, embeddingDimensions: 8),
                                     TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 8)], input: ids,
                                    "a small Transformer classifier body")
    }

    @Test func positionLayersNeedABatchAxis() throws {
        do {
            _ = try ONNXExporter.export(model: .init([Dense(units: 4), PositionEmbedding(sequenceLength: 8)]), inputShape: [3])
            Issue.record("expected an error")
        } catch let error as ONNXError {
            #expect(error.description.hasPrefix("layer 1 (PositionEmbedding): input [batch, 4] is read by Lepton as one unbatched sequence"),
                    "\(error)")
        }
    }
}
