import LeptonNN
import LeptonTensor

// Model-file configurations and shape checks of the dynamic int8 attention layers. Keys follow
// their float layers' (MultiHeadAttention: Keras; the encoder: Keras-NLP), without dropout;
// every size is read and checked before any weight is allocated.

/// The weights of one dynamic int8 product `[inputs] → [units]`: int8 kernel, scales, code sums, bias.
private func productWeights(_ inputs: Int, _ units: Int, bias: Bool = true) -> [[Int]] {
    [[units, inputs], [units], [units]] + (bias ? [[units]] : [])
}

/// `[batch, seq, features]` float32, with the checks a self-attention of `heads` heads over
/// `features` (`width` projected) needs.
private func checkSelfAttention(_ input: TensorSpec, features: Int, heads: Int, width: Int, key: String) throws -> (Int, Int) {
    try input.require(.float32)
    try input.require(rank: 3, layout: "[batch, seq, features]")
    let (b, t, f) = (input.shape[0], input.shape[1], input.shape[2])
    guard f == features else { throw ConfigError("the input has \(f) features; expected \(features) (\(key))") }
    try LayerLimits.checkTensor([b, heads, t, t], "the attention weights of shape")
    try LayerLimits.checkTensor([b, t, width], "the projections of shape")
    return (b, t)
}

extension DynamicQuantizedMultiHeadAttention: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedMultiHeadAttention"
    public static let configKeys = ["num_heads", "key_dim", "value_dim", "use_bias", "output_shape",
                                    "query_features", "key_features", "value_features"]

    public convenience init(config c: ConfigReader) throws {
        let heads = try c.requiredSize("num_heads"), keyDimensions = try c.requiredSize("key_dim")
        let valueDimensions = try c.size("value_dim") ?? keyDimensions
        let queryFeatures = try c.requiredSize("query_features")
        let keyFeatures = try c.size("key_features") ?? queryFeatures
        let valueFeatures = try c.size("value_features") ?? keyFeatures
        let outputDimensions = try c.size("output_shape") ?? queryFeatures
        let useBias = try c.bool("use_bias", default: true)
        let hk = try LayerLimits.checkTensor([heads, keyDimensions], "\(c.path).key_dim: the heads' width of shape")
        let hv = try LayerLimits.checkTensor([heads, valueDimensions], "\(c.path).value_dim: the heads' width of shape")
        try c.checkWeights(productWeights(queryFeatures, hk, bias: useBias) + productWeights(keyFeatures, hk, bias: useBias)
                           + productWeights(valueFeatures, hv, bias: useBias) + productWeights(hv, outputDimensions, bias: useBias),
                           sizedBy: "query_features")
        self.init(heads: heads, keyDimensions: keyDimensions, valueDimensions: valueDimensions, useBias: useBias,
                  queryFeatures: queryFeatures, keyFeatures: keyFeatures, valueFeatures: valueFeatures,
                  outputDimensions: outputDimensions)
    }

    public var config: [String: ConfigValue] {
        ["num_heads": .int(heads), "key_dim": .int(keyDimensions), "value_dim": .int(valueDimensions),
         "use_bias": .bool(useBias), "output_shape": .int(output.units), "query_features": .int(query.inputDimensions),
         "key_features": .int(key.inputDimensions), "value_features": .int(value.inputDimensions)]
    }

    /// Self-attention: `[batch, seq, queryFeatures]` → `[batch, seq, outputDimensions]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        guard key.inputDimensions == query.inputDimensions, value.inputDimensions == query.inputDimensions else {
            throw ConfigError("a model runs the attention on one input (self-attention), but its query, key and value take "
                              + "\(query.inputDimensions), \(key.inputDimensions) and \(value.inputDimensions) features")
        }
        let width = 2 * query.units + value.units
        let (b, t) = try checkSelfAttention(input, features: query.inputDimensions, heads: heads, width: width, key: "query_features")
        try LayerLimits.checkOperations([b, t, query.inputDimensions, width], "the projections")
        try LayerLimits.checkOperations([b, heads, t, t, keyDimensions + valueDimensions], "the attention")
        return ShapeInference(output: input.with(shape: [b, t, output.units]))
    }
}

/// The weights of one dynamic int8 encoder block of `s`'s sizes: four attention products, two
/// feed-forward products, two normalisations.
private func blockWeights(_ s: TransformerSettings) -> [[Int]] {
    let (d, f) = (s.modelDimensions, s.feedForwardDimensions)
    return (0..<4).flatMap { _ in productWeights(d, d) } + productWeights(d, f) + productWeights(f, d) + [[d], [d], [d], [d]]
}

/// The config of an int8 `block`, with the float block's keys (no dropout: inference only).
private func blockConfig(_ block: DynamicQuantizedTransformerEncoderLayer) -> [String: ConfigValue] {
    ["model_dim": .int(block.modelDimensions), "num_heads": .int(block.selfAttention.heads),
     "intermediate_dim": .int(block.feedForward1.units), "activation": .string(block.feedForward1.activation.rawValue),
     "layer_norm_epsilon": .float(block.norm1.epsilon), "normalize_first": .bool(block.normFirst)]
}

extension DynamicQuantizedTransformerEncoderLayer: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedTransformerEncoderLayer"
    /// The float block's keys; `dropout` is read and ignored (inference only).
    public static var configKeys: [String] { TransformerSettings.keys }

    public convenience init(config c: ConfigReader) throws {
        let s = try TransformerSettings(c)
        try c.checkWeights(blockWeights(s), sizedBy: "model_dim")
        self.init(modelDimensions: s.modelDimensions, heads: s.heads, feedForwardDimensions: s.feedForwardDimensions,
                  activation: s.activation, layerNormEpsilon: s.epsilon, normFirst: s.normFirst)
    }

    public var config: [String: ConfigValue] { blockConfig(self) }

    /// `[batch, seq, modelDimensions]` → the same shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try checkBlocks(input, count: 1)
        return ShapeInference(output: input)
    }

    /// Checks the input and the cost of `count` blocks like this one (as the float block does).
    func checkBlocks(_ input: TensorSpec, count: Int) throws {
        try TransformerEncoderLayer.checkBlocks(input, count: count, modelDimensions: modelDimensions,
                                                heads: selfAttention.heads, feedForwardDimensions: feedForward1.units)
    }
}

extension DynamicQuantizedTransformerEncoder: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedTransformerEncoder"
    public static var configKeys: [String] { TransformerSettings.keys + ["num_layers", "final_norm"] }

    public convenience init(config c: ConfigReader) throws {
        let s = try TransformerSettings(c)
        let layers = try TransformerSettings.layerCount(c)
        try c.checkWeights(blockWeights(s), copies: layers, sizedBy: "num_layers")
        self.init(layers: layers, modelDimensions: s.modelDimensions, heads: s.heads,
                  feedForwardDimensions: s.feedForwardDimensions, activation: s.activation, layerNormEpsilon: s.epsilon,
                  normFirst: s.normFirst, finalNorm: try c.bool("final_norm", default: false))
    }

    public var config: [String: ConfigValue] {
        var c = blockConfig(blocks[0])
        c["num_layers"] = .int(layers.count)
        c["final_norm"] = .bool(finalNorm != nil)
        return c
    }

    /// `[batch, seq, modelDimensions]` → the same shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try blocks[0].checkBlocks(input, count: blocks.count)
        return ShapeInference(output: input)
    }
}
