import LeptonNN
import LeptonTensor

/// The state of a callback that carries state from epoch to epoch (EarlyStopping's best value
/// and patience count, ReduceLROnPlateau's), as a checkpoint keeps it: scalar values and, where
/// needed, tensors (EarlyStopping's best weights).
public struct CallbackState {
    /// The callback's type name (checked when restoring).
    public var type: String
    /// Scalar values by name (floats may be infinite or NaN).
    public var values: [String: ConfigValue]
    /// Tensors by name.
    public var tensors: [String: Tensor]

    public init(type: String, values: [String: ConfigValue] = [:], tensors: [String: Tensor] = [:]) {
        self.type = type
        self.values = values
        self.tensors = tensors
    }

    /// The float `key`.
    /// - Throws: ``TrainingError`` when it is missing or not a number.
    public func float(_ key: String) throws -> Float {
        switch values[key] {
        case .double(let d)?: return Float(d)
        case .int(let i)?: return Float(i)
        default: throw TrainingError("\(type) state: '\(key)' is missing or not a number (got \(values[key] ?? .null))")
        }
    }

    /// The integer `key`, nil when it is absent or null.
    /// - Throws: ``TrainingError`` when it is present but not an integer.
    public func optionalInt(_ key: String) throws -> Int? {
        switch values[key] {
        case nil, .null?: return nil
        case .int(let i)?: return i
        default: throw TrainingError("\(type) state: '\(key)' is not an integer (got \(values[key]!))")
        }
    }

    /// The integer `key`.
    /// - Throws: ``TrainingError`` when it is missing or not an integer.
    public func int(_ key: String) throws -> Int {
        guard let i = try optionalInt(key) else { throw TrainingError("\(type) state: '\(key)' is missing (expected an integer)") }
        return i
    }
}

/// A callback whose state a checkpoint saves, so that a resumed run behaves as an uninterrupted
/// one (`fit` restores it after every callback's `trainBegin`).
public protocol StatefulCallback: Callback {
    /// The state now.
    /// - Throws: when the state cannot be captured (the checkpoint is then not written).
    func checkpointState() throws -> CallbackState
    /// Takes up a saved state.
    /// - Throws: ``TrainingError`` naming what is missing or malformed.
    func restore(_ state: CallbackState) throws
}

extension EarlyStopping: StatefulCallback {
    public func checkpointState() throws -> CallbackState {
        CallbackState(type: "EarlyStopping",
                      values: ["best": .float(best), "wait": .int(wait), "best_epoch": bestEpoch.map(ConfigValue.int) ?? .null,
                               "stopped_epoch": stoppedEpoch.map(ConfigValue.int) ?? .null],
                      tensors: bestWeights ?? [:])
    }

    public func restore(_ state: CallbackState) throws {
        (best, wait) = (try state.float("best"), try state.int("wait"))
        (bestEpoch, stoppedEpoch) = (try state.optionalInt("best_epoch"), try state.optionalInt("stopped_epoch"))
        bestWeights = state.tensors.isEmpty ? nil : state.tensors
    }
}

extension ReduceLROnPlateau: StatefulCallback {
    public func checkpointState() throws -> CallbackState {
        CallbackState(type: "ReduceLROnPlateau", values: ["best": .float(best), "wait": .int(wait)])
    }

    public func restore(_ state: CallbackState) throws {
        (best, wait) = (try state.float("best"), try state.int("wait"))
    }
}
