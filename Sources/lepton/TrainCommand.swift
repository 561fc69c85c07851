import ArgumentParser
import Foundation
import LeptonJobs
import LeptonData
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// `lepton train CONFIG.yaml`: trains the model a config describes, with Keras-style progress,
/// reports test loss and metrics, and saves the model. With `--backup-dir` (or a
/// `BackupAndRestore` callback in the config) a killed run continues where it stopped.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a YAML config (dataset, layers, optimizer, loss, metrics, epochs, callbacks, output)."
    )

    @Argument(help: "The training config, e.g. examples/mnist-cnn.yaml.")
    var config: String

    @Option(help: "Override the config's epochs.")
    var epochs: Int?

    @Option(help: "Where to save the model (overrides the config's output).")
    var output: String?

    @Option(help: "Threads for the CPU backend (default: LEPTON_NUM_THREADS or all cores).")
    var threads: Int?

    @Option(help: ArgumentHelp("Back training up in this folder after every epoch; started again after an interruption, training continues where it stopped (replaces a BackupAndRestore callback of the config).",
                               valueName: "folder"))
    var backupDir: String?

    func run() throws {
        try CLI.reportingErrors {
            if let threads {
                guard threads > 0 else { throw ConfigError("--threads: expected a positive integer, got \(threads)") }
                Lepton.threadCount = threads
            }
            var job = try TrainingConfig.load(config)
            if let epochs {
                guard epochs > 0 else { throw ConfigError("--epochs: expected a positive integer, got \(epochs)") }
                job.epochs = epochs
            }
            GlobalRandom.seed(job.seed)
            let data = try job.loadData()
            let inputShape = job.inputShape ?? data.inputShape
            guard inputShape == data.inputShape else {
                throw ConfigError("\(config): model.input_shape \(inputShape) does not match the dataset's samples \(data.inputShape)")
            }
            let model = try job.buildModel()
            model.shuffleSeed = job.seed
            try model.compile(optimizer: job.optimizer, loss: job.loss, metrics: job.metrics.map { MetricSpec(named: $0) })
            let dtype = data.trainX.dtype
            model.build(inputShape: inputShape, dtype: dtype)
            print(model.summary(inputShape: inputShape, dtype: dtype))
            print("Training on \(data.trainX.shape[0]) samples, testing on \(data.testX.shape[0]) (threads: \(Lepton.threadCount))")
            var callbacks = try job.buildCallbacks(inputShape: inputShape, dtype: dtype)
            if let backupDir {
                guard !backupDir.isEmpty else { throw ConfigError("--backup-dir: expected a folder, got \"\"") }
                callbacks.removeAll { $0 is BackupAndRestore }
                callbacks.append(BackupAndRestore(directory: URL(fileURLWithPath: backupDir)))
            }
            for backup in callbacks.compactMap({ $0 as? BackupAndRestore }) {
                if let done = try Checkpoint.epochsCompleted(at: backup.checkpointURL) {
                    print("Resuming from the backup in \(backup.directory.path): \(done) of \(job.epochs) epochs done")
                }
            }
            let start = Date()
            try model.fit(x: data.trainX, y: data.trainY, epochs: job.epochs, batchSize: job.batchSize,
                          validationSplit: job.validationSplit, callbacks: callbacks)
            let trainSeconds = Date().timeIntervalSince(start)
            let test = try model.evaluate(x: data.testX, y: data.testY, batchSize: 256)
            print(String(format: "Trained in %.1f s. Test: ", trainSeconds) + test.description)
            if let path = output ?? job.output {
                try ModelFile.save(model, to: URL(fileURLWithPath: path), inputShape: inputShape, inputDType: dtype)
                print("Saved the model to \(path)")
            }
        }
    }
}

/// Shared command-line behaviour.
enum CLI {
    /// Runs `body`; a user-caused error becomes one line on standard error and exit status 1.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
