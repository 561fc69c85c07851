import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Preprocessing layers in model files: a text model keeps its vocabulary in `model.json` and
/// takes the same sentences after a reload; an image pipeline (Resizing, CenterCrop, Rescaling)
/// round-trips; vocabularies a hostile or careless writer could put there are refused with an
/// `IOError` naming the setting.
@Suite struct ModelFilePreprocessingTests {
    static let sentences = ["A great film!", "dull, dull, dull", "", "an unknown word in a great cast"]

    func textModel() throws -> Sequential {
        let vectorize = try TextVectorization(maxTokens: 20, outputSequenceLength: 5)
        vectorize.adapt(["a great film", "a dull film", "the cast is great", "dull"])
        GlobalRandom.seed(2)
        let model = Sequential([vectorize, Embedding(vocabularySize: 20, dimensions: 4), LSTM(units: 3), Dense(units: 1, activation: .sigmoid)])
        model.build(inputShape: [5], dtype: .int32)
        randomizeState(model)
        return model
    }

    @Test func aTextModelTakesTheSameSentencesAfterAReload() throws {
        let model = try textModel()
        try withTemporaryDirectory("text-model") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(model, to: url, inputShape: [5], inputDType: .int32)
            let json = try String(contentsOf: url.appendingPathComponent(ModelFile.architectureName), encoding: .utf8)
            #expect(json.contains("\"TextVectorization\"") && json.contains("\"[UNK]\"") && json.contains("\"great\""))
            let loaded = try ModelFile.load(from: url)
            #expect(loaded.textVectorization?.vocabulary == model.textVectorization?.vocabulary)
            #expect(try loaded.predict(texts: Self.sentences).scalars == (try model.predict(texts: Self.sentences)).scalars)
        }
    }

    @Test func anImagePipelineRoundTrips() throws {
        GlobalRandom.seed(4)
        let model = Sequential([try Resizing(height: 12, width: 10, interpolation: .nearest), try CenterCrop(height: 8, width: 8),
                                Rescaling(scale: 1.0 / 255), Conv2D(filters: 2, kernelSize: [3, 3]), Flatten(), Dense(units: 2)])
        model.build(inputShape: [15, 17, 3])
        randomizeState(model)
        var g = RandomGenerator(seed: 1)
        let pixels = Tensor.uniform([2, 15, 17, 3], low: 0, high: 255, generator: &g)
        try withTemporaryDirectory("image-model") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(model, to: url, inputShape: [15, 17, 3])
            let loaded = try ModelFile.load(from: url)
            #expect((loaded.layers[0] as? Resizing)?.interpolation == .nearest && (loaded.layers[1] as? CenterCrop)?.height == 8)
            #expect(loaded.predict(pixels).scalars == model.predict(pixels).scalars)
        }
    }

    /// The error of loading the text model after `edit` changed layer 0's settings.
    func loadError(_ edit: (inout [String: ConfigValue]) -> Void) throws -> String {
        let model = try textModel()
        return try withTemporaryDirectory("text-hostile") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(model, to: url, inputShape: [5], inputDType: .int32)
            let file = url.appendingPathComponent(ModelFile.architectureName)
            guard case .object(var top) = try JSONDecoder().decode(ConfigValue.self, from: Data(contentsOf: file)),
                  case .array(var layers)? = top["layers"], case .object(var layer) = layers[0] else { return "not a model" }
            edit(&layer)
            layers[0] = .object(layer)
            top["layers"] = .array(layers)
            try JSONEncoder().encode(ConfigValue.object(top)).write(to: file)
            do { _ = try ModelFile.load(from: url); return "loaded" } catch let error as IOError { return error.description }
        }
    }

    @Test func hostileVocabulariesAreRefused() throws {
        func vocabulary(_ words: [ConfigValue]) -> (inout [String: ConfigValue]) -> Void { { $0["vocabulary"] = .array(words) } }
        #expect(try loadError(vocabulary(["", "[UNK]", "a", "a"])).contains("layers[0].vocabulary[3]: \"a\" repeats token 2"))
        #expect(try loadError(vocabulary(["", "[UNK]", "a b"])).contains("holds whitespace"))
        #expect(try loadError(vocabulary(["", "[UNK]", ""])).contains("an empty token"))
        #expect(try loadError(vocabulary(["", "[UNK]", 7])).contains("layers[0].vocabulary: expected a list of strings"))
        // More tokens than max_tokens allows, and more ids than the embedding after it has rows.
        let many: [ConfigValue] = (0..<25).map { .string("w\($0)") }
        #expect(try loadError(vocabulary(many)).contains("expected at most 20 (max_tokens)"))
        let error = try loadError { $0["max_tokens"] = nil; $0["vocabulary"] = .array(many) }
        #expect(error.contains("layers[1] (Embedding): the input's ids go up to 26"), "\(error)")
        #expect(try loadError { $0["output_sequence_length"] = 6 }.contains("layers[0] (TextVectorization): expected the int32 token ids [batch, 6]"))
        #expect(try loadError { $0["output_sequence_length"] = 1e12 }.contains("layers[0].output_sequence_length"))
        #expect(try loadError { $0["standardize"] = "stem" }.contains("layers[0].standardize: unknown value \"stem\""))
    }
}
