import LeptonTensor

// Shape inference of the attention layers and position embeddings (see ConfigurableLayer.inferShape).

extension TensorSpec {
    /// Batch, steps and features of a float32 `[batch, seq, features]` input.
    func sequence() throws -> (batch: Int, steps: Int, features: Int) {
        try require(.float32)
        try require(rank: 3, layout: "[batch, seq, features]")
        return (shape[0], shape[1], shape[2])
    }
}

extension MultiHeadAttention {
    /// Self-attention: `[batch, seq, features]` → `[batch, seq, outputDimensions ?? features]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let (b, t, f) = try input.sequence()
        let hk = heads * keyDimensions, hv = heads * valueDimensions
        var built = 0
        if let queryKernel, let keyKernel, let valueKernel {
            for (name, kernel) in [("query", queryKernel), ("key", keyKernel), ("value", valueKernel)] where kernel.shape[0] != f {
                throw ConfigError("the input has \(f) features; the \(name) projection expects \(kernel.shape[0]) (\(name)_features)")
            }
        } else {
            let out = outputDimensions ?? f
            for w in [[f, hk], [f, hk], [f, hv], [hv, out]] { built += try LayerLimits.checkTensor(w, "a weight of shape") }
            if useBias { built += 2 * hk + hv + out }
        }
        let out = outputKernel?.shape[1] ?? outputDimensions ?? f
        try LayerLimits.checkTensor([b, heads, t, t], "the attention weights of shape")
        try LayerLimits.checkTensor([b, t, 2 * hk + hv], "the projections of shape")
        try LayerLimits.checkOperations([b, t, f, 2 * hk + hv], "the projections")
        try LayerLimits.checkOperations([b, heads, t, t, keyDimensions + valueDimensions], "the attention")
        return ShapeInference(output: input.with(shape: [b, t, out]), parametersBuilt: built)
    }
}

extension TransformerEncoderLayer {
    /// `[batch, seq, modelDimensions]` → the same shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try checkBlocks(input, count: 1)
        return ShapeInference(output: input)
    }

    /// Checks the input and the cost of `count` blocks like this one.
    func checkBlocks(_ input: TensorSpec, count: Int) throws {
        try Self.checkBlocks(input, count: count, modelDimensions: modelDimensions, heads: selfAttention.heads,
                             feedForwardDimensions: feedForwardDimensions)
    }

    /// Checks `input` and the cost of `count` encoder blocks of these sizes (shared with the
    /// layers that stand in for this one, such as LeptonCompress's int8 block).
    public static func checkBlocks(_ input: TensorSpec, count: Int, modelDimensions: Int, heads: Int,
                                   feedForwardDimensions: Int) throws {
        let (b, t, f) = try input.sequence()
        guard f == modelDimensions else {
            throw ConfigError("the input has \(f) features; expected \(modelDimensions) (model_dim)")
        }
        try LayerLimits.checkTensor([b, heads, t, t], "the attention weights of shape")
        try LayerLimits.checkTensor([b, t, Swift.max(3 * f, feedForwardDimensions)], "the projections of shape")
        try LayerLimits.checkOperations([count, b, t, f, 4 * f + 2 * feedForwardDimensions], "the blocks' products")
        try LayerLimits.checkOperations([count, b, heads, t, t, 2 * (f / heads)], "the blocks' attention")
    }
}

extension TransformerEncoder {
    /// `[batch, seq, modelDimensions]` → the same shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try blocks[0].checkBlocks(input, count: blocks.count)
        return ShapeInference(output: input)
    }
}

extension TensorSpec {
    /// Steps and features of a float32 `[batch, seq, features]` or `[seq, features]` input.
    func positions() throws -> (steps: Int, features: Int) {
        try require(.float32)
        try require(rank: 2, 3, layout: "[batch, seq, features] or [seq, features]")
        return (shape[rank - 2], shape[rank - 1])
    }
}

extension PositionEmbedding {
    /// The input's shape; at most ``sequenceLength`` steps.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let (steps, features) = try input.positions()
        guard steps <= sequenceLength else {
            throw ConfigError("the input has \(steps) steps; expected at most \(sequenceLength) (sequence_length)")
        }
        if let weight {
            guard weight.shape[1] == features else {
                throw ConfigError("the input has \(features) features; expected \(weight.shape[1]) (features)")
            }
            return ShapeInference(output: input)
        }
        return ShapeInference(output: input, parametersBuilt: try LayerLimits.checkTensor([sequenceLength, features], "the weight of shape"))
    }
}

extension TokenAndPositionEmbedding {
    /// int32 ids `[batch, seq]` → `[batch, seq, embeddingDimensions]`; at most `sequenceLength` steps.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.int32)
        try input.require(rank: 1, 2, layout: "int32 token ids [batch, seq]")
        try input.requireIDs(below: tokenEmbedding.vocabularySize, key: "vocabulary_size")
        let steps = input.shape[input.rank - 1]
        guard steps <= positionEmbedding.sequenceLength else {
            throw ConfigError("the input has \(steps) steps; expected at most \(positionEmbedding.sequenceLength) (sequence_length)")
        }
        return ShapeInference(output: TensorSpec(shape: input.shape + [tokenEmbedding.dimensions], dtype: .float32))
    }
}

extension SinusoidalPositionEncoding {
    /// The input's shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        _ = try input.positions()
        return ShapeInference(output: input)
    }
}
