import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Saves the model after an epoch — every epoch, or only when a monitored value improves
/// (`keras.callbacks.ModelCheckpoint`). Saves are atomic (see ``ModelFile``). The path is checked
/// when training begins: anything there but an empty folder or a Lepton model folder (a device,
/// a link, a file, a folder of other files) stops training with an error before the first epoch.
public final class ModelCheckpoint: Callback {
    public let url: URL
    public let monitor: String
    public let saveBestOnly: Bool
    public let mode: MonitorMode
    public let inputShape: [Int]?
    public let inputDType: DType
    var best: Float = .nan
    /// Epochs at which a file was written.
    public private(set) var savedEpochs: [Int] = []
    /// The last error a save hit (training goes on; the error is also printed).
    public private(set) var lastError: Error?

    public init(url: URL, monitor: String = "val_loss", saveBestOnly: Bool = false, mode: MonitorMode? = nil,
                inputShape: [Int]? = nil, inputDType: DType = .float32) {
        self.inputDType = inputDType
        self.url = url
        self.monitor = monitor
        self.saveBestOnly = saveBestOnly
        self.mode = mode ?? .auto(monitor)
        self.inputShape = inputShape
    }

    public func trainBegin(_ context: TrainingContext) throws {
        best = mode == .min ? .infinity : -.infinity
        do {
            try OutputPath.checkFolder(url, kind: ModelFile.folderKind, overwrite: true)
        } catch let error as OutputPathError {
            throw IOError("ModelCheckpoint: \(error.message)", file: error.path)
        }
    }

    public func epochEnd(_ epoch: Int, logs: Logs, _ context: TrainingContext) {
        guard let model = context.model as? Sequential else { return }
        if saveBestOnly {
            guard let value = logs[monitor], mode == .min ? value < best : value > best else { return }
            best = value
        }
        guard context.isChief else { return }   // rank 0 writes for a data-parallel run
        do {
            try ModelFile.save(model, to: url, inputShape: inputShape, inputDType: inputDType)
            savedEpochs.append(epoch)
        } catch {
            lastError = error
            FileHandle.standardError.write(Data("ModelCheckpoint: could not save \(url.path): \(error)\n".utf8))
        }
    }
}

extension ModelCheckpoint: StatefulCallback {
    public func checkpointState() throws -> CallbackState {
        CallbackState(type: "ModelCheckpoint", values: ["best": .float(best), "saved_epochs": .ints(savedEpochs)])
    }

    public func restore(_ state: CallbackState) throws {
        best = try state.float("best")
        if case .array(let epochs)? = state.values["saved_epochs"] {
            savedEpochs = epochs.compactMap { if case .int(let e) = $0 { return e }; return nil }
        }
    }
}
