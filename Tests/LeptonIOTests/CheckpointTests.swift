import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Checkpoint folders: everything needed to continue training is saved and restored exactly;
/// broken folders and mismatched models are reported; a failed save keeps the previous one.
@Suite(.serialized) struct CheckpointTests {
    /// A small classifier with dropout inside a transformer block and a plain dropout layer,
    /// trained a few steps with Adam so that every piece of state is non-trivial.
    func trainedModel(steps: Int = 3) throws -> Sequential {
        let model = Sequential([
            Dense(units: 8, activation: .relu, inputDimensions: 4), BatchNormalization(), Dropout(rate: 0.4, seed: 1),
            Reshape([2, 4]), TransformerEncoderLayer(modelDimensions: 4, heads: 2, feedForwardDimensions: 8, dropout: 0.2, seed: 2),
            Flatten(), Dense(units: 3, activation: .softmax),
        ])
        model.build(inputShape: [4])
        randomizeState(model, seed: 3)
        let adam = Adam(model, learningRate: 0.1 * 0.7 * 0.7 * 0.7)
        try model.compile(optimizer: adam, loss: "sparse_categorical_crossentropy")
        var g = RandomGenerator(seed: 4)
        for _ in 0..<steps {
            _ = model.trainStep(x: Tensor.normal([6, 4], generator: &g), y: Tensor(int32: [0, 1, 2, 0, 1, 2], shape: [6]))
        }
        return model
    }

    func freshModel() throws -> Sequential {
        let model = Sequential([
            Dense(units: 8, activation: .relu), BatchNormalization(), Dropout(rate: 0.4),
            Reshape([2, 4]), TransformerEncoderLayer(modelDimensions: 4, heads: 2, feedForwardDimensions: 8, dropout: 0.2),
            Flatten(), Dense(units: 3, activation: .softmax),
        ])
        model.build(inputShape: [4])
        try model.compile(optimizer: Adam(model, learningRate: 1), loss: "sparse_categorical_crossentropy")
        return model
    }

    func scalars(_ dict: [String: Tensor]) -> [String: [Float]] { dict.mapValues(\.scalars) }
    func scalars(_ list: [(String, Tensor)]) -> [String: [Float]] { Dictionary(uniqueKeysWithValues: list.map { ($0.0, $0.1.scalars) }) }

    /// The `random.global` words of a saved checkpoint.
    func savedGlobalWords(_ url: URL) throws -> [String] {
        let data = try Data(contentsOf: url.appendingPathComponent(Checkpoint.manifestName))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return ((json?["random"] as? [String: Any])?["global"] as? [String]) ?? []
    }

    @Test func everythingNeededToContinueIsRestoredExactly() throws {
        try withTemporaryDirectory("ckpt") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = try trainedModel()
            let training = TrainingState(
                epochsCompleted: 3,
                history: ["loss": [1.25, 0.1 * 0.7, .nan], "val_loss": [.infinity, -.infinity, 3]], historyEpochs: [0, 1, 2],
                callbacks: [CallbackState(type: "EarlyStopping", values: ["best": .float(0.1 * 0.3), "wait": .int(2), "best_epoch": .int(1),
                                                                          "stopped_epoch": .null],
                                          tensors: ["layers.0.kernel": Tensor([1, 2, 3], shape: [3])])])
            try Checkpoint.save(model: model, optimizer: model.optimizer, training: training, to: url, inputShape: [4])

            GlobalRandom.seed(999)
            let fresh = try freshModel()
            let restored = try Checkpoint.restore(from: url, into: fresh, optimizer: fresh.optimizer)
            #expect(scalars(fresh.stateDict()) == scalars(model.stateDict()))
            #expect(scalars(fresh.optimizer!.stateDict()) == scalars(model.optimizer!.stateDict()))
            #expect(fresh.optimizer!.iterations == 3)
            #expect(fresh.optimizer!.learningRate.bitPattern == model.optimizer!.learningRate.bitPattern)
            #expect(fresh.randomStates().map(\.0) == ["layers.2", "layers.4.selfAttention", "layers.4.dropout1",
                                                      "layers.4.feedForwardDropout", "layers.4.dropout2"])
            #expect(fresh.randomStates().map(\.1) == model.randomStates().map(\.1))
            // The global generator is saved too (other tests draw from it concurrently, so its
            // value is not compared here; BackupAndRestore's tests run with it restored).
            #expect(try savedGlobalWords(url).count == 4)
            #expect(restored.epochsCompleted == 3)
            #expect(restored.historyEpochs == [0, 1, 2])
            #expect(restored.history["loss"]!.map(\.bitPattern) == training.history["loss"]!.map(\.bitPattern))
            #expect(restored.history["val_loss"]! == [.infinity, -.infinity, 3])
            #expect(restored.callbacks.count == 1 && restored.callbacks[0].type == "EarlyStopping")
            #expect(try restored.callbacks[0].float("best") == 0.1 * 0.3)
            #expect(try restored.callbacks[0].int("wait") == 2 && restored.callbacks[0].optionalInt("stopped_epoch") == nil)
            #expect(restored.callbacks[0].tensors["layers.0.kernel"]!.scalars == [1, 2, 3])
            // The same predictions and the same next training step.
            let x = Tensor.ones([5, 4])
            #expect(fresh.predict(x).scalars == model.predict(x).scalars)
            // A checkpoint of a Sequential model is also a model folder.
            #expect(try ModelFile.load(from: url).predict(x).scalars == model.predict(x).scalars)
            let y = Tensor(int32: [0, 1, 2, 1, 0], shape: [5])
            #expect(fresh.trainStep(x: x, y: y).loss == model.trainStep(x: x, y: y).loss)
            #expect(scalars(fresh.stateDict()) == scalars(model.stateDict()))
        }
    }

    /// A subclassed model (no registered layers): weights, optimizer and generators, no model.json.
    final class TwoTowers: Model {
        let left = Dense(units: 3, activation: .relu, inputDimensions: 2)
        let right = Dense(units: 3, inputDimensions: 2)
        let dropout = Dropout(rate: 0.5, seed: 4)
        override func forward(_ x: Tensor) -> Tensor { dropout(left(x)) + right(x) }
    }

    @Test func subclassedModelsAreCheckpointedWithoutAnArchitecture() throws {
        try withTemporaryDirectory("ckpt-custom") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = TwoTowers()
            try model.compile(optimizer: "adam", loss: "mse")
            let x = Tensor.ones([4, 2]), y = Tensor.zeros([4, 3])
            _ = model.trainStep(x: x, y: y)
            try Checkpoint.save(model: model, optimizer: model.optimizer, to: url)
            #expect(!FileManager.default.fileExists(atPath: url.appendingPathComponent(ModelFile.architectureName).path))
            let fresh = TwoTowers()
            try fresh.compile(optimizer: "adam", loss: "mse")
            try Checkpoint.restore(from: url, into: fresh, optimizer: fresh.optimizer)
            #expect(fresh.trainStep(x: x, y: y).loss == model.trainStep(x: x, y: y).loss)
            #expect(scalars(fresh.stateDict()) == scalars(model.stateDict()))
        }
    }

    @Test func mismatchedModelsAndOptimizersAreNamed() throws {
        try withTemporaryDirectory("ckpt-mismatch") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = try trainedModel()
            try Checkpoint.save(model: model, optimizer: model.optimizer, to: url)
            let wider = Sequential([Dense(units: 9, activation: .relu, inputDimensions: 4)])
            try wider.compile(optimizer: "adam", loss: "mse")
            let before = wider.stateDict().map { $0.1.scalars }
            let message = errorMessage { try Checkpoint.restore(from: url, into: wider, optimizer: nil) }
            #expect(message.contains("random generators are saved for layers"), "\(message)")
            #expect(wider.stateDict().map { $0.1.scalars } == before, "nothing changed")

            let sgdModel = try freshModel()
            try sgdModel.compile(optimizer: "sgd", loss: "mse")
            #expect(errorMessage { try Checkpoint.restore(from: url, into: sgdModel, optimizer: sgdModel.optimizer) }
                .contains("the checkpoint's optimizer is Adam, the model's is SGD"))

            let fresh = try freshModel()
            try FileManager.default.removeItem(at: url.appendingPathComponent(Checkpoint.optimizerName))
            #expect(errorMessage { try Checkpoint.restore(from: url, into: fresh, optimizer: fresh.optimizer) }
                .contains("optimizer.safetensors: file not found"))
            try Data("{\"format\": \"lepton-checkpoint\"}".utf8).write(to: url.appendingPathComponent(Checkpoint.manifestName))
            #expect(errorMessage { try Checkpoint.restore(from: url, into: fresh) }.contains("'version' is missing"))
            try Data("[1,".utf8).write(to: url.appendingPathComponent(Checkpoint.manifestName))
            #expect(errorMessage { try Checkpoint.restore(from: url, into: fresh) }.contains("checkpoint.json is not"))
            #expect(errorMessage { try Checkpoint.restore(from: dir.appendingPathComponent("none"), into: fresh) }
                .contains("checkpoint folder not found"))
        }
    }

    @Test func badGeneratorStatesAreRejected() throws {
        try withTemporaryDirectory("ckpt-rng") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = try trainedModel(steps: 0)
            try Checkpoint.save(model: model, to: url)
            let manifest = url.appendingPathComponent(Checkpoint.manifestName)
            let text = try String(contentsOf: manifest, encoding: .utf8)
            let broken = text.replacingOccurrences(of: "\"\(try savedGlobalWords(url)[0])\"", with: "\"xyz\"")
            try broken.write(to: manifest, atomically: true, encoding: .utf8)
            #expect(errorMessage { try Checkpoint.restore(from: url, into: try freshModel()) }
                .contains("random.global is not a random generator state"))
        }
    }

    @Test func aFailedSaveLeavesThePreviousCheckpoint() throws {
        try withTemporaryDirectory("ckpt-fail") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = try trainedModel()
            try Checkpoint.save(model: model, optimizer: model.optimizer, training: TrainingState(epochsCompleted: 1), to: url)
            // A folder cannot be created where a file is.
            let blocked = dir.appendingPathComponent("file")
            try Data("x".utf8).write(to: blocked)
            let message = errorMessage { try Checkpoint.save(model: model, to: blocked.appendingPathComponent("checkpoint")) }
            #expect(message.contains("cannot create a folder here") && message.contains(blocked.path), "\(message)")
            // The checkpoint saved before is untouched, and nothing is left behind.
            #expect(Checkpoint.exists(at: url))
            let state = try Checkpoint.restore(from: url, into: try freshModel())
            #expect(state.epochsCompleted == 1)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }

    @Test func aSaveInterruptedBetweenItsRenamesIsRecovered() throws {
        try withTemporaryDirectory("ckpt-aside") { dir in
            let url = dir.appendingPathComponent("checkpoint")
            let model = try trainedModel()
            try Checkpoint.save(model: model, optimizer: model.optimizer, training: TrainingState(epochsCompleted: 2), to: url)
            // As a crash right after the old folder was set aside leaves it.
            try FileManager.default.moveItem(at: url, to: dir.appendingPathComponent(".checkpoint.old-\(UUID().uuidString)"))
            #expect(Checkpoint.exists(at: url))
            let fresh = try freshModel()
            #expect(try Checkpoint.restore(from: url, into: fresh, optimizer: fresh.optimizer).epochsCompleted == 2)
            // The next save puts a complete folder in place again and removes the copy.
            try Checkpoint.save(model: model, training: TrainingState(epochsCompleted: 3), to: url)
            #expect(try Checkpoint.restore(from: url, into: fresh).epochsCompleted == 3)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["checkpoint"])
        }
    }
}
