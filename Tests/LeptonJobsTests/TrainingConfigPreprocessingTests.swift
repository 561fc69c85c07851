import Foundation
import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// `TrainingConfig.buildModel(for:)`: the dataset's preprocessing at the model's input — for the
/// sentiment dataset a `TextVectorization` adapted on the training texts, so the model takes
/// sentences — and the whole model checked against the dataset before it is built.
@Suite struct TrainingConfigPreprocessingTests {
    /// A sentiment config with `layers` (YAML flow lists) and extra dataset settings.
    func config(_ layers: String, dataset extra: String = "") throws -> TrainingConfig {
        let yaml = """
        dataset: {name: sentiment, max_vocabulary: 500, sequence_length: 12\(extra)}
        model: {layers: [\(layers)]}
        loss: binary_crossentropy
        """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-config-\(UUID()).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return try TrainingConfig.load(url.path)
    }

    @Test func theSentimentModelStartsWithTheAdaptedVectorizer() throws {
        let config = try config("{type: Embedding, input_dim: 500, output_dim: 4}, {type: Flatten}, {type: Dense, units: 1, activation: sigmoid}")
        let data = try config.loadData()
        let model = try config.buildModel(for: try DatasetParts(data))
        let vectorize = try #require(model.textVectorization)
        #expect(vectorize === data.textVectorization && vectorize.vocabularySize == 500 && vectorize.outputSequenceLength == 12)
        #expect(vectorize.padding == .pre && vectorize.truncating == .pre && vectorize.standardize == .lowerAndStripPunctuation)
        // The ids the model trains on are the layer's ids of the raw texts, and evaluate finds them again.
        let texts = try #require(data.trainTexts), testTexts = try #require(data.testTexts)
        #expect(texts.count == data.trainX.shape[0] && testTexts.count == data.testX.shape[0])
        #expect(vectorize.encode(Array(texts.prefix(50))).int32Scalars == data.trainX.slice(axis: 0, end: 50).int32Scalars)
        #expect(try data.testInputs(for: model).int32Scalars == data.testX.int32Scalars)
        // The vocabulary is learnt from the training split only.
        let trainWords = Set(texts.flatMap { TextStandardization.lowerAndStripPunctuation.tokens($0) })
        #expect(vectorize.vocabulary.dropFirst(2).allSatisfy(trainWords.contains))
    }

    @Test func anEmbeddingSmallerThanTheVocabularyIsAConfigError() throws {
        let config = try config("{type: Embedding, input_dim: 300, output_dim: 4}, {type: Flatten}, {type: Dense, units: 1}")
        do {
            _ = try config.buildModel(for: try config.loadParts())
            Issue.record("an Embedding of 300 rows after a vocabulary of 500 was accepted")
        } catch let error as ConfigError {
            #expect(error.description.contains("model[1] (Embedding): the input's ids go up to 499"), "\(error)")
        }
        #expect(throws: ConfigError.self) {
            let standardized = try self.config("{type: Embedding, input_dim: 500, output_dim: 4}", dataset: ", standardize: true")
            _ = try standardized.buildModel(for: try standardized.loadParts())
        }
    }
}
