import LeptonNN
import LeptonTensor

/// Where a training run stands after an epoch: what a checkpoint keeps besides the weights and
/// the optimizer, so that `fit` can continue exactly where an interrupted run stopped.
public struct TrainingState {
    /// Epochs finished (the next epoch to run has this index).
    public var epochsCompleted: Int
    /// The history so far (``History/history``) and its epoch indices.
    public var history: [String: [Float]]
    public var historyEpochs: [Int]
    /// The state of each ``StatefulCallback`` of the run, in the order the callbacks were given.
    public var callbacks: [CallbackState]

    public init(epochsCompleted: Int = 0, history: [String: [Float]] = [:],
                historyEpochs: [Int] = [], callbacks: [CallbackState] = []) {
        self.epochsCompleted = epochsCompleted
        self.history = history
        self.historyEpochs = historyEpochs
        self.callbacks = callbacks
    }
}

/// A callback that backs training up at the end of every epoch and puts a new `fit` back where
/// an interrupted one stopped (Keras's `BackupAndRestore`; LeptonIO's `BackupAndRestore` writes
/// the checkpoints). `fit` calls ``restoreTraining(_:)`` once, after every callback's
/// `trainBegin` and before the first epoch (with the model already built), and
/// ``backUpTraining(epoch:logs:_:)`` after every callback has seen the epoch's end, so that the
/// saved callback states and learning rate are those the next epoch starts with. Errors thrown
/// by either stop `fit` with that error.
public protocol TrainingBackup: Callback {
    /// Restores the model, the optimizer and ``TrainingContext/restore(_:)`` from a backup, if there is one.
    func restoreTraining(_ context: TrainingContext) throws
    /// Saves the state after epoch `epoch` (``TrainingContext/trainingState()`` has it).
    func backUpTraining(epoch: Int, logs: Logs, _ context: TrainingContext) throws
}

extension TrainingContext {
    /// The run's state now (call at the end of an epoch): epochs completed, the history, and
    /// every ``StatefulCallback``'s state. (The batch order needs no state: each epoch's order
    /// follows from the loader's seed and the epoch.)
    /// - Throws: what a callback's ``StatefulCallback/checkpointState()`` throws.
    public func trainingState() throws -> TrainingState {
        TrainingState(epochsCompleted: epochsCompleted, history: history.history,
                      historyEpochs: history.epochs,
                      callbacks: try callbacks.compactMap { $0 as? any StatefulCallback }.map { try $0.checkpointState() })
    }

    /// Continues a run from `state`: the next epoch, the history, and the
    /// state of each ``StatefulCallback`` (matched in order and by type).
    /// - Throws: ``TrainingError`` when the run's stateful callbacks differ from the saved ones.
    public func restore(_ state: TrainingState) throws {
        let stateful = callbacks.compactMap { $0 as? any StatefulCallback }
        let ours = stateful.map { String(describing: type(of: $0)) }, saved = state.callbacks.map(\.type)
        guard ours == saved else {
            throw TrainingError("the checkpoint holds the state of callbacks [\(saved.joined(separator: ", "))] but this fit has "
                                + "[\(ours.joined(separator: ", "))]; pass the same stateful callbacks to resume")
        }
        guard state.epochsCompleted >= 0 else { throw TrainingError("the checkpoint's epoch count \(state.epochsCompleted) is negative") }
        for (callback, saved) in zip(stateful, state.callbacks) { try callback.restore(saved) }
        initialEpoch = state.epochsCompleted
        epochsCompleted = state.epochsCompleted
        history.load(state.history, epochs: state.historyEpochs)
    }
}
