import LeptonData
import LeptonNN

/// A dataset a training config names under `dataset: {name: …}`.
public struct DatasetEntry: RegistryEntry {
    public var names: [String]
    /// The `dataset:` keys it reads besides `name` and the preprocessing keys every dataset
    /// takes (``DatasetRegistry/preprocessingKeys``); others are refused, to catch typos.
    public var keys: [String]
    /// Reads the dataset from its `dataset:` settings.
    public var load: @Sendable (ConfigReader) throws -> DatasetParts

    /// A dataset read whole into tensors.
    public init(names: [String], keys: [String], load: @escaping @Sendable (ConfigReader) throws -> DatasetSplits) {
        self.init(names: names, keys: keys, parts: { try DatasetParts(try load($0)) })
    }

    /// A dataset read in batches as training asks (files larger than memory).
    public init(names: [String], keys: [String], parts: @escaping @Sendable (ConfigReader) throws -> DatasetParts) {
        (self.names, self.keys, self.load) = (names, keys, parts)
    }
}

/// The datasets YAML configs can name: MNIST, image folders, sentiment snippets, MovieLens
/// ratings, NPY files, and whatever a project registers with `DatasetRegistry.shared.register(_:)`.
public enum DatasetRegistry {
    /// Keys every dataset takes: they become preprocessing layers at the model's input
    /// (``TrainingConfig/preprocessingLayers(for:)``).
    public static let preprocessingKeys = ["standardize", "rescale"]

    /// The registry, holding the built-in datasets.
    public static let shared = Registry<DatasetEntry>(kind: "dataset", builtins)

    /// Loads the dataset `settings` names, after refusing keys it does not read.
    /// - Throws: ``ConfigError`` for an unknown name or key, or a bad setting.
    public static func load(_ settings: ConfigReader) throws -> DatasetParts {
        let name = try settings.requiredString("name")
        let entry = try shared.entry(named: name, path: "\(settings.path).name")
        try settings.rejectUnknownKeys(["name"] + preprocessingKeys + entry.keys)
        return try entry.load(settings)
    }
}
