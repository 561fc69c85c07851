import Foundation
import Testing
import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizer` (Quantization/DynamicQuantizer.swift): which layers it swaps, what it keeps,
/// what it refuses, and the saved folder (int8 weights: a smaller file) loading back to the same outputs.
@Suite struct DynamicQuantizerTests {
    static func sentimentLike() -> Sequential {
        let model = GlobalRandom.scoped(seed: 1) {
            Sequential([Embedding(vocabularySize: 50, dimensions: 16), Bidirectional(LSTM(units: 32)), Dropout(rate: 0.3),
                        Dense(units: 1, activation: .sigmoid)])
        }
        model.build(inputShape: [12], dtype: .int32)
        return model
    }

    static func ids(_ rows: Int, seed: UInt64) -> Tensor {
        let u = TestSupport.uniform([rows, 12], seed: seed, low: 0, high: 49.99).scalars
        return Tensor(int32: u.map { Int32($0) }, shape: [rows, 12])
    }

    @Test func swapsEmbeddingDenseAndRecurrentLayers() throws {
        let model = Self.sentimentLike()
        model.eval()
        let result = try DynamicQuantizer().quantize(model)
        #expect(result.quantized.map(\.layer) == ["Embedding, int8 rows (weight-only)", "Bidirectional(LSTM), inputs quantised per batch",
                                                  "Dense, inputs quantised per batch"])
        #expect(result.kept.isEmpty)
        #expect(result.model.layers[0] is QuantizedEmbedding && result.model.layers[1] is DynamicQuantizedBidirectional
                && result.model.layers[2] is Dropout && result.model.layers[3] is DynamicQuantizedDense)
        let x = Self.ids(16, seed: 2)
        let float = model(x).scalars, int8 = result.model(x).scalars
        #expect(zip(float, int8).map { abs($0 - $1) }.max()! < 0.02)
    }

    @Test func keepsEmbeddingsInFloatWhenAsked() throws {
        let model = Self.sentimentLike()
        let result = try DynamicQuantizer(embeddings: false).quantize(model)
        #expect(result.kept.map(\.name) == [model.layerNames[0]] && result.model.layers[0] is Embedding)
        #expect(result.kept[0].reason.contains("kept in float32"))
    }

    @Test func savesAndLoadsTheSameModel() throws {
        QuantizedLayers.register()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-dynamic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Self.sentimentLike()
        let int8 = try DynamicQuantizer().quantize(model).model
        int8.eval()
        try ModelFile.save(model, to: dir.appendingPathComponent("float"), inputShape: [12], inputDType: .int32)
        try ModelFile.save(int8, to: dir.appendingPathComponent("int8"), inputShape: [12], inputDType: .int32)
        let loaded = try ModelFile.load(from: dir.appendingPathComponent("int8"))
        loaded.eval()
        let x = Self.ids(9, seed: 3)
        #expect(loaded(x).scalars == int8(x).scalars)
        let dtypes = Dictionary(uniqueKeysWithValues: loaded.stateDict().map { ($0.0, $0.1.dtype) })
        #expect(dtypes["layers.1.forwardLayer.recurrentProjection.kernel"] == .int8)
        #expect(dtypes["layers.1.backwardLayer.inputProjection.kernelScale"] == .float32)
        #expect(dtypes["layers.0.weight"] == .int8 && dtypes["layers.0.weightScale"] == .float32)
        let size = { (name: String) in
            try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("\(name)/model.safetensors").path)[.size] as! Int
        }
        // Rows this short carry a scale (and a code sum) per 16–32 codes, and the file's header
        // names each tensor: 2.5× here, about 3.8× on the sentiment LSTM (docs/BENCHMARKS.md).
        let ratio = Double(try size("float")) / Double(try size("int8"))
        #expect(ratio > 2.5, "weights file \(ratio)x smaller")
    }

    @Test func refusesAModelWithNothingToQuantise() {
        let model = Sequential([Rescaling(scale: 0.5), Flatten()])
        #expect {
            _ = try DynamicQuantizer().quantize(model)
        } throws: { error in
            (error as? CompressError)?.description.contains("no layer dynamic quantisation applies to (its layers: Rescaling, Flatten)") == true
        }
    }

    @Test func refusesAnUnbuiltLayer() {
        #expect {
            _ = try DynamicQuantizer().quantize(Sequential([LSTM(units: 4)]))
        } throws: { error in
            (error as? CompressError)?.description.contains("has no weights yet") == true
        }
    }
}
