import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Backs training up at the end of every epoch and, when `fit` runs again with the same
/// callback after an interruption (a crash, a killed job), restores the weights, the optimizer,
/// every random generator, the history and the callbacks' state, and continues from the next
/// epoch — with the same losses as an uninterrupted run (`keras.callbacks.BackupAndRestore`).
///
/// ```swift
/// let backup = BackupAndRestore(directory: URL(fileURLWithPath: "backup"))
/// try model.fit(x: x, y: y, epochs: 20, callbacks: [backup])   // killed during epoch 7
/// // later, in a new process, with a freshly built and compiled model:
/// try model.fit(x: x, y: y, epochs: 20, callbacks: [backup])   // goes on with epoch 7
/// ```
///
/// The backup is a ``Checkpoint`` in `directory/latest`, replaced atomically after each epoch,
/// so a crash mid-save leaves the previous one intact. When `fit` ends normally (all epochs
/// done, or stopped by a callback such as ``EarlyStopping``) the backup is deleted, unless
/// `deleteCheckpoint` is false. Resuming needs the same model architecture, optimizer type,
/// stateful callbacks and data (in the same order) as the interrupted run.
public final class BackupAndRestore: TrainingBackup {
    /// The folder the backups are written into.
    public let directory: URL
    /// Whether a normally finished `fit` deletes its backup (Keras's `delete_checkpoint`).
    public let deleteCheckpoint: Bool
    /// Epochs the last `fit` found already done in a backup (nil when it started afresh).
    public private(set) var restoredEpochs: Int?

    /// - Parameters:
    ///   - directory: where backups go (created when needed).
    ///   - deleteCheckpoint: delete the backup when `fit` ends normally.
    public init(directory: URL, deleteCheckpoint: Bool = true) {
        self.directory = directory
        self.deleteCheckpoint = deleteCheckpoint
    }

    /// The checkpoint folder inside ``directory``.
    public var checkpointURL: URL { directory.appendingPathComponent("latest") }

    public func restoreTraining(_ context: TrainingContext) throws {
        restoredEpochs = nil
        guard Checkpoint.exists(at: checkpointURL) else { return }
        let state = try Checkpoint.restore(from: checkpointURL, into: context.model, optimizer: context.optimizer)
        try context.restore(state)
        restoredEpochs = state.epochsCompleted
    }

    public func backUpTraining(epoch: Int, logs: Logs, _ context: TrainingContext) throws {
        guard context.isChief else { return }   // every rank restores, rank 0 writes
        try Checkpoint.save(model: context.model, optimizer: context.optimizer, training: try context.trainingState(),
                            to: checkpointURL)
    }

    public func trainEnd(_ context: TrainingContext) {
        guard deleteCheckpoint, context.isChief, let url = AtomicFolder.existing(checkpointURL),
              Checkpoint.folderKind.matches(url) else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
