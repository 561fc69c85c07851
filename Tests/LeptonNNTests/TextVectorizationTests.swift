import Foundation
import LeptonNN
import LeptonTensor
import Testing

/// `TextVectorization` (Keras's, `output_mode="int"`): standardisation and splitting, `adapt`,
/// padding and truncation, the vocabulary in the layer's config and its checks.
@Suite struct TextVectorizationTests {
    @Test func standardizesAndSplitsAsKeras() {
        let strip = TextStandardization.lowerAndStripPunctuation
        #expect(strip.tokens("It's a WELL-made film!  J.R.R. (Tolkien)") == ["its", "a", "wellmade", "film", "jrr", "tolkien"])
        #expect(strip.tokens(" \t...\n ") == [])
        #expect(strip.tokens("tab\tnew\nline\r\nvt\u{0B}ff\u{0C}end") == ["tab", "new", "line", "vt", "ff", "end"])
        // Only ASCII whitespace splits; non-ASCII letters are lower-cased per code point.
        #expect(strip.tokens("ÉCOLE Ça\u{00A0}va ΣΑΣ İ") == ["école", "ça\u{00A0}va", "σασ", "i"])
        #expect(TextStandardization.lower.tokens("It's GREAT!") == ["it's", "great!"])
        #expect(TextStandardization.none.tokens("It's GREAT!") == ["It's", "GREAT!"])
        #expect(TextStandardization.punctuation.count == 32)
    }

    @Test func adaptOrdersByCountThenBytes() throws {
        let layer = try TextVectorization(outputSequenceLength: 4)
        layer.adapt(["b a c", "c b", "c d", "e", "[UNK] C!"])
        #expect(layer.vocabulary == ["", "[UNK]", "c", "b", "a", "d", "e", "unk"])
        #expect(layer.ids("C b zzz a") == [2, 3, 1, 4])
        let small = try TextVectorization(maxTokens: 4, outputSequenceLength: 4)
        small.adapt(["b a c", "c b", "c d", "e"])
        #expect(small.vocabulary == ["", "[UNK]", "c", "b"])
        #expect(small.vocabularySize == 4 && small.ids("a b c d") == [1, 3, 2, 1])
        // Adapting again replaces the vocabulary.
        small.adapt(["zebra"])
        #expect(small.vocabulary == ["", "[UNK]", "zebra"] && small.ids("c zebra") == [1, 2])
    }

    @Test func padsAndTruncatesOnEitherSide() throws {
        func layer(_ padding: TextVectorization.Side, _ truncating: TextVectorization.Side) throws -> TextVectorization {
            let layer = try TextVectorization(outputSequenceLength: 3, padding: padding, truncating: truncating)
            layer.adapt(["one two three four five"])   // ties in byte order: five four one three two
            return layer
        }
        let texts = ["one two three four five", "two", ""]
        let pre = try layer(.pre, .pre).encode(texts)
        #expect(pre.shape == [3, 3] && pre.dtype == .int32)
        #expect(pre.int32Scalars == [5, 3, 2, /**/ 0, 0, 6, /**/ 0, 0, 0])
        #expect(try layer(.post, .post).encode(texts).int32Scalars == [4, 6, 5, /**/ 6, 0, 0, /**/ 0, 0, 0])
        #expect(try layer(.post, .pre).encode(texts + ["unknown two"]).int32Scalars == [5, 3, 2, /**/ 6, 0, 0, /**/ 0, 0, 0, /**/ 1, 6, 0])
        #expect(try layer(.pre, .post).encode(["one two three four", "two one"]).int32Scalars == [4, 6, 5, /**/ 0, 6, 4])
    }

    @Test func forwardPassesTheIdsOnAndTheVocabularyTravelsInTheConfig() throws {
        let layer = try TextVectorization(maxTokens: 50, outputSequenceLength: 6, standardize: .lower, padding: .post)
        layer.adapt(["the cat sat on the mat", "the dog"])
        let ids = layer.encode(["the dog sat on a mat"])
        #expect(layer(ids).int32Scalars == ids.int32Scalars)
        let config = try #require(LayerRegistry.config(of: layer))
        let rebuilt = try #require(try LayerRegistry.make(config, path: "layers[0]") as? TextVectorization)
        #expect(rebuilt.vocabulary == layer.vocabulary && rebuilt.maxTokens == 50 && rebuilt.standardize == .lower)
        #expect(rebuilt.padding == .post && rebuilt.truncating == .pre)
        #expect(rebuilt.encode(["the dog sat on a mat"]).int32Scalars == ids.int32Scalars)
        // A vocabulary written by hand may leave out the reserved tokens.
        let written = try LayerRegistry.make(["type": "TextVectorization", "output_sequence_length": 2, "vocabulary": ["great", "film"]],
                                             path: "model.layers[0]") as? TextVectorization
        #expect(written?.vocabulary == ["", "[UNK]", "great", "film"])
        #expect(written?.encode(["A great FILM!"]).int32Scalars == [2, 3])
    }

    @Test func badConfigsAreErrorsNamingTheKey() {
        func error(_ config: [String: ConfigValue]) -> String {
            var full = config
            full["type"] = "TextVectorization"
            if full["output_sequence_length"] == nil { full["output_sequence_length"] = 4 }
            do { _ = try LayerRegistry.make(.object(full), path: "layers[0]"); return "" } catch { return "\(error)" }
        }
        #expect(error(["vocabulary": ["a", "b", "a"]]).contains("layers[0].vocabulary[4]: \"a\" repeats token 2"))
        #expect(error(["vocabulary": ["a b"]]).contains("layers[0].vocabulary[2]: \"a b\" holds whitespace"))
        #expect(error(["vocabulary": ["a", ""]]).contains("layers[0].vocabulary[3]: an empty token"))
        #expect(error(["vocabulary": ["a", "[UNK]"]]).contains("repeats token 1"))
        #expect(error(["max_tokens": 3, "vocabulary": ["a", "b"]]).contains("4 tokens with padding and [UNK]; expected at most 3 (max_tokens)"))
        #expect(error(["max_tokens": 1]).contains("layers[0].max_tokens: expected an integer from 2"))
        #expect(error(["output_sequence_length": 0]).contains("layers[0].output_sequence_length: expected an integer ≥ 1"))
        #expect(error(["output_mode": "tf_idf"]).contains("only \"int\""))
        #expect(error(["split": "character"]).contains("only \"whitespace\""))
        #expect(error(["standardize": "upper"]).contains("layers[0].standardize: unknown value \"upper\""))
        #expect(error(["padding": "both"]).contains("layers[0].padding"))
        #expect(error(["vocabulary": 3]).contains("expected a list of strings"))
    }

    @Test func shapeCheckRefusesIdsAndTablesThatDoNotFit() throws {
        let layer = try TextVectorization(outputSequenceLength: 5, vocabulary: (0..<30).map { "w\($0)" })   // 32 ids
        let ids = TensorSpec(shape: [1, 5], dtype: .int32)
        #expect(try ShapeCheck.check([layer, Embedding(vocabularySize: 32, dimensions: 2)], input: ids).output.shape == [1, 5, 2])
        #expect(throws: ConfigError.self) { try ShapeCheck.check([layer], input: TensorSpec(shape: [1, 6], dtype: .int32)) }
        #expect(throws: ConfigError.self) { try ShapeCheck.check([layer], input: TensorSpec(shape: [1, 5], dtype: .float32)) }
        do {
            try ShapeCheck.check([layer, Embedding(vocabularySize: 20, dimensions: 2)], input: ids)
            Issue.record("an embedding of 20 rows after a vocabulary of 32 was accepted")
        } catch {
            #expect("\(error)".contains("layers[1] (Embedding): the input's ids go up to 31"), "\(error)")
        }
    }

    @Test func aLongTextCostsItsLastTokensOnly() throws {
        let layer = try TextVectorization(outputSequenceLength: 3, vocabulary: ["a", "b", "c"])
        let long = String(repeating: "a ", count: 200_000) + "b c"
        #expect(layer.encode([long]).int32Scalars == [2, 3, 4])
        let post = try TextVectorization(outputSequenceLength: 2, truncating: .post, vocabulary: ["a", "b"])
        #expect(post.encode([long]).int32Scalars == [2, 2])
    }

    @Test func aLargeVocabularyDoesNotSlowReflection() throws {
        // Modules find their tensors by reflection; a vocabulary stored as a bare dictionary made
        // every parameters() call bridge it element by element (minutes per training step).
        let layer = try TextVectorization(outputSequenceLength: 4, vocabulary: (0..<100_000).map { "w\($0)" })
        let start = Date()
        for _ in 0..<20 { #expect(layer.parameterCount == 0 && layer.stateDict().isEmpty) }
        #expect(Date().timeIntervalSince(start) < 2, "\(Date().timeIntervalSince(start)) s")
    }
}
