import Foundation
import Testing
import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizedTransformerEncoder` and its blocks (Layers/DynamicQuantizedTransformerEncoder.swift):
/// made by `DynamicQuantizer` from a text classifier with padding, saved and loaded.
@Suite struct DynamicQuantizedTransformerEncoderTests {
    static func classifier(normFirst: Bool = false) -> Sequential {
        let model = GlobalRandom.scoped(seed: 7) {
            Sequential([Embedding(vocabularySize: 40, dimensions: 32, maskZero: true),
                        TransformerEncoder(layers: 2, modelDimensions: 32, heads: 4, feedForwardDimensions: 64,
                                           dropout: 0.1, normFirst: normFirst, finalNorm: normFirst, seed: 3),
                        Flatten(), Dense(units: 3)])
        }
        model.build(inputShape: [12], dtype: .int32)
        model.eval()
        return model
    }

    /// Token ids with trailing padding (id 0) in some rows.
    static func ids(_ rows: Int) -> Tensor {
        var ids: [Int32] = []
        for r in 0..<rows { for t in 0..<12 { ids.append(t >= 12 - r % 4 ? 0 : Int32(1 + (r * 7 + t * 3) % 39)) } }
        return Tensor(int32: ids, shape: [rows, 12])
    }

    @Test(arguments: [false, true])
    func quantizedEncoderAgreesWithTheFloatModel(normFirst: Bool) throws {
        let model = Self.classifier(normFirst: normFirst)
        let result = try DynamicQuantizer(embeddings: false).quantize(model)
        #expect(result.model.layers[1] is DynamicQuantizedTransformerEncoder && result.model.layers[3] is DynamicQuantizedDense)
        #expect(result.quantized.map(\.layer).contains("TransformerEncoder, inputs quantised per batch"))
        let x = Self.ids(8)
        let float = Tensor.withoutGrad { model(x) }, int8 = result.model(x)
        #expect(DynamicQuantizedMultiHeadAttentionTests.relativeError(int8, float) < 0.05)
        #expect(zip(float.argmax(axis: 1).cast(to: .float32).scalars, int8.argmax(axis: 1).cast(to: .float32).scalars).filter { $0 == $1 }.count >= 7)
    }

    @Test func savesAndLoadsTheSameModel() throws {
        QuantizedLayers.register()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-dynamic-encoder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let int8 = try DynamicQuantizer().quantize(Self.classifier()).model
        int8.eval()
        try ModelFile.save(int8, to: dir, inputShape: [12], inputDType: .int32)
        let loaded = try ModelFile.load(from: dir)
        loaded.eval()
        #expect(loaded.layers[1] is DynamicQuantizedTransformerEncoder)
        let x = Self.ids(5)
        #expect(loaded(x).scalars == int8(x).scalars)
        let dtypes = Dictionary(uniqueKeysWithValues: loaded.stateDict().map { ($0.0, $0.1.dtype) })
        #expect(dtypes["layers.1.layers.0.selfAttention.query.kernel"] == .int8)
        #expect(dtypes["layers.1.layers.1.feedForward2.kernelScale"] == .float32)
        #expect(dtypes["layers.1.layers.1.norm2.gamma"] == .float32)
    }

    @Test func aBlockAloneIsQuantizedToo() throws {
        let block = GlobalRandom.scoped(seed: 9) { TransformerEncoderLayer(modelDimensions: 16, heads: 2, feedForwardDimensions: 32, seed: 1) }
        block.eval()
        let int8 = try DynamicQuantizer().quantize(Sequential([block])).model.layers[0]
        #expect(int8 is DynamicQuantizedTransformerEncoderLayer)
        let x = TestSupport.randn([2, 6, 16], seed: 8)
        #expect(DynamicQuantizedMultiHeadAttentionTests.relativeError(int8(x), Tensor.withoutGrad { block(x) }) < 0.05)
    }

    @Test func badConfigsAreRefusedBeforeAnythingIsBuilt() {
        QuantizedLayers.register()
        let block: [String: ConfigValue] = ["model_dim": 32, "num_heads": 4, "intermediate_dim": 64]
        var heads = block
        heads["num_heads"] = .int(5)
        var layers = block
        layers["num_layers"] = .int(LayerLimits.maxLayers + 1)
        var huge = block
        huge["model_dim"] = .int(1 << 20)
        huge["num_layers"] = .int(1)
        for (config, message) in [(heads, "layers.1.num_heads: 5 does not divide model_dim 32"),
                                  (layers, "layers.1.num_layers: expected at most"),
                                  (huge, "layers.1.num_layers: a weight of shape [1048576, 1048576]")] {
            #expect {
                if config["num_layers"] == nil {
                    _ = try DynamicQuantizedTransformerEncoderLayer(config: ConfigReader(config, path: "layers.1"))
                } else {
                    _ = try DynamicQuantizedTransformerEncoder(config: ConfigReader(config, path: "layers.1"))
                }
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}
