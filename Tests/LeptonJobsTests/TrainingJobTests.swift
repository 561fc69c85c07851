import Foundation
import LeptonJobs
import LeptonNN
import LeptonTrain
import Testing

/// `TrainingJob`: the one training run behind `lepton train` — its events, its result, and cancellation.
@Suite(.serialized) struct TrainingJobTests {
    /// A small MNIST MLP job (real data; 512 training and 128 test images) writing to `output`.
    static func config(output: String?, epochs: Int = 2) throws -> TrainingConfig {
        var yaml = """
        dataset: {name: mnist, train_limit: 512, test_limit: 128}
        model: {layers: [{type: Flatten}, {type: Dense, units: 32, activation: relu}, {type: Dense, units: 10, activation: softmax}]}
        loss: sparse_categorical_crossentropy
        metrics: [accuracy]
        epochs: \(epochs)
        batch_size: 64
        validation_split: 0.25
        seed: 3

        """
        if let output { yaml += "output: \(output)\n" }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-job-\(UUID()).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try TrainingConfig.load(file.path)
    }

    @Test func runReportsEventsInOrderAndSavesTheModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-job-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("model").path
        let job = try TrainingJob(config: Self.config(output: output))
        var events: [TrainingEvent] = []
        let result = try job.run { events.append($0) }
        let kinds = events.map { "\($0)".split(separator: ":")[0] }
        #expect(kinds == ["started", "epoch 1", "epoch 2", "test", "saved to \(output)", "finished in \(String(format: "%.1f", result.trainingSeconds)) s; test"],
                "\(events)")
        guard case let .started(train, test, parameters, epochs) = events[0] else { Issue.record("\(events[0])"); return }
        #expect(train == 512 && test == 128 && parameters == 784 * 32 + 32 + 32 * 10 + 10 && epochs == 2)
        guard case let .epochEnded(_, logs) = events[2] else { Issue.record("\(events[2])"); return }
        #expect(logs.keys == ["loss", "accuracy", "val_loss", "val_accuracy"])
        #expect(result.epochs == [0, 1] && result.history["loss"]?.count == 2 && result.savedTo == output)
        #expect((result.test["accuracy"] ?? 0) > 0.3, "\(result.test)")   // chance is 0.1
        #expect(FileManager.default.fileExists(atPath: output + "/model.json"))
        // The same job again refuses the model folder it wrote unless told to overwrite it.
        #expect(throws: Error.self) { try TrainingJob(config: Self.config(output: output)) }
        var options = TrainingJob.Options()
        options.overwrite = true
        options.epochs = 1
        let again = try TrainingJob(config: Self.config(output: output), options: options).run()
        #expect(again.epochs == [0])
    }

    @Test func theSameSeedGivesTheSameHistory() throws {
        let a = try TrainingJob(config: Self.config(output: nil)).run()
        let b = try TrainingJob(config: Self.config(output: nil)).run()
        #expect(a.history == b.history && a.test == b.test)
    }

    @Test func eventsStreamAndCancellationStopTraining() async throws {
        // Epochs of 512 samples take milliseconds, and a loaded machine may deliver events to the
        // consumer late: the job must stop long before its 2,000 epochs, whenever the cancel lands.
        let job = try TrainingJob(config: Self.config(output: nil, epochs: 2000))
        var seen: [String] = []
        do {
            for try await event in job.events() {
                seen.append("\(event)")
                if case .epochEnded = event { job.cancel() }
            }
            Issue.record("a cancelled job should end with an error: \(seen)")
        } catch {
            #expect("\(error)" == "cancelled")
        }
        #expect(seen.filter { $0.hasPrefix("epoch") }.count < 2000, "\(seen.suffix(3))")
        #expect(seen.last == "failed: cancelled", "\(seen.suffix(3))")
    }
}

/// `augmentation:` in a YAML config.
@Suite struct AugmentationConfigTests {
    static func load(_ augmentation: String) throws -> TrainingConfig {
        let yaml = "dataset: {name: mnist}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: mse\naugmentation: \(augmentation)\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-augment-\(UUID()).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try TrainingConfig.load(file.path)
    }

    @Test func settingsAreReadAndCheckedWithTheirKey() throws {
        let config = try Self.load("{horizontal_flip: true, rotation: 10, shift: 0.1, brightness: 0.2, contrast: 0.1, noise: 0.01, crop_padding: 2}")
        let a = try #require(config.augmentation)
        #expect(a.horizontalFlip && a.maxRotation == 10 && a.maxShift == 0.1 && a.maxBrightness == 0.2 && a.cropPadding == 2)
        for (bad, message) in [("{rotation: -5}", "augmentation.rotation: expected a number in [0, 180]"),
                               ("{shift: 2}", "augmentation.shift: expected a number in [0, 1]"),
                               ("{flip: true}", "flip")] {
            let error = #expect(throws: ConfigError.self) { try Self.load(bad) }
            #expect(error?.description.contains(message) == true, "\(bad): \(String(describing: error))")
        }
    }
}
