import Foundation
import Testing
import LeptonData
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Shorter runs of the example models on the real datasets, with looser bounds than the full
/// runs reported in the README; and save → load round trips of each.
@Suite(.serialized) struct ExampleModelsTests {
    /// Runs the config's ``TrainingJob`` (as `lepton train` does) for `epochs` epochs, without saving.
    func train(_ config: String, epochs: Int) throws -> (Sequential, DatasetSplits, Logs) {
        var options = TrainingJob.Options()
        options.epochs = epochs
        var loaded = try TrainingConfig.load(config)
        loaded.output = nil
        let job = try TrainingJob(config: loaded, options: options)
        let result = try job.run()
        return (try #require(job.model), try #require(job.data), result.test)
    }

    func roundTrip(_ model: Sequential, _ data: DatasetSplits) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-model-\(UUID())")
        defer { try? FileManager.default.removeItem(at: url) }
        let x = data.testX.slice(axis: 0, end: 64)
        try ModelFile.save(model, to: url, inputShape: data.inputShape, inputDType: data.trainX.dtype)
        let loaded = try ModelFile.load(from: url)
        #expect(loaded.predict(x).scalars == model.predict(x).scalars, "a reloaded model predicts bit-identically")
        if let texts = data.testTexts?.prefix(64) {
            #expect(try loaded.predict(texts: Array(texts)).scalars == model.predict(x).scalars, "a text model takes the sentences")
        }
    }

    @Test func sentimentLSTMLearns() throws {
        let (model, data, logs) = try train("examples/sentiment-lstm.yaml", epochs: 1)
        #expect(logs["accuracy"]! > 0.65, "test accuracy \(logs["accuracy"]!)")
        #expect(model.textVectorization?.outputSequenceLength == 40, "the model takes sentences")
        try roundTrip(model, data)
    }

    @Test func movieLensMatrixFactorisationLearns() throws {
        let (model, data, logs) = try train("examples/movielens-mf.yaml", epochs: 2)
        #expect(logs["rmse"]! < 1.0, "test RMSE \(logs["rmse"]!)")
        try roundTrip(model, data)
    }
}
