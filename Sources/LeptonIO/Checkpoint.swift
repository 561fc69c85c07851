import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor
import LeptonTrain

/// A training checkpoint: a folder holding the model (`model.json` when the model is a
/// ``Sequential`` of registered layers, so ``ModelFile/load(from:)`` reads it too, and
/// `model.safetensors`), the optimizer's tensors (`optimizer.safetensors`), the callbacks'
/// tensors (`callbacks.safetensors`), and `checkpoint.json`: the epoch, the optimizer's step
/// count and learning rate, every random generator (``GlobalRandom``, each dropout layer's;
/// the batch order needs none, as each epoch's follows from the loader's seed), the history and the callbacks' state. The folder is written beside its
/// place and renamed in, so a crash or an error mid-save leaves the previous checkpoint intact.
///
/// ```swift
/// try Checkpoint.save(model: model, optimizer: model.optimizer, to: URL(fileURLWithPath: "ckpt"))
/// let state = try Checkpoint.restore(from: URL(fileURLWithPath: "ckpt"), into: model, optimizer: model.optimizer)
/// try model.fit(x: x, y: y, epochs: 10, initialEpoch: state.epochsCompleted)
/// ```
/// ``BackupAndRestore`` does this at every epoch's end and on the next `fit`.
public enum Checkpoint {
    public static let manifestName = "checkpoint.json"
    public static let optimizerName = "optimizer.safetensors"
    public static let callbacksName = "callbacks.safetensors"
    /// A checkpoint folder, as it is recognised before being replaced: `checkpoint.json` beside
    /// nothing but the files a checkpoint holds.
    public static let folderKind = OutputFolderKind(
        name: "a Lepton checkpoint", marker: (manifestName, nil),
        files: [ModelFile.architectureName, ModelFile.weightsName, optimizerName, callbacksName])

    /// Whether a checkpoint (or the copy an interrupted save set aside) is at `url`.
    public static func exists(at url: URL) -> Bool {
        AtomicFolder.existing(url).map { FileManager.default.fileExists(atPath: $0.appendingPathComponent(manifestName).path) } ?? false
    }

    /// The epochs completed recorded in the checkpoint at `url`, nil when there is none.
    /// - Throws: ``IOError`` when the checkpoint's `checkpoint.json` is unreadable or malformed.
    public static func epochsCompleted(at url: URL) throws -> Int? {
        guard exists(at: url), let folder = AtomicFolder.existing(url) else { return nil }
        guard let data = FileContents.read(atPath: folder.appendingPathComponent(manifestName).path) else {
            throw IOError("\(manifestName) cannot be read", file: folder.path)
        }
        return try CheckpointManifest.decode(data, file: folder.path).epochsCompleted
    }

    /// Saves `model` (built), `optimizer`'s state and `training` to the folder `url`, with the
    /// current ``GlobalRandom`` state and every ``RandomStateful`` layer's generator.
    /// - Parameter inputShape: recorded in `model.json` (see ``ModelFile/save(_:to:inputShape:inputDType:classNames:overwrite:)``).
    /// - Throws: ``IOError`` when the folder cannot be written, or what a callback state throws;
    ///   the folder that was at `url` is then left as it was.
    public static func save(model: Module, optimizer: Optimizer? = nil, training: TrainingState = TrainingState(),
                            to url: URL, inputShape: [Int]? = nil, inputDType: DType = .float32) throws {
        // A Sequential of registered layers gets its architecture too; other models only weights.
        let architecture = (model as? Sequential).flatMap { try? ModelFile.architecture(of: $0, inputShape: inputShape, inputDType: inputDType) }
        var optimizerTensors: [(String, Tensor)] = []
        var optimizerRecord: CheckpointManifest.OptimizerRecord?
        if let optimizer {
            optimizerTensors = optimizer.stateDict().filter { $0.key != "iterations" }.map { ($0.key, $0.value) }
            optimizerRecord = .init(type: String(describing: type(of: optimizer)), iterations: optimizer.iterations,
                                    learningRate: optimizer.learningRate, parameterCount: optimizer.parameters.count)
        }
        var callbackTensors: [(String, Tensor)] = []
        var callbackRecords: [CheckpointManifest.CallbackRecord] = []
        for (i, state) in training.callbacks.enumerated() {
            callbackTensors += state.tensors.map { ("\(i).\($0.key)", $0.value) }
            callbackRecords.append(.init(type: state.type, values: state.values, tensors: state.tensors.keys.sorted()))
        }
        let manifest = CheckpointManifest(
            epochsCompleted: training.epochsCompleted, optimizer: optimizerRecord,
            random: .init(global: CheckpointManifest.hex(GlobalRandom.state),
                          layers: Dictionary(uniqueKeysWithValues: model.randomStates().map { ($0.0, CheckpointManifest.hex($0.1)) })),
            history: training.history, historyEpochs: training.historyEpochs, callbacks: callbackRecords)
        let json = try manifest.encoded()
        try AtomicFolder.write(url, kind: folderKind, overwrite: true) { folder in
            try ModelFile.writeFiles(json: architecture, model: model, into: folder)
            if optimizer != nil { try Safetensors.write(optimizerTensors, to: folder.appendingPathComponent(optimizerName)) }
            if !callbackTensors.isEmpty { try Safetensors.write(callbackTensors, to: folder.appendingPathComponent(callbacksName)) }
            try FileWriter.write(json, to: folder.appendingPathComponent(manifestName))
        }
    }

    /// Restores a checkpoint into `model` (built, of the same architecture) and `optimizer` (of
    /// the same type, for the same parameters), and sets every layer's random generator and,
    /// when `restoreGlobalRandom`, ``GlobalRandom``.
    ///
    /// Everything is read and checked before anything is changed.
    /// - Returns: the training state (epoch, history, callback states) for
    ///   ``TrainingContext/restore(_:)`` or `fit(…, initialEpoch: state.epochsCompleted)`.
    /// - Throws: ``IOError`` naming the file and the problem: a missing or malformed file,
    ///   weights or optimizer state that do not match (naming the tensor), another optimizer type.
    @discardableResult
    public static func restore(from url: URL, into model: Module, optimizer: Optimizer? = nil,
                               restoreGlobalRandom: Bool = true) throws -> TrainingState {
        guard let folder = AtomicFolder.existing(url) else { throw IOError("checkpoint folder not found", file: url.path) }
        let file = folder.path
        guard let data = FileContents.read(atPath: folder.appendingPathComponent(manifestName).path) else {
            throw IOError("\(manifestName) not found (expected a Lepton checkpoint folder)", file: file)
        }
        let manifest = try CheckpointManifest.decode(data, file: file)
        let weights = try Safetensors.read(folder.appendingPathComponent(ModelFile.weightsName)).tensors
        let optimizerState = try optimizer.map { try checkedOptimizerState($0, manifest: manifest, folder: folder) }
        let layerStates = try manifest.random.layers.mapValues { try CheckpointManifest.generator($0, "random.layers", file: file) }
        let global = try manifest.random.global.map { try CheckpointManifest.generator($0, "random.global", file: file) }
        let callbacks = try callbackStates(manifest, folder: folder)
        let ownPaths = Set(model.randomStates().map(\.0))
        guard ownPaths == Set(layerStates.keys) else {
            throw IOError("\(manifestName): random generators are saved for layers [\(layerStates.keys.sorted().joined(separator: ", "))] "
                          + "but the model has [\(ownPaths.sorted().joined(separator: ", "))]", file: file)
        }
        do {
            try model.loadStateDict(weights)
        } catch let error as StateDictError {
            throw IOError("\(ModelFile.weightsName): \(error.description)", file: file)
        }
        if let optimizer, let optimizerState, let record = manifest.optimizer {
            try optimizer.loadStateDict(optimizerState, iterations: record.iterations)
            optimizer.learningRate = record.learningRate
        }
        try model.loadRandomStates(layerStates)
        if restoreGlobalRandom, let global { GlobalRandom.state = global }
        return TrainingState(epochsCompleted: manifest.epochsCompleted, history: manifest.history,
                             historyEpochs: manifest.historyEpochs, callbacks: callbacks)
    }

    /// The optimizer's saved tensors, checked against `optimizer` (type, parameter count, each
    /// entry's parameter and shape) so that loading them cannot fail half-way.
    private static func checkedOptimizerState(_ optimizer: Optimizer, manifest: CheckpointManifest, folder: URL) throws -> [String: Tensor] {
        let file = folder.path
        guard let record = manifest.optimizer else {
            throw IOError("the checkpoint has no optimizer state (it was saved without an optimizer)", file: file)
        }
        let type = String(describing: Swift.type(of: optimizer))
        guard record.type == type else {
            throw IOError("the checkpoint's optimizer is \(record.type), the model's is \(type)", file: file)
        }
        let parameters = optimizer.parameters
        guard record.parameterCount == parameters.count else {
            throw IOError("the checkpoint's optimizer has \(record.parameterCount) parameters, the model's has \(parameters.count)", file: file)
        }
        let tensors = try Safetensors.read(folder.appendingPathComponent(optimizerName)).tensors
        for (key, value) in tensors {
            let parts = key.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let i = Int(parts[0]), i >= 0, i < parameters.count else {
                throw IOError("\(optimizerName): entry '\(key)' does not name one of \(parameters.count) parameters", file: file)
            }
            guard value.shape == parameters[i].shape || value.rank == 0 else {
                throw IOError("\(optimizerName): entry '\(key)' has shape \(value.shape), but parameter \(i) has shape \(parameters[i].shape)", file: file)
            }
        }
        return tensors
    }

    /// The callbacks' states, their tensors read from `callbacks.safetensors`.
    private static func callbackStates(_ manifest: CheckpointManifest, folder: URL) throws -> [CallbackState] {
        guard manifest.callbacks.contains(where: { !$0.tensors.isEmpty }) else {
            return manifest.callbacks.map { CallbackState(type: $0.type, values: $0.values) }
        }
        let tensors = try Safetensors.read(folder.appendingPathComponent(callbacksName)).tensors
        return try manifest.callbacks.enumerated().map { i, record in
            var state = CallbackState(type: record.type, values: record.values)
            for name in record.tensors {
                guard let t = tensors["\(i).\(name)"] else {
                    throw IOError("\(callbacksName): tensor '\(i).\(name)' of callback \(record.type) is missing", file: folder.path)
                }
                state.tensors[name] = t
            }
            return state
        }
    }
}
