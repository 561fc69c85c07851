import LeptonTensor

// Configurations of the attention layers and position embeddings, for model files and YAML
// configs. Keys follow Keras (`num_heads`, `key_dim`, …) and Keras-NLP (`intermediate_dim`,
// `sequence_length`, …). Every setting is checked here, so a bad file gives a ConfigError
// instead of stopping in the layer's initializer.

extension ConfigReader {
    /// A probability in [0, 1).
    func rate(_ name: String, default value: Float) throws -> Float {
        let r = try float(name, default: value)
        guard r >= 0 && r < 1 else { throw ConfigError("\(key(name)): expected a number in [0, 1), got \(r)") }
        return r
    }

}

extension MultiHeadAttention: ConfigurableLayer {
    public static let typeName = "MultiHeadAttention"
    public static let configKeys = ["num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                                    "query_features", "key_features", "value_features"]
    public convenience init(config c: ConfigReader) throws {
        let heads = try c.requiredSize("num_heads"), keyDimensions = try c.requiredSize("key_dim")
        let valueDimensions = try c.size("value_dim"), outputDimensions = try c.size("output_shape")
        let queryFeatures = try c.size("query_features"), useBias = try c.bool("use_bias", default: true)
        let keyFeatures = try c.size("key_features"), valueFeatures = try c.size("value_features")
        let hk = try LayerLimits.checkTensor([heads, keyDimensions], "\(c.path).key_dim: the heads' width of shape")
        let hv = try LayerLimits.checkTensor([heads, valueDimensions ?? keyDimensions], "\(c.path).value_dim: the heads' width of shape")
        if let queryFeatures {
            let kf = keyFeatures ?? queryFeatures, vf = valueFeatures ?? keyFeatures ?? queryFeatures
            let out = outputDimensions ?? queryFeatures
            try c.checkWeights([[queryFeatures, hk], [kf, hk], [vf, hv], [hv, out]]
                               + (useBias ? [[hk], [hk], [hv], [out]] : []), sizedBy: "query_features")
        }
        self.init(heads: heads, keyDimensions: keyDimensions, valueDimensions: valueDimensions,
                  dropout: try c.rate("dropout", default: 0), useBias: useBias, outputDimensions: outputDimensions,
                  queryFeatures: queryFeatures, keyFeatures: keyFeatures, valueFeatures: valueFeatures)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["num_heads": .int(heads), "key_dim": .int(keyDimensions), "value_dim": .int(valueDimensions),
                                        "dropout": .float(dropout), "use_bias": .bool(useBias)]
        if let outputDimensions { c["output_shape"] = .int(outputDimensions) }
        if let queryKernel, let keyKernel, let valueKernel {
            c["query_features"] = .int(queryKernel.shape[0])
            c["key_features"] = .int(keyKernel.shape[0])
            c["value_features"] = .int(valueKernel.shape[0])
        }
        return c
    }
}

/// The settings shared by ``TransformerEncoderLayer`` and ``TransformerEncoder`` configs (and the
/// layers that stand in for them, such as LeptonCompress's int8 encoder), read and checked.
public struct TransformerSettings {
    public static let keys = ["model_dim", "num_heads", "intermediate_dim", "dropout", "activation", "layer_norm_epsilon",
                              "normalize_first"]
    public let modelDimensions: Int, heads: Int, feedForwardDimensions: Int
    public let dropout: Float, activation: ActivationFunction, epsilon: Float, normFirst: Bool

    public init(_ c: ConfigReader) throws {
        modelDimensions = try c.requiredSize("model_dim")
        heads = try c.requiredSize("num_heads")
        guard modelDimensions % heads == 0 else {
            throw ConfigError("\(c.key("num_heads")): \(heads) does not divide model_dim \(modelDimensions)")
        }
        feedForwardDimensions = try c.size("intermediate_dim", default: 2048)
        dropout = try c.rate("dropout", default: 0.1)
        activation = try c.choice("activation", default: .relu)
        epsilon = try c.positiveFloat("layer_norm_epsilon", default: 1e-5)
        normFirst = try c.bool("normalize_first", default: false)
    }

    /// A stack's `num_layers`, at least 1 and at most ``LayerLimits/maxLayers``.
    public static func layerCount(_ c: ConfigReader) throws -> Int {
        let layers = try c.requiredInt("num_layers", minimum: 1)
        guard layers <= LayerLimits.maxLayers else {
            throw ConfigError("\(c.key("num_layers")): expected at most \(LayerLimits.maxLayers) (LayerLimits.maxLayers), got \(layers)")
        }
        return layers
    }

    /// The weights of one block: attention, feed-forward network and the two normalisations.
    var blockWeights: [[Int]] {
        let (d, f) = (modelDimensions, feedForwardDimensions)
        return [[d, d], [d], [d, d], [d], [d, d], [d], [d, d], [d], [d, f], [f], [f, d], [d], [d], [d], [d], [d]]
    }

    /// The config of `block` (every block of a stack has the same settings).
    static func config(of block: TransformerEncoderLayer) -> [String: ConfigValue] {
        ["model_dim": .int(block.modelDimensions), "num_heads": .int(block.selfAttention.heads),
         "intermediate_dim": .int(block.feedForwardDimensions), "dropout": .float(block.selfAttention.dropout),
         "activation": .string(block.feedForward1.activation.rawValue), "layer_norm_epsilon": .float(block.norm1.epsilon),
         "normalize_first": .bool(block.normFirst)]
    }
}

extension TransformerEncoderLayer: ConfigurableLayer {
    public static let typeName = "TransformerEncoderLayer"
    public static var configKeys: [String] { TransformerSettings.keys }
    public convenience init(config c: ConfigReader) throws {
        let s = try TransformerSettings(c)
        try c.checkWeights(s.blockWeights, sizedBy: "model_dim")
        self.init(modelDimensions: s.modelDimensions, heads: s.heads, feedForwardDimensions: s.feedForwardDimensions,
                  dropout: s.dropout, activation: s.activation, layerNormEpsilon: s.epsilon, normFirst: s.normFirst)
    }
    public var config: [String: ConfigValue] { TransformerSettings.config(of: self) }
}

extension TransformerEncoder: ConfigurableLayer {
    public static let typeName = "TransformerEncoder"
    public static var configKeys: [String] { TransformerSettings.keys + ["num_layers", "final_norm"] }
    public convenience init(config c: ConfigReader) throws {
        let s = try TransformerSettings(c)
        let layers = try TransformerSettings.layerCount(c)
        try c.checkWeights(s.blockWeights, copies: layers, sizedBy: "num_layers")
        self.init(layers: layers, modelDimensions: s.modelDimensions, heads: s.heads,
                  feedForwardDimensions: s.feedForwardDimensions, dropout: s.dropout, activation: s.activation,
                  layerNormEpsilon: s.epsilon, normFirst: s.normFirst, finalNorm: try c.bool("final_norm", default: false))
    }
    public var config: [String: ConfigValue] {
        var c = TransformerSettings.config(of: blocks[0])
        c["num_layers"] = .int(layers.count)
        c["final_norm"] = .bool(finalNorm != nil)
        return c
    }
}

extension PositionEmbedding: ConfigurableLayer {
    public static let typeName = "PositionEmbedding"
    public static let configKeys = ["sequence_length", "features"]
    public convenience init(config c: ConfigReader) throws {
        let length = try c.requiredSize("sequence_length"), features = try c.size("features")
        try c.checkWeights(features.map { [[length, $0]] } ?? [], sizedBy: "features")
        self.init(sequenceLength: length, features: features)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["sequence_length": .int(sequenceLength)]
        if let weight { c["features"] = .int(weight.shape[1]) }
        return c
    }
}

extension TokenAndPositionEmbedding: ConfigurableLayer {
    public static let typeName = "TokenAndPositionEmbedding"
    public static let configKeys = ["vocabulary_size", "sequence_length", "embedding_dim"]
    public convenience init(config c: ConfigReader) throws {
        let vocabulary = try c.requiredSize("vocabulary_size"), length = try c.requiredSize("sequence_length")
        let dimensions = try c.requiredSize("embedding_dim")
        try c.checkWeights([[vocabulary, dimensions], [length, dimensions]], sizedBy: "embedding_dim")
        self.init(vocabularySize: vocabulary, sequenceLength: length, embeddingDimensions: dimensions)
    }
    public var config: [String: ConfigValue] {
        ["vocabulary_size": .int(tokenEmbedding.vocabularySize), "sequence_length": .int(positionEmbedding.sequenceLength),
         "embedding_dim": .int(tokenEmbedding.dimensions)]
    }
}

extension SinusoidalPositionEncoding: ConfigurableLayer {
    public static let typeName = "SinusoidalPositionEncoding"
    public static let configKeys = ["max_wavelength"]
    public convenience init(config c: ConfigReader) throws {
        self.init(maxWavelength: try c.positiveFloat("max_wavelength", default: 10_000))
    }
    public var config: [String: ConfigValue] { ["max_wavelength": .float(maxWavelength)] }
}
