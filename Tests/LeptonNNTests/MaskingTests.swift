import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// Masks through `Sequential` (Core/Masking.swift): an `Embedding` with `maskZero` makes the
/// recurrent and attention layers after it step over pre-padding exactly as if the padding were
/// not there; layers that work per step keep the mask, others end it.
@Suite struct MaskingTests {
    /// Two sentences pre-padded with id 0 to five steps, and the same sentences unpadded.
    static let padded = Tensor(int32: [0, 0, 5, 7, 9, 0, 3, 4, 2, 1], shape: [2, 5])
    static let unpadded = [Tensor(int32: [5, 7, 9], shape: [1, 3]), Tensor(int32: [3, 4, 2, 1], shape: [1, 4])]

    static func expectPaddingIgnored(_ model: Sequential, perStep: Bool = false, _ comment: String) {
        model.eval()
        let out = model(padded)
        for (row, sentence) in unpadded.enumerated() {
            let expected = model(sentence).scalars
            var got = out.slice([.at(row)]).scalars
            if perStep {   // per-step outputs: compare the real steps only
                let width = expected.count / sentence.shape[1]
                got = Array(got[((5 - sentence.shape[1]) * width)...])
            }
            #expect(got.count == expected.count, "\(comment)")
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(comment): row \(row): \(got) vs \(expected)")
        }
    }

    static func embedding(maskZero: Bool = true) -> Embedding {
        GlobalRandom.seed(31)
        return Embedding(vocabularySize: 12, dimensions: 4, maskZero: maskZero, initializer: .uniform(low: -1, high: 1))
    }

    @Test func recurrentLayersStepOverPrePadding() {
        GlobalRandom.seed(5)
        let layers: [(String, Module)] = [("LSTM", LSTM(units: 3)), ("GRU", GRU(units: 3)), ("SimpleRNN", SimpleRNN(units: 3)),
                                          ("Bidirectional LSTM", Bidirectional(LSTM(units: 3)))]
        for (name, layer) in layers { Self.expectPaddingIgnored(Sequential([Self.embedding(), layer]), name) }
        // Sequences kept, a per-step Dense keeps the mask, the next LSTM still skips the padding.
        Self.expectPaddingIgnored(Sequential([Self.embedding(), LSTM(units: 3, returnSequences: true), Dense(units: 2),
                                              Dropout(rate: 0.5), LSTM(units: 2)]), "LSTM → Dense → Dropout → LSTM")
    }

    @Test func withoutMaskZeroThePaddingCounts() {
        GlobalRandom.seed(5)
        let model = Sequential([Self.embedding(maskZero: false), LSTM(units: 3)])
        let out = model(Self.padded).slice([.at(0)]).scalars, alone = model(Self.unpadded[0]).scalars
        #expect(zip(out, alone).contains { abs($0 - $1) > 1e-3 })
    }

    @Test func attentionIgnoresPaddedKeys() {
        GlobalRandom.seed(7)
        Self.expectPaddingIgnored(Sequential([Self.embedding(), MultiHeadAttention(heads: 2, keyDimensions: 3)]), perStep: true,
                                  "MultiHeadAttention")
        GlobalRandom.seed(8)
        Self.expectPaddingIgnored(Sequential([Self.embedding(), TransformerEncoder(layers: 1, modelDimensions: 4, heads: 2, feedForwardDimensions: 8)]),
                                  perStep: true, "TransformerEncoder")
    }

    @Test func flattenEndsTheMaskAndExportersAreTold() {
        let ended = Sequential([Self.embedding(), Flatten(), Dense(units: 2)])
        #expect(ended(Self.padded).shape == [2, 2])
        #expect(ended.maskUsingLayers(inputShape: [5], dtype: .int32).isEmpty)
        let kept = Sequential([Self.embedding(), LSTM(units: 3, returnSequences: true), Dense(units: 2), LSTM(units: 2)])
        #expect(kept.maskUsingLayers(inputShape: [5], dtype: .int32) == [1, 3])
        #expect(Sequential([Self.embedding(maskZero: false), LSTM(units: 2)]).maskUsingLayers(inputShape: [5], dtype: .int32).isEmpty)
    }

    @Test func maskZeroRoundTripsThroughItsConfig() throws {
        let layer = try Embedding(config: ConfigReader(.object(["input_dim": .int(12), "output_dim": .int(4), "mask_zero": .bool(true)]), path: "layer"))
        #expect(layer.maskZero && layer.config["mask_zero"] == .bool(true))
        #expect(try Embedding(config: ConfigReader(.object(["input_dim": .int(12), "output_dim": .int(4)]), path: "layer")).config["mask_zero"] == nil)
        #expect { try Embedding(config: ConfigReader(.object(["input_dim": .int(12), "output_dim": .int(4), "mask_zero": .string("yes")]), path: "layer")) }
            throws: { "\($0)".contains("mask_zero") }
    }
}
