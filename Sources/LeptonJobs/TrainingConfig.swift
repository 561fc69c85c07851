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
    public var file: String

    /// The top-level keys a config may have.
    public static let keys = ["dataset", "model", "optimizer", "loss", "metrics", "epochs", "batch_size", "validation_split",
                       "seed", "callbacks", "output", "augmentation"]

    /// Reads and checks a YAML training config.
    /// - Throws: ``ConfigError`` naming the file, the key, the value and what was expected.
    public static func load(_ path: String) throws -> TrainingConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError("\(path): cannot read the file (missing or not UTF-8 text)")
        }
        let value: ConfigValue
        do {
            value = try YAMLDecoder().decode(ConfigValue.self, from: text)
        } catch {
            throw ConfigError("\(path): not valid YAML (\("\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")))")
        }
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
        let lossName = try root.requiredString("loss")
        do { loss = try LossFunction(named: lossName) } catch let error as TrainingError {
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
        augmentation = try root.raw("augmentation").map { try Self.augmentation($0) }
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

    /// A required, non-empty path setting of `callbacks[i]`.
    static func callbackPath(_ c: ConfigReader, _ i: Int, _ what: String) throws -> URL {
        let path = try c.requiredString("path")
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError("callbacks[\(i)].path: expected \(what), got an empty path (it would mean the current folder)")
        }
        return URL(fileURLWithPath: path)
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

    /// Loads the dataset the config names, relative paths resolved from the data folder.
    public func loadData() throws -> DatasetSplits {
        try dataset.rejectUnknownKeys(["name", "path", "standardize", "rescale", "train_limit", "test_limit", "test_fraction",
                                       "max_vocabulary", "sequence_length", "seed", "color_mode", "image_size", "skip_corrupt"])
        let name = try dataset.requiredString("name")
        func location(_ defaultName: String) throws -> URL {
            try dataset.string("path").map { URL(fileURLWithPath: $0) } ?? DatasetLocation.directory(named: defaultName)
        }
        switch name.lowercased() {
        case "mnist", "fashion_mnist", "fashion-mnist":
            let dir = try location("mnist")
            return try DatasetCatalog.mnist(directory: dir, trainLimit: try dataset.int("train_limit"), testLimit: try dataset.int("test_limit"))
        case "image_folder", "imagefolder":
            guard let path = try dataset.string("path") else {
                throw ConfigError("dataset.path: missing (an image_folder needs the folder holding one subfolder per class)")
            }
            let modeName = try dataset.string("color_mode") ?? "grayscale"
            guard let mode = ImageDecoder.ColorMode(rawValue: modeName) else {
                throw ConfigError("dataset.color_mode: expected grayscale or rgb, got \"\(modeName)\"")
            }
            let fraction = try dataset.double("test_fraction") ?? 0.2
            guard fraction > 0, fraction < 1 else { throw ConfigError("dataset.test_fraction: expected a number in (0, 1), got \(fraction)") }
            // A relative path that is not there from the current folder is looked up in the data folder.
            var root = URL(fileURLWithPath: path)
            if !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: root.path) { root = DatasetLocation.directory(named: path) }
            return try DatasetCatalog.imageFolder(root: root, mode: mode, imageSize: try dataset.ints("image_size", count: 2),
                                                  testFraction: fraction, seed: UInt64(try dataset.int("seed", default: 42, minimum: 0)),
                                                  skipCorrupt: try dataset.bool("skip_corrupt", default: false))
        case "sentiment":
            let file = try dataset.string("path").map { URL(fileURLWithPath: $0) }
                ?? DatasetLocation.directory(named: "sentiment").appendingPathComponent("movieReviewSnippets.tsv")
            return try DatasetCatalog.sentiment(file: file, testFraction: try dataset.double("test_fraction") ?? 0.2,
                                                seed: UInt64(try dataset.int("seed", default: 42, minimum: 0)),
                                                maximumVocabulary: try dataset.int("max_vocabulary", default: 10_000, minimum: 2),
                                                sequenceLength: try dataset.int("sequence_length", default: 50, minimum: 1))
        case "movielens", "movielens-100k":
            let file = try dataset.string("path").map { URL(fileURLWithPath: $0) }
                ?? DatasetLocation.directory(named: "movielens-100k").appendingPathComponent("u.data")
            return try DatasetCatalog.ratings(file: file, testFraction: try dataset.double("test_fraction") ?? 0.2,
                                              seed: UInt64(try dataset.int("seed", default: 42, minimum: 0))).0
        default:
            throw ConfigError("dataset.name: unknown dataset \"\(name)\"; expected one of mnist, fashion_mnist, image_folder, sentiment, movielens")
        }
    }

    /// Builds the model's layers from the registry.
    public func buildModel() throws -> Sequential {
        Sequential(try LayerRegistry.makeLayers(layers, path: "model.layers"))
    }

    /// Builds the callbacks.
    public func buildCallbacks(inputShape: [Int], dtype: DType) throws -> [Callback] {
        try callbacks.enumerated().map { i, value in
            let c = try ConfigReader(value, path: "callbacks[\(i)]")
            let type = try c.requiredString("type")
            switch type {
            case "EarlyStopping":
                try c.rejectUnknownKeys(["type", "monitor", "patience", "min_delta", "restore_best_weights"])
                return EarlyStopping(monitor: try c.string("monitor") ?? "val_loss", minDelta: try c.float("min_delta", default: 0),
                                     patience: try c.int("patience", default: 0, minimum: 0),
                                     restoreBestWeights: try c.bool("restore_best_weights", default: false))
            case "ReduceLROnPlateau":
                try c.rejectUnknownKeys(["type", "monitor", "factor", "patience", "min_lr"])
                let factor = try c.float("factor", default: 0.1)
                guard factor > 0 && factor < 1 else { throw ConfigError("callbacks[\(i)].factor: expected a number in (0, 1), got \(factor)") }
                return ReduceLROnPlateau(monitor: try c.string("monitor") ?? "val_loss", factor: factor,
                                         patience: try c.int("patience", default: 10, minimum: 0),
                                         minimumLearningRate: try c.float("min_lr", default: 0))
            case "CSVLogger":
                try c.rejectUnknownKeys(["type", "path", "append"])
                return CSVLogger(url: try Self.callbackPath(c, i, "a file for the CSV log"), append: try c.bool("append", default: false))
            case "TerminateOnNaN":
                return TerminateOnNaN()
            case "StepDecay":
                // Keras users write LearningRateScheduler(lambda epoch, lr: ...); the YAML form is a step decay.
                try c.rejectUnknownKeys(["type", "factor", "every_epochs"])
                let factor = try c.float("factor", default: 0.5)
                guard factor > 0 && factor <= 1 else { throw ConfigError("callbacks[\(i)].factor: expected a number in (0, 1], got \(factor)") }
                let every = try c.int("every_epochs", default: 1, minimum: 1)
                return LearningRateScheduler { epoch, rate in epoch > 0 && epoch % every == 0 ? rate * factor : rate }
            case "ModelCheckpoint":
                try c.rejectUnknownKeys(["type", "path", "monitor", "save_best_only"])
                return ModelCheckpoint(url: try Self.callbackPath(c, i, "a folder for the model"),
                                       monitor: try c.string("monitor") ?? "val_loss",
                                       saveBestOnly: try c.bool("save_best_only", default: false), inputShape: inputShape,
                                       inputDType: dtype)
            case "BackupAndRestore":
                // Keras's BackupAndRestore(backup_dir): a killed run continues where it stopped when started again.
                try c.rejectUnknownKeys(["type", "path", "delete_checkpoint"])
                return BackupAndRestore(directory: try Self.callbackPath(c, i, "a folder for the backups"),
                                        deleteCheckpoint: try c.bool("delete_checkpoint", default: true))
            default:
                throw ConfigError("callbacks[\(i)].type: unknown callback \"\(type)\"; expected one of EarlyStopping, "
                                  + "ReduceLROnPlateau, CSVLogger, TerminateOnNaN, ModelCheckpoint, StepDecay, BackupAndRestore")
            }
        }
    }
}
