import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Keras-style layer names in a ``Sequential`` model and lookup by name.
@Suite struct SequentialNamesTests {
    @Test func unnamedLayersGetKerasNamesNumberedPerModel() {
        let model = Sequential([
            Conv2D(filters: 2, kernelSize: [3, 3]), MaxPooling2D(poolSize: [2, 2]),
            Conv2DTranspose(filters: 2, kernelSize: [2, 2]), GlobalAveragePooling2D(), Flatten(),
            Dense(units: 4), Dense(units: 4), BatchNormalization(), Dropout(rate: 0.1),
            LSTM(units: 2), SimpleRNN(units: 2), GRU(units: 2), MultiHeadAttention(heads: 1, keyDimensions: 2),
            TokenAndPositionEmbedding(vocabularySize: 3, sequenceLength: 2, embeddingDimensions: 2), Dense(units: 1),
        ])
        #expect(model.layerNames == [
            "conv2d", "max_pooling2d", "conv2d_transpose", "global_average_pooling2d", "flatten", "dense", "dense_1",
            "batch_normalization", "dropout", "lstm", "simple_rnn", "gru", "multi_head_attention",
            "token_and_position_embedding", "dense_2",
        ])
    }

    @Test func givenNamesAreKeptAndAutomaticNamesAvoidThem() {
        let model = Sequential([Dense(units: 2), Dense(units: 2).named("dense"), Dense(units: 2).named("head"), Dense(units: 2)])
        #expect(model.layerNames == ["dense_1", "dense", "head", "dense_2"])
        #expect(model.summary().contains("head (Dense)"))
    }

    @Test func layersAreFoundByName() throws {
        let head = Dense(units: 2).named("head")
        let model = Sequential([Flatten(), Dense(units: 3), head])
        #expect(try model.layer(named: "head") === head)
        #expect(try model.layerIndex(named: "dense") == 1)
        let message = errorMessage { _ = try model.layer(named: "dense_7") }
        #expect(message == "no layer is named 'dense_7'; the model's layers are flatten, dense, head", "\(message)")
        let twice = Sequential([Dense(units: 2).named("x"), Dense(units: 2).named("x")])
        #expect(errorMessage { _ = try twice.layer(named: "x") }.contains("2 layers are named 'x'"))
    }
}

/// The thrown error's description ("no error" when nothing was thrown).
func errorMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return "no error"
}
