import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `QuantizedEmbedding` (Layers/QuantizedEmbedding.swift): int8 rows with a scale each, looked up
/// within half a step of the float table, the mask of `mask_zero`, the config round trip.
@Suite struct QuantizedEmbeddingTests {
    @Test func looksUpRowsWithinHalfAStep() {
        let float = GlobalRandom.scoped(seed: 1) { Embedding(vocabularySize: 30, dimensions: 7, maskZero: true) }
        let table = QuantizedEmbedding(float)
        let ids = Tensor(int32: [0, 5, 29, 5, 3, 0], shape: [2, 3])
        let expected = float(ids).scalars, got = table(ids).scalars
        let scales = table.weightScale.scalars
        for (i, id) in [0, 5, 29, 5, 3, 0].enumerated() {
            for d in 0..<7 { #expect(abs(expected[i * 7 + d] - got[i * 7 + d]) <= scales[id] / 2 + 1e-7) }
        }
        #expect(table(ids).shape == [2, 3, 7])
        #expect(table.outputMask(for: ids, mask: nil)?.scalars == [0, 1, 1, 1, 1, 0])
    }

    @Test func configRoundTrips() throws {
        QuantizedLayers.register()
        let table = QuantizedEmbedding(GlobalRandom.scoped(seed: 2) { Embedding(vocabularySize: 12, dimensions: 4) })
        let config = try #require(LayerRegistry.config(of: table))
        let again = try #require(try LayerRegistry.make(config, path: "layer") as? QuantizedEmbedding)
        #expect(again.config == table.config && again.weight.dtype == .int8 && again.weight.shape == [12, 4])
        #expect(throws: ConfigError.self) { try again.inferShape(TensorSpec(shape: [1, 3], dtype: .float32)) }
    }
}
