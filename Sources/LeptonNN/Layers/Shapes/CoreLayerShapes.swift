import LeptonTensor

// Shape inference of the core layers (see ConfigurableLayer.inferShape): what each would output
// for an input, checked before a model file's layers are built.

extension TensorSpec {
    /// The size of the last axis, after checking the element type and a rank of at least 2.
    func features(_ layout: String) throws -> Int {
        try require(.float32)
        guard rank >= 2 else { throw ConfigError("expected an input \(layout), got \(self)") }
        return shape[rank - 1]
    }
}

extension Dense {
    /// `[batch, …, features]` → `[batch, …, units]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let features = try input.features("[batch, ..., features]")
        var built = 0
        if let kernel {
            guard kernel.shape[0] == features else {
                throw ConfigError("the input has \(features) features; expected \(kernel.shape[0]) (input_dim)")
            }
        } else {
            built = try LayerLimits.checkTensor([features, units], "the kernel of shape") + (useBias ? units : 0)
        }
        try LayerLimits.checkOperations([input.shape.dropLast().reduce(1, *), features, units], "the matrix product")
        return ShapeInference(output: input.with(shape: input.shape.dropLast() + [units]), parametersBuilt: built)
    }
}

extension Activation {
    /// The input's shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        guard input.rank >= 1 else { throw ConfigError("expected an input with a batch axis, got \(input)") }
        return ShapeInference(output: input)
    }
}

extension Flatten {
    /// `[batch, a, b, …]` → `[batch, a·b·…]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        guard input.rank >= 2 else { return ShapeInference(output: input.with(shape: [input.shape.reduce(1, *), 1])) }
        return ShapeInference(output: input.with(shape: [input.shape[0], input.shape.dropFirst().reduce(1, *)]))
    }
}

extension Reshape {
    /// Checks a target shape read from a file: at most ``LayerLimits/maxRank`` − 1 dimensions, each
    /// positive or -1 (at most one), their product within ``LayerLimits/maxTensorElements``.
    static func validate(targetShape shape: [Int], key: String) throws {
        guard shape.count < LayerLimits.maxRank else {
            throw ConfigError("\(key): \(shape.count) dimensions; expected at most \(LayerLimits.maxRank - 1)")
        }
        guard shape.allSatisfy({ $0 >= 1 || $0 == -1 }), shape.filter({ $0 == -1 }).count <= 1 else {
            throw ConfigError("\(key): expected positive dimensions and at most one -1, got \(shape)")
        }
        try LayerLimits.checkTensor(shape.filter { $0 != -1 }, "\(key): a sample of shape")
    }

    /// `[batch, …]` → `[batch] + targetShape`, the element count kept (a -1 takes what is left).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try Self.validate(targetShape: targetShape, key: "target_shape")
        guard input.rank >= 1 else { throw ConfigError("expected an input with a batch axis, got \(input)") }
        let perSample = input.shape.dropFirst().reduce(1, *)
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        var target = targetShape
        if let free = target.firstIndex(of: -1) {
            guard perSample % known == 0 else {
                throw ConfigError("target_shape \(targetShape) cannot hold \(perSample) elements per sample "
                                  + "(\(perSample) is not a multiple of \(known))")
            }
            target[free] = perSample / known
        } else if known != perSample {
            throw ConfigError("target_shape \(targetShape) holds \(known) elements per sample; the input has \(perSample)")
        }
        return ShapeInference(output: input.with(shape: [input.shape[0]] + target))
    }
}

extension Dropout {
    /// The input's shape.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        return ShapeInference(output: input)
    }
}

extension BatchNormalization {
    /// The input's shape; `axis` must exist and match ``gamma`` when built.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        guard input.rank >= 2 else { throw ConfigError("expected an input [batch, ..., features], got \(input)") }
        guard axis >= -input.rank && axis < input.rank else {
            throw ConfigError("axis \(axis) is out of range for a rank-\(input.rank) input; expected -\(input.rank)..<\(input.rank)")
        }
        let features = input.shape[axis < 0 ? axis + input.rank : axis]
        if let gamma {
            guard gamma.shape[0] == features else {
                throw ConfigError("the input has \(features) features on axis \(axis); expected \(gamma.shape[0]) (features)")
            }
            return ShapeInference(output: input)
        }
        return ShapeInference(output: input, parametersBuilt: 2 * features)   // gamma and beta (buffers are not parameters)
    }
}

extension LayerNormalization {
    /// The input's shape; the last axis must match ``gamma`` when built.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let features = try input.features("[batch, ..., features]")
        if let gamma {
            guard gamma.shape[0] == features else {
                throw ConfigError("the input has \(features) features; expected \(gamma.shape[0]) (features)")
            }
            return ShapeInference(output: input)
        }
        return ShapeInference(output: input, parametersBuilt: 2 * features)
    }
}

extension Embedding {
    /// int32 ids `[batch, …]` → `[batch, …, dimensions]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.int32)
        try input.requireIDs(below: vocabularySize, key: "input_dim")
        return ShapeInference(output: TensorSpec(shape: input.shape + [dimensions], dtype: .float32))
    }
}

extension MatrixFactorization {
    /// int32 `[batch, 2]` (user, item) → `[batch, 1]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.int32)
        guard input.rank == 2 && input.shape[1] == 2 else {
            throw ConfigError("expected int32 (user, item) ids [batch, 2], got \(input)")
        }
        return ShapeInference(output: TensorSpec(shape: [input.shape[0], 1], dtype: .float32))
    }
}
