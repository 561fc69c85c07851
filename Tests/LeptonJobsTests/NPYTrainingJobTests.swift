import Foundation
import LeptonData
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// `dataset: {name: npy, x, y}`: a training job over `.npy` files read in batches as training asks
/// (memory-mapped, never loaded whole): it trains, standardises with statistics gathered batch by
/// batch, uses the file's own validation part, and refuses what does not fit.
@Suite struct NPYTrainingJobTests {
    /// MNIST's first 1,200 training images as uint8 `[1200, 28, 28, 1]` and their int64 labels.
    static func writeFiles(into dir: URL) throws {
        let mnist = try MNIST(directory: MNIST.defaultDirectory())
        let n = 1_200
        let pixels = mnist.trainImages.scalars.prefix(n * 784).map { UInt8($0) }
        let labels = mnist.trainLabels.int32Scalars.prefix(n).map(Int64.init)
        var x = try NPYHeader(elementType: .uint8, shape: [n, 28, 28, 1]).encoded()
        x += Data(pixels)
        var y = try NPYHeader(elementType: .int64, shape: [n]).encoded()
        labels.withUnsafeBytes { y += Data($0) }
        try x.write(to: dir.appendingPathComponent("x.npy"))
        try y.write(to: dir.appendingPathComponent("y.npy"))
    }

    static func config(_ dir: URL, validation: String = "0.1", dataset extra: String = "", more: String = "") throws -> TrainingConfig {
        let yaml = """
        dataset: {name: npy, x: \(dir.path)/x.npy, y: \(dir.path)/y.npy, test_fraction: 0.2, validation_fraction: \(validation), standardize: true\(extra)}
        model: {layers: [{type: Flatten}, {type: Dense, units: 32, activation: relu}, {type: Dense, units: 10, activation: softmax}]}
        loss: sparse_categorical_crossentropy
        metrics: [accuracy]
        epochs: 3
        batch_size: 32
        seed: 5
        \(more)
        """
        let file = dir.appendingPathComponent("npy-\(UUID()).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try TrainingConfig.load(file.path)
    }

    @Test func aJobTrainsOverNPYFilesWithTheirOwnValidationPart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-npy-job-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFiles(into: dir)
        let config = try Self.config(dir, more: "output: \(dir.path)/model")
        let parts = try config.loadParts()
        #expect(parts.inMemory == nil && parts.train.count == 840 && parts.validation?.count == 120 && parts.test.count == 240)
        #expect(parts.inputShape == [28, 28, 1] && parts.inputDType == .float32)

        let job = try TrainingJob(config: config)
        var events: [TrainingEvent] = []
        let result = try job.run { events.append($0) }
        guard case let .started(train, test, _, _) = events.first else { Issue.record("\(events)"); return }
        #expect(train == 840 && test == 240)
        #expect(result.history["val_accuracy"]?.count == 3, "\(result.history)")
        #expect((result.test["accuracy"] ?? 0) > 0.75, "\(result.test)")   // chance is 0.1
        #expect(job.data == nil)   // streamed: no tensors of the whole dataset were made

        // The standardisation the model carries is the training part's mean and variance,
        // gathered batch by batch.
        let model = try #require(job.model)
        let normalization = try #require(model.layers.first as? Normalization)
        let pixels = try parts.train.batch(Array(0..<parts.train.count))[0].scalars.map(Double.init)
        let mean = pixels.reduce(0, +) / Double(pixels.count)
        let variance = pixels.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(pixels.count)
        #expect(abs(Double(try #require(normalization.mean).scalars[0]) - mean) < 1e-3)
        #expect(abs(Double(try #require(normalization.variance).scalars[0]) / variance - 1) < 1e-5)

        // The saved model takes the file's raw values and scores as the job's test did.
        let saved = try ModelFile.load(from: dir.appendingPathComponent("model"))
        try saved.compile(optimizer: config.optimizer, loss: config.loss, metrics: config.metrics.map { MetricSpec(named: $0) })
        let again = try saved.evaluate(DataLoader(parts.test, batchSize: 64))
        #expect(abs((again["accuracy"] ?? 0) - (result.test["accuracy"] ?? 1)) < 1e-6, "\(again) vs \(result.test)")
    }

    @Test func badNPYSettingsAreOneLineErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-npy-bad-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFiles(into: dir)
        let cases: [(String, String, String, String)] = [
            ("1.5", "", "", "dataset.validation_fraction: expected a number in [0, 1), got 1.5"),
            ("0.1", "", "validation_split: 0.1", "validation_split: the dataset holds a validation part of its own"),
            ("0.1", ", size: 3", "", "size"),
        ]
        for (validation, extra, more, expected) in cases {
            #expect {
                try TrainingJob(config: try Self.config(dir, validation: validation, dataset: extra, more: more)).run()
            } throws: { "\($0)".contains(expected) && !"\($0)".contains("\n") }
        }
        let missing = """
        dataset: {name: npy, y: \(dir.path)/y.npy}
        model: {layers: [{type: Flatten}, {type: Dense, units: 10}]}
        loss: mse
        """
        let file = dir.appendingPathComponent("missing.yaml")
        try missing.write(to: file, atomically: true, encoding: .utf8)
        #expect { try TrainingConfig.load(file.path).loadParts() } throws: { "\($0)".contains("dataset.x: missing (an npy dataset needs the features' .npy file)") }
        #expect { try Self.config(dir).loadData(for: "calibration") } throws: {
            "\($0)".contains("dataset: npy is read from its files in batches, but calibration needs the whole dataset in memory")
        }
    }
}
