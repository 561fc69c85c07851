import Foundation
import LeptonIO
import LeptonNN
import LeptonTrain

extension CallbackRegistry {
    /// The callbacks Lepton ships.
    public static let builtins: [CallbackEntry] = [
        earlyStopping, reduceLROnPlateau, csvLogger, terminateOnNaN, modelCheckpoint, stepDecay, backupAndRestore,
    ]

    static let earlyStopping = CallbackEntry(
        names: ["EarlyStopping"], keys: ["monitor", "patience", "min_delta", "restore_best_weights"]
    ) { c, _ in
        EarlyStopping(monitor: try c.string("monitor") ?? "val_loss", minDelta: try c.float("min_delta", default: 0),
                      patience: try c.int("patience", default: 0, minimum: 0),
                      restoreBestWeights: try c.bool("restore_best_weights", default: false))
    }

    static let reduceLROnPlateau = CallbackEntry(
        names: ["ReduceLROnPlateau"], keys: ["monitor", "factor", "patience", "min_lr"]
    ) { c, _ in
        let factor = try c.float("factor", default: 0.1)
        guard factor > 0 && factor < 1 else { throw ConfigError("\(c.path).factor: expected a number in (0, 1), got \(factor)") }
        return ReduceLROnPlateau(monitor: try c.string("monitor") ?? "val_loss", factor: factor,
                                 patience: try c.int("patience", default: 10, minimum: 0),
                                 minimumLearningRate: try c.float("min_lr", default: 0))
    }

    static let csvLogger = CallbackEntry(names: ["CSVLogger"], keys: ["path", "append"]) { c, _ in
        CSVLogger(url: try c.outputPath("a file for the CSV log"), append: try c.bool("append", default: false))
    }

    static let terminateOnNaN = CallbackEntry(names: ["TerminateOnNaN"], keys: []) { _, _ in TerminateOnNaN() }

    /// Keras users write `LearningRateScheduler(lambda epoch, lr: …)`; the YAML form is a step decay.
    static let stepDecay = CallbackEntry(names: ["StepDecay"], keys: ["factor", "every_epochs"]) { c, _ in
        let factor = try c.float("factor", default: 0.5)
        guard factor > 0 && factor <= 1 else { throw ConfigError("\(c.path).factor: expected a number in (0, 1], got \(factor)") }
        let every = try c.int("every_epochs", default: 1, minimum: 1)
        return LearningRateScheduler { epoch, rate in epoch > 0 && epoch % every == 0 ? rate * factor : rate }
    }

    static let modelCheckpoint = CallbackEntry(names: ["ModelCheckpoint"], keys: ["path", "monitor", "save_best_only"]) { c, context in
        ModelCheckpoint(url: try c.outputPath("a folder for the model"), monitor: try c.string("monitor") ?? "val_loss",
                        saveBestOnly: try c.bool("save_best_only", default: false), inputShape: context.inputShape,
                        inputDType: context.inputDType)
    }

    /// Keras's `BackupAndRestore(backup_dir)`: a killed run continues where it stopped when started again.
    static let backupAndRestore = CallbackEntry(names: ["BackupAndRestore"], keys: ["path", "delete_checkpoint"]) { c, _ in
        BackupAndRestore(directory: try c.outputPath("a folder for the backups"),
                         deleteCheckpoint: try c.bool("delete_checkpoint", default: true))
    }
}

extension ConfigReader {
    /// A required, non-empty `path` setting.
    func outputPath(_ what: String) throws -> URL {
        let path = try requiredString("path")
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("\(self.path).path: expected \(what), got an empty path (it would mean the current folder)")
        }
        return URL(fileURLWithPath: path)
    }
}
