import Foundation
import LeptonNN
import LeptonTensor
import LeptonTrain

/// A callback a training config names under `callbacks: [{type: …}]`.
public struct CallbackEntry: RegistryEntry {
    /// What a callback may need beyond its own settings.
    public struct Context: Sendable {
        /// Its position in `callbacks:`, for messages (`callbacks[2].path`).
        public var index: Int
        /// One sample's shape and dtype, for callbacks that save the model.
        public var inputShape: [Int]
        public var inputDType: DType

        public init(index: Int, inputShape: [Int], inputDType: DType) {
            (self.index, self.inputShape, self.inputDType) = (index, inputShape, inputDType)
        }
    }

    public var names: [String]
    /// The keys it reads besides `type`; others are refused, to catch typos.
    public var keys: [String]
    /// Builds the callback from its settings.
    public var make: @Sendable (ConfigReader, Context) throws -> Callback

    public init(names: [String], keys: [String], make: @escaping @Sendable (ConfigReader, Context) throws -> Callback) {
        (self.names, self.keys, self.make) = (names, keys, make)
    }
}

/// The callbacks YAML configs can name (Keras's: EarlyStopping, ReduceLROnPlateau, CSVLogger,
/// TerminateOnNaN, ModelCheckpoint, BackupAndRestore, and a step decay), and whatever a project
/// registers with `CallbackRegistry.shared.register(_:)`.
public enum CallbackRegistry {
    /// The registry, holding the built-in callbacks.
    public static let shared = Registry<CallbackEntry>(kind: "callback", builtins)

    /// Builds the callback `settings` describes (`{type: EarlyStopping, patience: 2}`).
    /// - Throws: ``ConfigError`` for an unknown type or key, or a bad setting.
    public static func make(_ settings: ConfigReader, context: CallbackEntry.Context) throws -> Callback {
        let entry = try shared.entry(named: try settings.requiredString("type"), path: "\(settings.path).type")
        try settings.rejectUnknownKeys(["type"] + entry.keys)
        return try entry.make(settings, context)
    }
}
