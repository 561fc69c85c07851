import Foundation
import LeptonData
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain
import Yams

/// A training run described by a YAML file (see `examples/*.yaml`): dataset, model layers,
/// optimizer, loss, metrics, epochs, batch size, callbacks and the output path.
///
/// Every problem names the key, the value found and what was expected.
public struct TrainingConfig {
    public var dataset: ConfigReader
    public var inputShape: [Int]?
    public var layers: [ConfigValue]
    public var optimizer: OptimizerSpec
    public var loss: LossFunction
    public var metrics: [String]
    public var epochs: Int
    public var batchSize: Int
    public var validationSplit: Float
    public var seed: UInt64
    public var callbacks: [ConfigValue]
    public var output: String?
    /// Random changes to training batches, made in the data loader (`augmentation:`).
    public var augmentation: ImageAugmentation?
    /// Train the model as the student of a saved teacher (`distillation:`).
    public var distillation: DistillationSettings?
    /// Settings of an embedding model's training and open-set verification (`embedding:`), read
    /// by LeptonEmbed's `EmbeddingJob` (`lepton embed`); `lepton train` refuses a config with them.
    public var embedding: ConfigValue?
    /// How `lepton train` spreads the job over processes (`distributed:`), checked; the
    /// command line's flags override it.
    public var distributed: DistributionSettings?
    /// Whether training and evaluation run compiled steps (`jit: true`; see
    /// ``LeptonTrain/TrainableModel/compile(optimizer:loss:metrics:jit:)``).
    public var jit: Bool
    public var file: String

    /// The top-level keys a config may have.
    public static let keys = ["dataset", "model", "optimizer", "loss", "metrics", "epochs", "batch_size", "validation_split",
                       "seed", "callbacks", "output", "augmentation", "distillation", "embedding", "distributed", "jit"]

    /// Reads and checks a YAML training config.
    /// - Throws: ``ConfigError`` naming the file, the key, the value and what was expected.
    public static func load(_ path: String) throws -> TrainingConfig {
        let value = try YAMLDocument.read(path)
        do {
            return try TrainingConfig(value, file: path)
        } catch let error as ConfigError {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    /// Checks a parsed config.
    public init(_ value: ConfigValue, file: String) throws {
        self.file = file
        let root = try ConfigReader(value, path: "")
        try root.rejectUnknownKeys(Self.keys)
        guard let datasetValue = root.raw("dataset") else { throw ConfigError("dataset: missing (expected a mapping with a name)") }
        dataset = try ConfigReader(datasetValue, path: "dataset")
        guard let modelValue = root.raw("model") else { throw ConfigError("model: missing (expected a mapping with layers)") }
        let model = try ConfigReader(modelValue, path: "model")
        try model.rejectUnknownKeys(["input_shape", "layers"])
        inputShape = try model.ints("input_shape")
        if let inputShape { _ = try ShapeCheck.input(shape: inputShape, dtype: .float32, path: "model.input_shape") }
        guard case .array(let layerList)? = model.raw("layers"), !layerList.isEmpty else {
            throw ConfigError("model.layers: missing or empty (expected a list of layers, each with a type)")
        }
        layers = layerList
        switch root.raw("optimizer") {
        case nil: optimizer = .adam()
        case .string(let name)?: optimizer = try Self.optimizer(name, learningRate: nil, path: "optimizer")
        case let value?:
            let o = try ConfigReader(value, path: "optimizer")
            try o.rejectUnknownKeys(["name", "learning_rate"])
            optimizer = try Self.optimizer(try o.requiredString("name"), learningRate: try o.double("learning_rate").map(Float.init),
                                           path: "optimizer.name")
        }
        do {
            switch root.raw("loss") {
            case .string(let name)?: loss = try LossFunction(named: name)
            case let value?:
                let l = try ConfigReader(value, path: "loss")
                try l.rejectUnknownKeys(["name", "margin", "scale", "positive_margin"])
                loss = try LossFunction(named: try l.requiredString("name"), margin: try l.double("margin").map(Float.init),
                                        scale: try l.double("scale").map(Float.init),
                                        positiveMargin: try l.double("positive_margin").map(Float.init))
            case nil: throw ConfigError("loss: missing (expected a loss name, or a mapping with name and margin or scale)")
            }
        } catch let error as TrainingError {
            throw ConfigError("loss: \(error.description)")
        }
        metrics = try root.strings("metrics") ?? []
        for m in metrics {
            do { _ = try Metrics.named(m) } catch let error as TrainingError { throw ConfigError("metrics: \(error.description)") }
        }
        epochs = try root.int("epochs", default: 1, minimum: 1)
        batchSize = try root.int("batch_size", default: 32, minimum: 1)
        validationSplit = try root.float("validation_split", default: 0)
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw ConfigError("validation_split: expected a number in [0, 1), got \(validationSplit)")
        }
        seed = UInt64(try root.int("seed", default: 42, minimum: 0))
        if case .array(let list)? = root.raw("callbacks") { callbacks = list } else if let c = root.raw("callbacks") {
            throw ConfigError("callbacks: expected a list, got \(c)")
        } else { callbacks = [] }
        output = try root.string("output")
        jit = try root.bool("jit", default: false)
        augmentation = try root.raw("augmentation").map { try Self.augmentation($0) }
        distillation = try root.raw("distillation").map { try DistillationSettings.read($0) }
        embedding = root.raw("embedding")
        distributed = try root.raw("distributed").map { try DistributionSettings.read($0) }
        try distributed?.validate()
        if let output, output.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ConfigError("output: expected a folder for the trained model, got an empty path (it would mean the current folder)")
        }
    }

    /// `augmentation: {horizontal_flip: true, rotation: 10, shift: 0.1, crop_padding: 2,
    /// brightness: 0.1, contrast: 0.1, noise: 0.02}` (rotation in degrees; shift, brightness
    /// and noise as fractions; every key optional).
    static func augmentation(_ value: ConfigValue) throws -> ImageAugmentation {
        let a = try ConfigReader(value, path: "augmentation")
        try a.rejectUnknownKeys(["horizontal_flip", "rotation", "shift", "crop_padding", "brightness", "contrast", "noise"])
        func fraction(_ key: String, upTo limit: Double) throws -> Float {
            let v = try a.double(key) ?? 0
            guard v.isFinite, v >= 0, v <= limit else { throw ConfigError("augmentation.\(key): expected a number in [0, \(String(format: "%g", limit))], got \(String(format: "%g", v))") }
            return Float(v)
        }
        let padding = try a.int("crop_padding", default: 0, minimum: 0)
        guard padding <= 1024 else { throw ConfigError("augmentation.crop_padding: expected at most 1024 pixels, got \(padding)") }
        return ImageAugmentation(cropPadding: padding, horizontalFlip: try a.bool("horizontal_flip", default: false),
                                 maxRotation: try fraction("rotation", upTo: 180), maxShift: try fraction("shift", upTo: 1),
                                 maxBrightness: try fraction("brightness", upTo: 1), maxContrast: try fraction("contrast", upTo: 1),
                                 noise: try fraction("noise", upTo: 1))
    }

    static func optimizer(_ name: String, learningRate: Float?, path: String) throws -> OptimizerSpec {
        let spec: OptimizerSpec
        do { spec = try OptimizerSpec(named: name) } catch let error as TrainingError {
            throw ConfigError("\(path): \(error.description)")
        }
        guard let lr = learningRate else { return spec }
        guard lr > 0 else { throw ConfigError("optimizer.learning_rate: expected a positive number, got \(lr)") }
        switch spec {
        case .sgd: return .sgd(learningRate: lr)
        case .adam: return .adam(learningRate: lr)
        case .adamW: return .adamW(learningRate: lr)
        case .rmsprop: return .rmsprop(learningRate: lr)
        case .adagrad: return .adagrad(learningRate: lr)
        case .unknown: return spec
        }
    }

    /// Loads the dataset the config names (``DatasetRegistry``), in memory or streamed from its files.
    /// - Throws: ``ConfigError`` for an unknown dataset or key, or a bad setting; the reader's
    ///   error for a bad file.
    public func loadParts() throws -> DatasetParts {
        try DatasetRegistry.load(dataset)
    }

    /// Loads the dataset the config names into tensors, for work that needs all of it at once
    /// (calibration, pair scoring).
    /// - Throws: as ``loadParts()``, and ``ConfigError`` for a dataset that is streamed from its
    ///   files (`name: npy`), naming `purpose`.
    public func loadData(for purpose: String = "this command") throws -> DatasetSplits {
        let parts = try loadParts()
        guard let splits = parts.inMemory else {
            throw ConfigError("\(file): dataset: \(try dataset.requiredString("name")) is read from its files in batches, but \(purpose) needs the whole dataset in memory")
        }
        return splits
    }

    /// Builds the model's layers from the registry.
    public func buildModel() throws -> Sequential {
        Sequential(try LayerRegistry.makeLayers(layers, path: "model.layers"))
    }

    /// Builds the callbacks the config names (``CallbackRegistry``).
    public func buildCallbacks(inputShape: [Int], dtype: DType) throws -> [Callback] {
        try callbacks.enumerated().map { i, value in
            try CallbackRegistry.make(try ConfigReader(value, path: "callbacks[\(i)]"),
                                      context: .init(index: i, inputShape: inputShape, inputDType: dtype))
        }
    }
}
