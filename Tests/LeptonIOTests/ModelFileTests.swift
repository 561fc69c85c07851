import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Save → load round trips through model folders: the rebuilt model has the same architecture
/// and predicts bit-identically; broken folders give errors that name the problem.
@Suite struct ModelFileTests {
    /// Saves `layers` built for `inputShape`, loads them back and compares configs and predictions.
    func roundTrip(_ layers: [Module], inputShape: [Int], input: Tensor) throws {
        GlobalRandom.seed(3)
        let model = Sequential(layers)
        model.build(inputShape: inputShape, dtype: input.dtype)
        randomizeState(model)
        try withTemporaryDirectory("roundtrip") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(model, to: url, inputShape: inputShape, inputDType: input.dtype)
            let loaded = try ModelFile.load(from: url)
            #expect(loaded.layers.map(settings) == model.layers.map(settings))
            #expect(loaded.layerNames == model.layerNames)
            #expect(loaded.stateDict().map(\.0) == model.stateDict().map(\.0))
            let expected = model.predict(input).scalars
            #expect(expected.allSatisfy { $0.isFinite })
            #expect(loaded.predict(input).scalars == expected, "a reloaded model predicts bit-identically")
        }
    }

    /// A layer's registered settings without its name.
    func settings(_ layer: Module) -> ConfigValue? {
        guard case .object(var c)? = LayerRegistry.config(of: layer) else { return nil }
        c["name"] = nil
        return .object(c)
    }

    func floats(_ shape: [Int], seed: UInt64 = 11) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor.normal(shape, generator: &g)
    }

    @Test func conv1DRoundTrips() throws {
        try roundTrip([Conv1D(filters: 4, kernelSize: 3, padding: .same, activation: .relu),
                       Conv1D(filters: 6, kernelSize: 2, strides: 2, dilation: 1, groups: 2),
                       Conv1D(filters: 2, kernelSize: 2, dilation: 2, useBias: false, dataFormat: .channelsFirst),
                       Flatten(), Dense(units: 3)],
                      inputShape: [9, 5], input: floats([4, 9, 5]))
    }

    @Test func conv2DTransposeRoundTrips() throws {
        try roundTrip([Conv2DTranspose(filters: 3, kernelSize: [3, 3], strides: [2, 2], padding: .same, activation: .relu),
                       Conv2DTranspose(filters: 2, kernelSize: [2, 3], strides: [2, 2], outputPadding: [1, 1]),
                       Conv2DTranspose(filters: 4, kernelSize: [3, 3], dilation: [2, 2], groups: 2, useBias: false),
                       Flatten(), Dense(units: 2)],
                      inputShape: [3, 4, 2], input: floats([2, 3, 4, 2]))
    }

    @Test func multiHeadAttentionRoundTrips() throws {
        try roundTrip([MultiHeadAttention(heads: 2, keyDimensions: 4, valueDimensions: 3, dropout: 0.1, outputDimensions: 6),
                       MultiHeadAttention(heads: 3, keyDimensions: 2, useBias: false),
                       Flatten(), Dense(units: 2)],
                      inputShape: [5, 8], input: floats([3, 5, 8]))
    }

    @Test func transformerEncoderRoundTrips() throws {
        try roundTrip([PositionEmbedding(sequenceLength: 10),
                       TransformerEncoder(layers: 2, modelDimensions: 8, heads: 2, feedForwardDimensions: 16, dropout: 0.2,
                                          activation: .gelu, normFirst: true, finalNorm: true),
                       TransformerEncoderLayer(modelDimensions: 8, heads: 4, feedForwardDimensions: 12, layerNormEpsilon: 1e-6),
                       Flatten(), Dense(units: 3)],
                      inputShape: [6, 8], input: floats([2, 6, 8]))
    }

    @Test func tokenEmbeddingAndSinusoidalEncodingRoundTrip() throws {
        try roundTrip([TokenAndPositionEmbedding(vocabularySize: 20, sequenceLength: 6, embeddingDimensions: 8),
                       SinusoidalPositionEncoding(maxWavelength: 500),
                       TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 16),
                       Flatten(), Dense(units: 2)],
                      inputShape: [6], input: Tensor(int32: [1, 5, 19, 0, 3, 3, 7, 2, 2, 11, 0, 0], shape: [2, 6]))
    }

    @Test func newLayerConfigsRejectBadSettings() {
        let cases: [(ConfigValue, String)] = [
            (.object(["type": .string("MultiHeadAttention"), "num_heads": .int(0), "key_dim": .int(4)]),
             "layers[0].num_heads: expected an integer ≥ 1, got 0"),
            (.object(["type": .string("MultiHeadAttention"), "num_heads": .int(2), "key_dim": .int(4), "dropout": .double(1.5)]),
             "layers[0].dropout: expected a number in [0, 1), got 1.5"),
            (.object(["type": .string("TransformerEncoderLayer"), "model_dim": .int(10), "num_heads": .int(3)]),
             "layers[0].num_heads: 3 does not divide model_dim 10"),
            (.object(["type": .string("TransformerEncoder"), "model_dim": .int(8), "num_heads": .int(2)]),
             "layers[0].num_layers: missing"),
            (.object(["type": .string("Conv2DTranspose"), "filters": .int(2), "kernel_size": .int(3), "strides": .int(2),
                      "output_padding": .int(2)]),
             "layers[0].output_padding: expected two integers ≥ 0, each below the stride or dilation"),
            (.object(["type": .string("Conv1D"), "filters": .int(2), "kernel_size": .int(0)]),
             "layers[0].kernel_size: expected a positive integer, got [0]"),
            (.object(["type": .string("Conv1D"), "filters": .int(4), "kernel_size": .int(3), "groups": .int(2),
                      "input_channels": .int(3)]),
             "layers[0].groups: 2 does not divide input_channels 3"),
            (.object(["type": .string("Conv2D"), "filters": .int(4), "kernel_size": .ints([3, -1])]),
             "layers[0].kernel_size: expected 2 positive integers, got [3, -1]"),
            (.object(["type": .string("PositionEmbedding")]), "layers[0].sequence_length: missing"),
            (.object(["type": .string("SinusoidalPositionEncoding"), "max_wavelength": .int(0)]),
             "layers[0].max_wavelength: expected a positive number, got 0.0"),
        ]
        for (config, expected) in cases {
            let message = errorMessage { _ = try LayerRegistry.make(config, path: "layers[0]") }
            #expect(message.contains(expected), "expected '\(expected)' in '\(message)'")
        }
    }

    @Test func missingWeightsFileIsReported() throws {
        try withTemporaryDirectory("missing") { dir in
            let url = dir.appendingPathComponent("model")
            let model = Sequential([Dense(units: 2, inputDimensions: 3)])
            try ModelFile.save(model, to: url)
            try FileManager.default.removeItem(at: url.appendingPathComponent(ModelFile.weightsName))
            let message = errorMessage { _ = try ModelFile.load(from: url) }
            #expect(message.contains("model.safetensors") && message.contains("not found"), "\(message)")
        }
    }

    @Test func weightsOfTheWrongShapeAreNamed() throws {
        try withTemporaryDirectory("shapes") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(Sequential([Dense(units: 2, inputDimensions: 3)]), to: url)
            // The same architecture file, with weights of a wider layer.
            let other = Sequential([Dense(units: 4, inputDimensions: 3)])
            try Safetensors.write(other.stateDict(), to: url.appendingPathComponent(ModelFile.weightsName))
            let message = errorMessage { _ = try ModelFile.load(from: url) }
            #expect(message.contains("layers.0.kernel: expected float32 [3, 2], got float32 [3, 4]"), "\(message)")
            #expect(message.contains("layers.0.bias"), "\(message)")
        }
    }

    @Test func missingAndUnexpectedWeightsAreNamed() throws {
        try withTemporaryDirectory("names") { dir in
            let url = dir.appendingPathComponent("model")
            let model = Sequential([Dense(units: 2, inputDimensions: 3)])
            try ModelFile.save(model, to: url)
            let renamed = model.stateDict().map { ($0.0 == "layers.0.bias" ? "layers.0.b" : $0.0, $0.1) }
            try Safetensors.write(renamed, to: url.appendingPathComponent(ModelFile.weightsName))
            let message = errorMessage { _ = try ModelFile.load(from: url) }
            #expect(message.contains("missing: layers.0.bias") && message.contains("unexpected: layers.0.b"), "\(message)")
        }
    }
}

/// Layer names in model files.
@Suite struct ModelFileNamesTests {
    @Test func layerNamesAreSavedAndRestored() throws {
        try withTemporaryDirectory("names") { dir in
            let url = dir.appendingPathComponent("model")
            let model = Sequential([Dense(units: 4, activation: .relu), Dense(units: 3).named("features"), Dense(units: 2)])
            model.build(inputShape: [5])
            try ModelFile.save(model, to: url, inputShape: [5])
            let json = try String(contentsOf: url.appendingPathComponent(ModelFile.architectureName), encoding: .utf8)
            #expect(json.contains("\"name\" : \"dense\"") && json.contains("\"name\" : \"features\"") && json.contains("\"name\" : \"dense_1\""))
            let loaded = try ModelFile.load(from: url)
            #expect(loaded.layerNames == ["dense", "features", "dense_1"])
            let x = Tensor.ones([3, 5])
            #expect(try loaded.extractFeatures(x, upTo: "features").scalars == (try model.extractFeatures(x, upTo: "features")).scalars)
        }
    }

    @Test func anEmptyNameIsRejected() {
        let message = errorMessage { _ = try LayerRegistry.make(.object(["type": .string("Dense"), "units": .int(2), "name": .string("")]), path: "layers[0]") }
        #expect(message.contains("layers[0].name: expected a non-empty layer name"))
    }
}
