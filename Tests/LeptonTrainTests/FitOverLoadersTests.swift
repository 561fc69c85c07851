import Foundation
import LeptonData
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// `fit`, `evaluate` and `predict` over data loaders — the one loop `fit(x:y:)` goes through too.
@Suite struct FitOverLoadersTests {
    /// Samples computed on demand (no tensor holds the whole set): y = x0 - 2·x1 + 0.5.
    struct LinearSamples: Dataset {
        let count: Int
        func sample(at index: Int) -> [Tensor] {
            var g = RandomGenerator(seed: UInt64(index) + 1)
            let x = Tensor.normal([2], generator: &g)
            let v = x.scalars
            return [x, Tensor([v[0] - 2 * v[1] + 0.5], shape: [1])]
        }
    }

    @Test func fitOverADatasetLearnsAndMatchesTheTensorPath() throws {
        let data = LinearSamples(count: 64)
        let model = linearModel()
        try model.compile(optimizer: .sgd(learningRate: 0.1), loss: "mse", metrics: ["mae"])
        let loader = DataLoader(data, batchSize: 8, shuffle: true, seed: 4)
        let history = try model.fit(loader, epochs: 30, validationData: DataLoader(data, batchSize: 16), verbose: .silent)
        #expect(history.epochs.count == 30 && (history.history["val_loss"]?.last ?? 1) < 1e-3, "\(history.history["val_loss"] ?? [])")
        // evaluate/predict over a loader agree with the tensor versions on the same samples.
        let all = try data.batch(Array(0..<data.count))
        let fromLoader = try model.evaluate(DataLoader(data, batchSize: 10))
        let fromTensors = try model.evaluate(x: all[0], y: all[1], batchSize: 10)
        #expect(abs(fromLoader["loss"]! - fromTensors["loss"]!) < 1e-6 && abs(fromLoader["mae"]! - fromTensors["mae"]!) < 1e-6)
        #expect(try model.predict(DataLoader(data, batchSize: 7)).scalars == model.predict(all[0], batchSize: 7).scalars)
    }

    @Test func fitOverTensorsIsFitOverTheirLoader() throws {
        let (x, y) = regressionData(samples: 40)
        let a = linearModel(), b = linearModel()
        for model in [a, b] { try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse") }
        a.shuffleSeed = 9
        let viaTensors = try a.fit(x: x, y: y, epochs: 3, batchSize: 8, verbose: .silent)
        let viaLoader = try b.fit(DataLoader(try TensorDataset(x, y), batchSize: 8, shuffle: true, seed: 9), epochs: 3, verbose: .silent)
        #expect(viaTensors.history == viaLoader.history)
        #expect(weights(a) == weights(b))
    }

    @Test func fitOverADatasetHoldsOutItsLastSamplesAsTheTensorFormDoes() throws {
        let data = LinearSamples(count: 50)
        let all = try data.batch(Array(0..<data.count))
        let a = linearModel(), b = linearModel()
        for model in [a, b] {
            try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse")
            model.shuffleSeed = 3
        }
        let viaTensors = try a.fit(x: all[0], y: all[1], epochs: 2, batchSize: 8, validationSplit: 0.2, verbose: .silent)
        let viaDataset = try b.fit(data, epochs: 2, batchSize: 8, validationSplit: 0.2, verbose: .silent)
        #expect(viaTensors.history == viaDataset.history && viaDataset.history["val_loss"]?.count == 2)
        #expect(weights(a) == weights(b))
        #expect { try b.fit(data, batchSize: 8, validationSplit: 0.01, verbose: .silent) } throws: {
            "\($0)".contains("validationSplit 0.01 of 50 samples leaves no training or validation samples")
        }
        #expect { try b.fit(data, batchSize: 8, validationData: LinearSamples(count: 0), verbose: .silent) } throws: {
            "\($0)".contains("fit (validation data): no samples")
        }
        #expect { try b.fit(LinearSamples(count: 0), batchSize: 8, verbose: .silent) } throws: { "\($0)".contains("fit: no samples") }
    }

    @Test func badBatchesAndEmptyLoadersAreErrorsNotCrashes() throws {
        let model = linearModel()
        try model.compile(optimizer: "sgd", loss: "mse")
        let onlyInputs = try TensorDataset(Tensor.ones([4, 2]))
        #expect(throws: TrainingError.self) { try model.fit(DataLoader(onlyInputs, batchSize: 2), verbose: .silent) }
        let empty = DataLoader(LinearSamples(count: 3), batchSize: 4, dropLast: true)
        let error = #expect(throws: TrainingError.self) { try model.fit(empty, verbose: .silent) }
        #expect(error?.description.contains("no batch of 4 (the last partial batch is dropped)") == true, "\(String(describing: error))")
        #expect(throws: TrainingError.self) { try model.predict(DataLoader(LinearSamples(count: 0), batchSize: 4)) }
    }

    @Test func aThrowingCallbackStopsTrainingWithItsError() throws {
        struct Stop: Error {}
        let (x, y) = regressionData()
        let model = linearModel()
        try model.compile(optimizer: "sgd", loss: "mse")
        var epochs = 0
        final class Thrower: Callback {
            func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) throws { if epoch == 1 { throw Stop() } }
        }
        #expect(throws: Stop.self) {
            try model.fit(x: x, y: y, epochs: 5, batchSize: 4,
                          callbacks: [LambdaCallback(onEpochEnd: { _, _, _ in epochs += 1 }), Thrower()], verbose: .silent)
        }
        #expect(epochs == 2)
    }
}
