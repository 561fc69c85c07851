import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Stops `fit` after epoch `epoch` as a crash would: with an error thrown while training, so
/// `trainEnd` never runs and the backup stays.
final class Crash: TrainingBackup {
    struct Crashed: Error {}
    let epoch: Int
    init(after epoch: Int) { self.epoch = epoch }
    func restoreTraining(_ context: TrainingContext) throws {}
    func backUpTraining(epoch: Int, logs: Logs, _ context: TrainingContext) throws {
        if epoch == self.epoch { throw Crashed() }
    }
}

/// A stateful callback whose state cannot be captured from epoch `epoch` on.
final class BrokenState: StatefulCallback {
    let epoch: Int
    var current = 0
    init(failingFrom epoch: Int) { self.epoch = epoch }
    func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) { current = epoch }
    func checkpointState() throws -> CallbackState {
        if current >= epoch { throw IOError("state of epoch \(current) cannot be saved") }
        return CallbackState(type: "BrokenState")
    }
    func restore(_ state: CallbackState) throws {}
}

/// An interrupted and resumed `fit` against an uninterrupted one, with dropout, batch
/// normalisation, Adam with a learning-rate schedule, a validation split, ReduceLROnPlateau and
/// EarlyStopping (with best weights): the losses and the final weights must be bit-identical.
@Suite(.serialized) struct BackupAndRestoreTests {
    let data: (Tensor, Tensor) = {
        var g = RandomGenerator(seed: 8)
        let x = Tensor.normal([50, 4], generator: &g)
        let labels = (0..<50).map { i in Int32((x.scalars[4 * i] > 0 ? 1 : 0) + (x.scalars[4 * i + 1] > 0.5 ? 1 : 0)) }
        return (x, Tensor(int32: labels, shape: [50]))
    }()

    /// A model as a new process would build it: `built` sets deterministic weights, otherwise
    /// the layers are built lazily by `fit` (and the weights then come from the backup).
    func makeModel(built: Bool = true) throws -> Sequential {
        let model = Sequential([Dense(units: 16, activation: .relu), BatchNormalization(), Dropout(rate: 0.3),
                                Dense(units: 3, activation: .softmax)])
        if built {
            model.build(inputShape: [4])
            var g = RandomGenerator(seed: 12)
            for (_, p) in model.namedParameters() { p.assign(Tensor.normal(p.shape, std: 0.5, generator: &g)) }
            (model.layers[2] as! Dropout).randomState = RandomGenerator(seed: 13)
        }
        let adam = Adam(model, learningRate: 0.05)
        adam.schedule = .step(stepSize: 3, gamma: 0.8)
        try model.compile(optimizer: adam, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        model.shuffleSeed = 99
        return model
    }

    func callbacks() -> [Callback] {
        [ReduceLROnPlateau(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 0),
         EarlyStopping(monitor: "val_loss", patience: 10, restoreBestWeights: true)]
    }

    func fit(_ model: Sequential, _ callbacks: [Callback]) throws -> History {
        try model.fit(x: data.0, y: data.1, epochs: 4, batchSize: 8, validationSplit: 0.2, callbacks: callbacks, verbose: .silent)
    }

    func bits(_ history: History) -> [String: [UInt32]] { history.history.mapValues { $0.map(\.bitPattern) } }
    func bits(_ model: Module) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.scalars.map(\.bitPattern)) })
    }

    @Test func aResumedFitMatchesAnUninterruptedOne() throws {
        try withTemporaryDirectory("backup") { dir in
            let reference = try makeModel()
            let expected = try fit(reference, callbacks())
            #expect(expected.epochs == [0, 1, 2, 3])
            #expect(Set(expected.history["val_loss"]!).count > 1)

            // Crash after the second epoch.
            let backup = BackupAndRestore(directory: dir)
            let first = try makeModel()
            #expect(throws: Crash.Crashed.self) { try fit(first, callbacks() + [backup, Crash(after: 1)]) }
            #expect(backup.restoredEpochs == nil)
            #expect(Checkpoint.exists(at: backup.checkpointURL))

            // A new model object, built lazily, and new callbacks, as after a restart.
            let resumedBackup = BackupAndRestore(directory: dir)
            let resumed = try makeModel(built: false)
            GlobalRandom.seed(31337)   // whatever the new process seeded, the backup restores
            let history = try fit(resumed, callbacks() + [resumedBackup])
            #expect(resumedBackup.restoredEpochs == 2)
            #expect(history.epochs == [0, 1, 2, 3])
            #expect(bits(history) == bits(expected), "\(history.history) vs \(expected.history)")
            #expect(bits(resumed) == bits(reference))
            #expect(resumed.optimizer!.iterations == reference.optimizer!.iterations)
            #expect(resumed.optimizer!.learningRate == reference.optimizer!.learningRate)
            #expect(!FileManager.default.fileExists(atPath: resumedBackup.checkpointURL.path), "a finished fit deletes its backup")
        }
    }

    @Test func initialEpochContinuesTheShuffleSequence() throws {
        // Without dropout or batch statistics, restoring weights and optimizer by hand and
        // passing initialEpoch gives the same epochs as an uninterrupted run.
        func plain() throws -> Sequential {
            let model = Sequential([Dense(units: 3, activation: .softmax, inputDimensions: 4)])
            var g = RandomGenerator(seed: 12)
            for (_, p) in model.namedParameters() { p.assign(Tensor.normal(p.shape, generator: &g)) }
            try model.compile(optimizer: SGD(model, learningRate: 0.1, momentum: 0.9), loss: "sparse_categorical_crossentropy")
            model.shuffleSeed = 5
            return model
        }
        let reference = try plain()
        let expected = try reference.fit(x: data.0, y: data.1, epochs: 3, batchSize: 8, verbose: .silent)
        try withTemporaryDirectory("initial-epoch") { dir in
            let url = dir.appendingPathComponent("ckpt")
            let first = try plain()
            try first.fit(x: data.0, y: data.1, epochs: 1, batchSize: 8, verbose: .silent)
            try Checkpoint.save(model: first, optimizer: first.optimizer, training: TrainingState(epochsCompleted: 1), to: url)
            let second = try plain()
            let state = try Checkpoint.restore(from: url, into: second, optimizer: second.optimizer)
            let rest = try second.fit(x: data.0, y: data.1, epochs: 3, initialEpoch: state.epochsCompleted, batchSize: 8, verbose: .silent)
            #expect(rest.epochs == [1, 2])
            #expect(rest.history["loss"]!.map(\.bitPattern) == expected.history["loss"]!.dropFirst().map(\.bitPattern))
            #expect(bits(second) == bits(reference))
        }
        #expect(throws: TrainingError.self) { try reference.fit(x: data.0, y: data.1, epochs: 3, initialEpoch: 3, verbose: .silent) }
    }

    @Test func aFailedBackupStopsFitAndKeepsThePreviousOne() throws {
        try withTemporaryDirectory("backup-fail") { dir in
            let backup = BackupAndRestore(directory: dir)
            let model = try makeModel()
            let message = errorMessage { _ = try fit(model, callbacks() + [BrokenState(failingFrom: 2), backup]) }
            #expect(message.contains("state of epoch 2 cannot be saved"), "\(message)")
            // The backup of epoch 1 (two epochs done) is intact and resumable.
            let resumedBackup = BackupAndRestore(directory: dir, deleteCheckpoint: false)
            let resumed = try makeModel(built: false)
            let history = try resumed.fit(x: data.0, y: data.1, epochs: 3, batchSize: 8, validationSplit: 0.2,
                                          callbacks: callbacks() + [BrokenState(failingFrom: 99), resumedBackup], verbose: .silent)
            #expect(resumedBackup.restoredEpochs == 2 && history.epochs == [0, 1, 2])
            #expect(Checkpoint.exists(at: resumedBackup.checkpointURL), "kept with deleteCheckpoint: false")
            // Resuming with other stateful callbacks is refused, naming both lists.
            let other = try makeModel(built: false)
            let refused = errorMessage {
                _ = try other.fit(x: data.0, y: data.1, epochs: 4, batchSize: 8, validationSplit: 0.2,
                                  callbacks: [EarlyStopping(), BackupAndRestore(directory: dir)], verbose: .silent)
            }
            #expect(refused.contains("[ReduceLROnPlateau, EarlyStopping, BrokenState] but this fit has [EarlyStopping]"), "\(refused)")
        }
    }
}
