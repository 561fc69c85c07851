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

    /// Outputs are compared within float rounding: a test running beside this one may change
    /// `Lepton.threadCount`, and with it how a matrix product splits its sums.
    func roundTrip(_ model: Sequential, _ data: DatasetSplits) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-model-\(UUID())")
        defer { try? FileManager.default.removeItem(at: url) }
        let x = data.testX.slice(axis: 0, end: 64)
        try ModelFile.save(model, to: url, inputShape: data.inputShape, inputDType: data.trainX.dtype)
        let loaded = try ModelFile.load(from: url)
        let reloaded = loaded.predict(x).scalars, original = model.predict(x).scalars
        #expect(reloaded.count == original.count && zip(reloaded, original).allSatisfy { abs($0 - $1) <= 1e-5 },
                "a reloaded model predicts what the trained one does")
        if let texts = data.testTexts?.prefix(64) {
            let fromTexts = try loaded.predict(texts: Array(texts)).scalars, fromIds = model.predict(x).scalars
            #expect(zip(fromTexts, fromIds).allSatisfy { abs($0 - $1) <= 1e-5 } && fromTexts.count == fromIds.count,
                    "a text model takes the sentences")
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
