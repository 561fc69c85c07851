import Foundation
import Testing
import LeptonData
import LeptonNN
import LeptonTensor

/// `DatasetCatalog.sentiment`: a seeded split of `id<TAB>score<TAB>text` lines whose ids come from a
/// `TextVectorization` adapted on the training texts only, kept with the raw texts.
@Suite struct SentimentDatasetTests {
    @Test func idsComeFromTheVectorizerAdaptedOnTheTrainingTexts() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-sentiment-\(UUID()).tsv")
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = (0..<40).map { i in "\(i)\t\(i % 2 == 0 ? 1.5 : -0.5)\t\(i % 2 == 0 ? "A great film" : "dull, dull") number\(i)!" }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let splits = try DatasetCatalog.sentiment(file: url, testFraction: 0.25, seed: 3, maximumVocabulary: 100, sequenceLength: 4)
        let vectorize = try #require(splits.textVectorization)
        let train = try #require(splits.trainTexts), test = try #require(splits.testTexts)
        #expect(train.count == 30 && test.count == 10 && splits.trainX.shape == [30, 4] && splits.testX.shape == [10, 4])
        #expect(splits.trainX.dtype == .int32 && splits.trainY.shape == [30, 1])
        #expect(splits.trainX.int32Scalars == vectorize.encode(train).int32Scalars)
        #expect(splits.testX.int32Scalars == vectorize.encode(test).int32Scalars)
        // Each text's own number is a word of one split only: the test texts' numbers are unknown (id 1).
        let testNumbers = test.map { vectorize.ids($0).last }
        #expect(testNumbers.allSatisfy { $0 == 1 }, "\(testNumbers)")
        #expect(vectorize.vocabulary.starts(with: ["", "[UNK]"]) && vectorize.vocabulary.contains("dull"))
        #expect(throws: DataError.self) { try DatasetCatalog.sentiment(file: url, sequenceLength: 0) }
    }
}
