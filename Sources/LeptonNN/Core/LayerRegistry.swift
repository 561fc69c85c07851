import Foundation

/// A layer that can be rebuilt from a configuration: model files and training configs name it
/// by ``typeName`` and give its settings as a ``ConfigValue`` object (Keras's `get_config` /
/// `from_config`).
public protocol ConfigurableLayer: Module {
    /// The registered name (`"Dense"`, `"Conv2D"`, …).
    static var typeName: String { get }
    /// Every key ``init(config:)`` understands (others are refused, to catch typos).
    static var configKeys: [String] { get }
    /// Builds the layer from its settings.
    /// - Throws: ``ConfigError`` naming the key, the value and what was expected.
    init(config: ConfigReader) throws
    /// The settings that rebuild this layer, including sizes found on the first call.
    var config: [String: ConfigValue] { get }
    /// What the layer would output for `input` (batch axis first) and the parameters it would
    /// build, without building or running anything (see ``ShapeCheck``).
    /// - Throws: ``ConfigError`` saying what in `input` does not fit the layer and what was
    ///   expected (a kernel larger than the input, a wrong channel count, a rank, a limit).
    func inferShape(_ input: TensorSpec) throws -> ShapeInference
}

/// Maps type names to layers, so a model file or a YAML config can rebuild a model. The built-in
/// layers are registered; ``register(_:)`` adds custom ones (the only mutable global state here,
/// guarded by a lock).
public enum LayerRegistry {
    nonisolated(unsafe) private static var types: [String: any ConfigurableLayer.Type] = Dictionary(
        uniqueKeysWithValues: builtins.map { ($0.typeName, $0) })
    private static let lock = NSLock()

    /// The layers Lepton ships.
    public static let builtins: [any ConfigurableLayer.Type] = [
        Dense.self, Activation.self, Flatten.self, Reshape.self, Dropout.self, Conv2D.self,
        MaxPooling2D.self, AveragePooling2D.self, GlobalAveragePooling2D.self,
        BatchNormalization.self, LayerNormalization.self, Embedding.self,
        SimpleRNN.self, LSTM.self, GRU.self, Bidirectional.self, MatrixFactorization.self,
        Conv1D.self, Conv2DTranspose.self, MultiHeadAttention.self, TransformerEncoderLayer.self,
        TransformerEncoder.self, PositionEmbedding.self, TokenAndPositionEmbedding.self, SinusoidalPositionEncoding.self,
        Rescaling.self, Normalization.self, Resizing.self, CenterCrop.self, TextVectorization.self,
        UnitNormalization.self, CosineDense.self,
    ]

    /// Registers a layer type under its ``ConfigurableLayer/typeName``.
    public static func register(_ type: any ConfigurableLayer.Type) {
        lock.lock(); defer { lock.unlock() }
        types[type.typeName] = type
    }

    /// Registered names, sorted.
    public static var typeNames: [String] {
        lock.lock(); defer { lock.unlock() }
        return types.keys.sorted()
    }

    /// Builds a layer from `{"type": "Dense", "units": 10, …}`; an optional `"name"` becomes the
    /// layer's ``Module/name``.
    /// - Parameter parameterBudget: the most parameters the layer may create now
    ///   (``LayerLimits/maxParameters`` when nil).
    /// - Throws: ``ConfigError`` for an unknown type or a bad setting, naming `path`.
    public static func make(_ value: ConfigValue, path: String, parameterBudget: Int? = nil) throws -> Module {
        let reader = try ConfigReader(value, path: path)
        guard let name = try reader.string("type") else {
            throw ConfigError("\(path).type: missing (expected a layer type, one of \(typeNames.joined(separator: ", ")))")
        }
        lock.lock()
        let type = types[name] ?? types.first { ConfigReader.normalise($0.key) == ConfigReader.normalise(name) }?.value
        lock.unlock()
        guard let type else {
            throw ConfigError("\(path).type: unknown layer type \"\(name)\"; expected one of \(typeNames.joined(separator: ", "))")
        }
        let layerName = try reader.string("name")
        if let layerName, layerName.isEmpty { throw ConfigError("\(path).name: expected a non-empty layer name") }
        var settings = reader.values
        settings["type"] = nil
        settings["name"] = nil
        let settingsReader = ConfigReader(settings, path: path, parameterBudget: parameterBudget ?? LayerLimits.maxParameters)
        try settingsReader.rejectUnknownKeys(type.configKeys)
        let layer = try type.init(config: settingsReader)
        layer.name = layerName
        return layer
    }

    /// Builds the layers of a model from their configurations (`path[0]`, `path[1]`, …), holding
    /// them together to ``LayerLimits/maxLayers`` and ``LayerLimits/maxParameters``: each layer
    /// may only create what the layers before it left of the budget.
    /// - Throws: ``ConfigError`` naming the layer.
    public static func makeLayers(_ values: [ConfigValue], path: String) throws -> [Module] {
        guard values.count <= LayerLimits.maxLayers else {
            throw ConfigError("\(path): \(values.count) layers; expected at most \(LayerLimits.maxLayers) (LayerLimits.maxLayers)")
        }
        var budget = LayerLimits.maxParameters
        var layers: [Module] = []
        for (i, value) in values.enumerated() {
            let layer = try make(value, path: "\(path)[\(i)]", parameterBudget: budget)
            budget -= layer.parameterCount
            layers.append(layer)
        }
        return layers
    }

    /// `{"type": name, …settings}` for a registered layer (with `"name"` when the layer has
    /// one), nil for other modules.
    public static func config(of module: Module) -> ConfigValue? {
        guard let layer = module as? any ConfigurableLayer else { return nil }
        var settings = layer.config
        settings["type"] = .string(type(of: layer).typeName)
        if let name = module.name { settings["name"] = .string(name) }
        return .object(settings)
    }
}

extension ConfigValue {
    /// An integer list value.
    public static func ints(_ values: [Int]) -> ConfigValue { .array(values.map { .int($0) }) }
    /// A float value.
    public static func float(_ value: Float) -> ConfigValue { .double(Double(value)) }
}
