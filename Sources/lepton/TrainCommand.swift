import ArgumentParser
import Foundation
import LeptonJobs
import LeptonNN
import LeptonTensor

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

    @Flag(help: "Replace a Lepton model folder already at the output path (anything else there is never replaced).")
    var overwrite = false

    @Option(help: ArgumentHelp("Back training up in this folder after every epoch; started again after an interruption, training continues where it stopped (replaces a BackupAndRestore callback of the config).",
                               valueName: "folder"))
    var backupDir: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        var options = TrainingJob.Options()
        options.epochs = epochs
        options.seed = common.seed
        options.output = output
        options.overwrite = overwrite
        options.backupDirectory = backupDir
        options.verbosity = .auto
        let job = try TrainingJob(config: try TrainingConfig.load(config), options: options)
        try job.run()
    }
}
