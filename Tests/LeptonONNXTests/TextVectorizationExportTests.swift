import Foundation
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// A model whose first layer is `TextVectorization` exports as a graph that takes sentences
/// (`STRING [batch]`, opset 20 + ai.onnx.ml): onnxruntime makes the same ids of the same texts
/// as the layer, for every standardisation and padding side, and the same scores.
@Suite struct TextVectorizationExportTests {
    /// Texts that exercise the graph: punctuation of every kind, every ASCII whitespace, accents,
    /// unknown words, texts longer than the sequence, blank and punctuation-only ones.
    static let texts = [
        "A great film!", "dull", "", "It's a WELL-made film... J.R.R. (Tolkien) would've loved it; 10/10 #best",
        "tabs\tand\nnew\r\nlines\u{0B}vt\u{0C}ff   spaces", "ÉCOLE Ça va ΣΑΣ İstanbul", "?!.,;:", "[UNK] unknownword zebra",
        "film film film film film film film film film film great", "\"quoted\" {braces} <angle> back\\slash `tick` ~tilde^ |pipe| _under_ @at $5 %pct &amp *star +plus =eq",
    ]

    /// A vectoriser adapted on a few sentences that share words with ``texts``.
    func vectorizer(_ standardize: TextStandardization, _ padding: TextVectorization.Side,
                    _ truncating: TextVectorization.Side, length: Int = 6) throws -> TextVectorization {
        let layer = try TextVectorization(maxTokens: 40, outputSequenceLength: length, standardize: standardize,
                                          padding: padding, truncating: truncating)
        layer.adapt(["A great film, a GREAT cast.", "It's dull: a dull film!", "J.R.R. Tolkien's world, well-made.",
                     "école ça va", "ΣΑΣ is greek; 10/10", "tabs and new lines", "\"quoted\" back\\slash"])
        return layer
    }

    /// Runs the exported `model` on `texts` in onnxruntime.
    func onnxruntime(_ model: Sequential, texts: [String]) throws -> Tensor {
        let url = ExportCheck.temporaryModelURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let proto = try ONNXExporter().makeModel(model, inputShape: [try #require(model.textVectorization).outputSequenceLength],
                                                 inputDType: .int32)
        #expect(proto.graph.input[0].type.tensorType.elemType == ONNXElementType.string.rawValue)
        #expect(proto.opsetImport.map(\.version) == [20, 2])
        try ONNXModelFile.write(proto, to: url)
        let outputs = try ExportCheck.oracle.run("run", [], attrs: ["model": .string(url.path), "texts": .array(texts.map { .string($0) })])
        return try #require(outputs.first)
    }

    @Test(arguments: TextStandardization.allCases)
    func idsMatchOnnxRuntime(_ standardize: TextStandardization) throws {
        for padding in TextVectorization.Side.allCases {
            for truncating in TextVectorization.Side.allCases {
                let layer = try vectorizer(standardize, padding, truncating)
                let ids = try onnxruntime(Sequential([layer]), texts: Self.texts)
                let expected = layer.encode(Self.texts)
                #expect(ids.shape == expected.shape)
                #expect(ids.int32Scalars == expected.int32Scalars, "\(standardize) padding \(padding) truncating \(truncating)")
            }
        }
    }

    @Test func aTextClassifierGivesLeptonsScores() throws {
        let layer = try vectorizer(.lowerAndStripPunctuation, .pre, .pre, length: 8)
        GlobalRandom.seed(3)
        let model = Sequential([layer, Embedding(vocabularySize: layer.vocabularySize, dimensions: 8),
                                Bidirectional(LSTM(units: 6)), Dense(units: 1, activation: .sigmoid)])
        model.build(inputShape: [8], dtype: .int32)
        ExportCheck.perturb(model, seed: 4, std: 0.1)
        let scores = try onnxruntime(model, texts: Self.texts)
        let expected = try model.predict(texts: Self.texts)
        #expect(scores.shape == expected.shape)
        let difference = zip(scores.scalars, expected.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(difference <= ExportCheck.tolerance, "max |Lepton − onnxruntime| = \(difference)")
    }

    @Test func aVectorizerAfterTheFirstLayerIsRefused() throws {
        let layer = try vectorizer(.lower, .pre, .pre)
        let model = Sequential([Reshape([6]), layer])   // ids in, ids passed on: a valid model, but not one that takes text
        #expect(model.textVectorization == nil)
        #expect(throws: ONNXError.self) { try ONNXExporter().makeModel(model, inputShape: [6], inputDType: .int32) }
    }
}
