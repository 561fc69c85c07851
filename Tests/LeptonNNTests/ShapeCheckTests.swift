import Testing
import LeptonTensor
import LeptonNN

/// `ShapeCheck` and each layer's `inferShape` (Core/ShapeCheck.swift, Layers/Shapes/): what a
/// model file states is checked against the input before anything is built.
@Suite struct ShapeCheckTests {
    /// Layers made from `{"type": …}` configurations, as a model file makes them.
    func layers(_ configs: [[String: ConfigValue]]) throws -> [Module] {
        try LayerRegistry.makeLayers(configs.map { .object($0) }, path: "layers")
    }

    /// The error `ShapeCheck.check` throws for `configs` on one sample of `shape`, or "no error".
    func shapeError(_ configs: [[String: ConfigValue]], input shape: [Int], dtype: DType = .float32) -> String {
        do {
            let input = try ShapeCheck.input(shape: shape, dtype: dtype, path: "input_shape")
            try ShapeCheck.check(try layers(configs), input: input)
        } catch { return "\(error)" }
        return "no error"
    }

    @Test func inferredShapesMatchTheBuiltModel() throws {
        let configs: [[String: ConfigValue]] = [
            ["type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "strides": 2],
            ["type": "MaxPooling2D", "pool_size": 2],
            ["type": "Conv2DTranspose", "filters": 3, "kernel_size": 3, "strides": 2],
            ["type": "BatchNormalization"],
            ["type": "Flatten"], ["type": "Reshape", "target_shape": .ints([-1, 3])],
            ["type": "LSTM", "units": 5, "return_sequences": true],
            ["type": "MultiHeadAttention", "num_heads": 2, "key_dim": 3],
            ["type": "Bidirectional", "layer": .object(["type": "GRU", "units": 2])],
            ["type": "Dense", "units": 7],
        ]
        let built = try layers(configs)
        let (output, parameters) = try ShapeCheck.check(built, input: TensorSpec(shape: [1, 9, 11, 2]))
        var x = Tensor.zeros([1, 9, 11, 2])
        for layer in built { layer.eval(); x = layer(x) }
        #expect(output.shape == x.shape)
        #expect(parameters == built.reduce(0) { $0 + $1.parameterCount })
    }

    @Test func kernelLargerThanInputIsRefused() {
        let message = shapeError([["type": "Conv2D", "filters": 2, "kernel_size": 5]], input: [3, 3, 1])
        #expect(message.contains("layers[0] (Conv2D)") && message.contains("kernel spans 5") && message.contains("[1, 3, 3, 1]"), "\(message)")
        #expect(shapeError([["type": "MaxPooling2D", "pool_size": 4]], input: [3, 3, 1]).contains("kernel spans 4"))
        #expect(shapeError([["type": "Conv1D", "filters": 2, "kernel_size": 3, "dilation_rate": 4]], input: [8, 1])
            .contains("kernel spans 9"))
        #expect(shapeError([["type": "Conv2D", "filters": 2, "kernel_size": 5, "padding": "same"]], input: [3, 3, 1]) == "no error")
    }

    @Test func wrongInputChannelsAreRefused() {
        let message = shapeError([["type": "Conv2D", "filters": 2, "kernel_size": 3, "input_channels": 3]], input: [8, 8, 1])
        #expect(message.contains("layers[0] (Conv2D)") && message.contains("1 channels; expected 3"), "\(message)")
        #expect(shapeError([["type": "Conv2D", "filters": 4, "kernel_size": 1, "groups": 2]], input: [4, 4, 3])
            .contains("do not divide into 2 groups"))
        #expect(shapeError([["type": "Dense", "units": 2, "input_dim": 5]], input: [4]).contains("4 features; expected 5"))
        #expect(shapeError([["type": "LSTM", "units": 2, "input_dim": 5]], input: [3, 4]).contains("4 features; expected 5"))
    }

    @Test func wrongRanksAndTypesAreRefused() {
        #expect(shapeError([["type": "Dense", "units": 2]], input: []).contains("expected an input [batch, ..., features]"))
        #expect(shapeError([["type": "LSTM", "units": 2]], input: [5]).contains("[batch, time, features]"))
        #expect(shapeError([["type": "Conv2D", "filters": 2, "kernel_size": 1]], input: [5, 5]).contains("[batch, height, width, channels]"))
        #expect(shapeError([["type": "Embedding", "input_dim": 5, "output_dim": 2]], input: [3]).contains("expected a int32 input"))
        #expect(shapeError([["type": "Dense", "units": 2]], input: [3], dtype: .int32).contains("expected a float32 input"))
        #expect(shapeError([["type": "BatchNormalization", "axis": 5]], input: [3]).contains("axis 5 is out of range"))
        #expect(shapeError([["type": "BatchNormalization", "axis": .int(Int.min)]], input: [3]).contains("out of range"))
    }

    @Test func reshapeMustKeepTheElementCount() {
        #expect(shapeError([["type": "Reshape", "target_shape": .ints([5, 5])]], input: [24]).contains("holds 25 elements per sample; the input has 24"))
        #expect(shapeError([["type": "Reshape", "target_shape": .ints([-1, 5])]], input: [24]).contains("not a multiple of 5"))
        #expect(shapeError([["type": "Reshape", "target_shape": .ints([-1, 4])]], input: [24]) == "no error")
    }

    @Test func attentionAndTransformerSizesMustFit() {
        #expect(shapeError([["type": "TransformerEncoderLayer", "model_dim": 8, "num_heads": 2]], input: [4, 6])
            .contains("6 features; expected 8 (model_dim)"))
        #expect(shapeError([["type": "MultiHeadAttention", "num_heads": 2, "key_dim": 2, "query_features": 4]], input: [3, 5])
            .contains("query projection expects 4"))
        #expect(shapeError([["type": "PositionEmbedding", "sequence_length": 3]], input: [4, 2]).contains("4 steps; expected at most 3"))
        #expect(shapeError([["type": "TokenAndPositionEmbedding", "vocabulary_size": 9, "sequence_length": 3, "embedding_dim": 2]],
                           input: [4], dtype: .int32).contains("at most 3"))
    }

    @Test func activationsAndParametersAreHeldToTheLimits() {
        // A 1-channel 1000 × 1000 image through 300 filters: 3·10^8 activations, over 2^28.
        let message = shapeError([["type": "Conv2D", "filters": 300, "kernel_size": 1]], input: [1000, 1000, 1])
        #expect(message.contains("the output") && message.contains("LayerLimits.maxTensorElements"), "\(message)")
        // A 100 000-unit Dense after 10 000 features: 10^9 weights, built lazily.
        #expect(shapeError([["type": "Dense", "units": 100_000]], input: [10_000]).contains("the kernel of shape [10000, 100000]"))
        // Two 2^27-parameter layers are each fine, but the model passes maxParameters (2^29) with five.
        let big: [String: ConfigValue] = ["type": "Dense", "units": 16_384]
        #expect(shapeError([big, big, big, big, big], input: [16_384]).contains("LayerLimits.maxParameters"))
    }

    @Test func inputShapesAreChecked() {
        #expect(shapeError([], input: [0, 3]).contains("input_shape[0]: expected a positive dimension, got 0"))
        #expect(shapeError([], input: [4, -1]).contains("input_shape[1]: expected a positive dimension, got -1"))
        #expect(shapeError([], input: [1 << 40, 1 << 40]).contains("LayerLimits.maxTensorElements"))
        #expect(shapeError([], input: Array(repeating: 1, count: 40)).contains("40 dimensions"))
    }
}
