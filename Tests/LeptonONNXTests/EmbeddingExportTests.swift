import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Embedding` and `MatrixFactorization` (`INT32` id inputs) exported, run in onnxruntime,
/// compared with Lepton to 1e-4.
@Suite struct EmbeddingExportTests {
    @Test func embeddingGathersRows() throws {
        let ids = ExportCheck.ids([4, 6], bound: 50, seed: 1)
        try ExportCheck.expectMatch([Embedding(vocabularySize: 50, dimensions: 8, paddingIndex: 0)], input: ids)
        try ExportCheck.expectMatch([Embedding(vocabularySize: 50, dimensions: 3), Flatten(), Dense(units: 2, activation: .sigmoid)],
                                    input: ids, "embedding → flatten → dense")
        let proto = try ONNXExporter.export(model: .init([Embedding(vocabularySize: 50, dimensions: 8)]), inputShape: [6], inputDType: .int32)
        #expect(proto.graph.input[0].type.tensorType.elemType == ONNXElementType.int32.rawValue)
    }

    /// A mask that ONNX cannot carry is refused, naming the layer that uses it; a mask that no
    /// layer uses (Flatten ends it) exports as the plain lookup.
    @Test func aMaskZeroEmbeddingExportsOnlyWhenNoLayerUsesTheMask() throws {
        let masked = Sequential([Embedding(vocabularySize: 50, dimensions: 4, maskZero: true), LSTM(units: 3)])
        #expect { try ONNXExporter.export(model: masked, inputShape: [6], inputDType: .int32) } throws: {
            "\($0)".contains("layer 1 (LSTM): it steps over the padding that an Embedding with mask_zero marks")
        }
        try ExportCheck.expectMatch([Embedding(vocabularySize: 50, dimensions: 3, maskZero: true), Flatten(), Dense(units: 2)],
                                    input: ExportCheck.ids([4, 6], bound: 50, seed: 4), "mask ended by Flatten")
    }

    @Test func matrixFactorization() throws {
        var users = ExportCheck.ids([9], bound: 31, seed: 2).int32Scalars
        let items = ExportCheck.ids([9], bound: 41, seed: 3).int32Scalars
        users[0] = 30   // the largest id (ids run 0...users)
        let pairs = Tensor(int32: zip(users, items).flatMap { [$0, $1] }, shape: [9, 2])
        try ExportCheck.expectMatch([MatrixFactorization(users: 30, items: 40, factors: 5, globalMean: 3.5)], input: pairs)
    }
}
