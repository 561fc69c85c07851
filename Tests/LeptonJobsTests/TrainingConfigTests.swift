import Foundation
import Testing
import LeptonIO
import LeptonJobs
import LeptonNN

@Suite struct TrainingConfigTests {
    func write(_ yaml: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-config-\(UUID()).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func error(_ yaml: String) throws -> String {
        let path = try write(yaml)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let job = try TrainingConfig.load(path)
            _ = try job.buildModel()
            _ = try job.loadData()
            _ = try job.buildCallbacks(inputShape: [1], dtype: .float32)
        } catch let error as ConfigError {
            return error.description
        } catch {
            return "\(error)"
        }
        return "no error"
    }

    let base = """
    dataset: {name: mnist, train_limit: 10, test_limit: 10}
    model:
      input_shape: [28, 28, 1]
      layers:
        - {type: Flatten}
        - {type: Dense, units: 10, activation: softmax}
    loss: sparse_categorical_crossentropy
    """

    @Test func theShippedExamplesParse() throws {
        for name in ["mnist-cnn", "mnist-mlp", "sentiment-lstm", "movielens-mf", "open-set-embed"] {
            let job = try TrainingConfig.load("examples/\(name).yaml")
            #expect(try job.buildModel().layers.count > 0)
        }
    }

    @Test func jitIsOffUnlessTheConfigTurnsItOn() throws {
        let plain = try write(base), compiled = try write(base + "\njit: true")
        defer { for path in [plain, compiled] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try TrainingConfig.load(plain).jit == false)
        #expect(try TrainingConfig.load(compiled).jit == true)
    }

    @Test func aLossMayBeAMappingWithItsMarginAndScale() throws {
        let path = try write(base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: arcface, margin: 0.4, scale: 32}"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try TrainingConfig.load(path).loss.name == "arcface")
        let contrastive = try write(base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy",
                                                              with: "loss: {name: contrastive, margin: 1, positive_margin: 0.4}"))
        defer { try? FileManager.default.removeItem(atPath: contrastive) }
        #expect(try TrainingConfig.load(contrastive).loss.name == "contrastive")
    }

    @Test func badConfigsNameTheKeyTheValueAndWhatWasExpected() throws {
        let cases: [(String, String)] = [
            (base.replacingOccurrences(of: "units: 10", with: "units: ten"), "model.layers[1].units: expected an integer, got \"ten\""),
            (base.replacingOccurrences(of: "units: 10", with: "unit: 10"), "model.layers[1]: unknown key unit"),
            (base.replacingOccurrences(of: "type: Dense", with: "type: Dence"), "model.layers[1].type: unknown layer type \"Dence\""),
            (base.replacingOccurrences(of: "activation: softmax", with: "activation: softmx"), "model.layers[1].activation: unknown value \"softmx\""),
            (base + "\nepochs: 0", "epochs: expected an integer ≥ 1, got 0"),
            (base + "\njit: maybe", "jit: expected"),
            (base + "\noptimizer: adamm", "optimizer: unknown optimizer 'adamm'"),
            (base.replacingOccurrences(of: "sparse_categorical_crossentropy", with: "crossentropy"), "loss: unknown loss 'crossentropy'"),
            (base + "\nmetrics: [acuracy]", "metrics: unknown metric 'acuracy'"),
            (base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: sparse_categorical_crossentropy, margin: 1}"),
             "loss: loss 'sparse_categorical_crossentropy' takes no margin or scale"),
            (base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: arcface, margn: 1}"), "loss: unknown key margn"),
            (base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: cosface, scale: -2}"),
             "loss: loss scale: expected a number in (0, 1000], got -2"),
            (base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: arcface, positive_margin: 0.2}"),
             "loss: loss 'arcface' takes no positive_margin; it is for contrastive"),
            (base.replacingOccurrences(of: "loss: sparse_categorical_crossentropy", with: "loss: {name: contrastive, margin: 0.5, positive_margin: 0.5}"),
             "loss: loss positive_margin: expected a number in 0..<margin (0.5), got 0.5"),
            (base + "\nbatch_sise: 3", "unknown key batch_sise"),
            (base.replacingOccurrences(of: "name: mnist", with: "name: mnist, path: /nonexistent/mnist"), "MNIST file train-images-idx3-ubyte(.gz) not found"),
            (base.replacingOccurrences(of: "name: mnist", with: "name: imagenet"), "dataset.name: unknown dataset \"imagenet\""),
            (base + "\ncallbacks: [{type: EarlyStoping}]", "callbacks[0].type: unknown callback \"EarlyStoping\""),
            ("model: [1, 2", "not valid YAML"),
        ]
        for (yaml, expected) in cases {
            let message = try error(yaml)
            #expect(message.contains(expected), "expected '\(expected)' in '\(message)'")
            #expect(!message.contains("\n"), "one line: \(message)")
        }
    }

    @Test func backupAndRestoreCallbacksAreConfigured() throws {
        let path = try write(base + "\ncallbacks: [{type: BackupAndRestore, path: /tmp/lepton-backup, delete_checkpoint: false}]")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let callbacks = try TrainingConfig.load(path).buildCallbacks(inputShape: [28, 28, 1], dtype: .float32)
        let backup = try #require(callbacks.first as? BackupAndRestore)
        #expect(backup.directory.path == "/tmp/lepton-backup" && !backup.deleteCheckpoint)
        for (yaml, expected) in [
            (base + "\ncallbacks: [{type: BackupAndRestore}]", "callbacks[0].path: missing (expected a string)"),
            (base + "\ncallbacks: [{type: BackupAndRestore, path: b, every: 2}]", "callbacks[0]: unknown key every"),
            (base + "\ncallbacks: [{type: BackupAndRestore, path: b, delete_checkpoint: 3}]",
             "callbacks[0].delete_checkpoint: expected true or false, got 3"),
        ] {
            let message = try error(yaml)
            #expect(message.contains(expected), "expected '\(expected)' in '\(message)'")
        }
    }

    @Test func aMissingFileIsReported() {
        #expect(throws: ConfigError.self) { try TrainingConfig.load("/nonexistent/config.yaml") }
    }
}
