import LeptonTensor

// Shape inference of the preprocessing layers (see ConfigurableLayer.inferShape).

extension Rescaling {
    /// The input's shape, as float32 (integer pixels are converted).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        guard input.rank >= 1 else { throw ConfigError("expected an input with a batch axis, got \(input)") }
        return ShapeInference(output: TensorSpec(shape: input.shape, dtype: .float32))
    }
}

extension Normalization {
    /// The input's shape, as float32; with a feature axis, the input must hold the statistics' features there.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        guard input.rank >= 1 else { throw ConfigError("expected an input with a batch axis, got \(input)") }
        var built = 0
        if let axis {
            guard axis >= -input.rank, axis < input.rank, axis != 0, axis != -input.rank else {
                throw ConfigError("axis \(axis) is not a feature axis of an input \(input)")
            }
            let features = input.shape[axis < 0 ? axis + input.rank : axis]
            if let mean {
                guard mean.count == features else {
                    throw ConfigError("the input has \(features) features on axis \(axis); expected \(mean.count)")
                }
            } else {
                built = 2 * features
            }
        } else if mean == nil {
            built = 2
        }
        return ShapeInference(output: TensorSpec(shape: input.shape, dtype: .float32), parametersBuilt: built)
    }
}

extension Resizing {
    /// Channels-last images `[N, H, W, C]` → float32 `[N, height, width, C]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(rank: 4, layout: "[batch, height, width, channels] (channels last)")
        let s = input.shape
        // Rows are resampled first: the intermediate [N, height, W, C] must fit too.
        try LayerLimits.checkTensor([s[0], height, s[2], s[3]], "the rows resampled, of shape")
        return ShapeInference(output: TensorSpec(shape: [s[0], height, width, s[3]], dtype: .float32))
    }
}

extension CenterCrop {
    /// Channels-last images `[N, H, W, C]` with `H ≥ height`, `W ≥ width` → float32 `[N, height, width, C]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(rank: 4, layout: "[batch, height, width, channels] (channels last)")
        let s = input.shape
        guard s[1] >= height, s[2] >= width else {
            throw ConfigError("the \(s[1])×\(s[2]) images are smaller than the \(height)×\(width) crop; put a Resizing before the crop")
        }
        return ShapeInference(output: TensorSpec(shape: [s[0], height, width, s[3]], dtype: .float32))
    }
}

extension TextVectorization {
    /// The int32 ids `[N, outputSequenceLength]` that ``encode(_:)`` makes, passed on unchanged (a
    /// model file records this as its input: `input_shape: [outputSequenceLength]`, `input_dtype: int32`).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        guard input.dtype == .int32, input.rank == 2, input.shape[1] == outputSequenceLength else {
            throw ConfigError("expected the int32 token ids [batch, \(outputSequenceLength)] that the layer makes of texts "
                              + "(input_shape [\(outputSequenceLength)], input_dtype int32), got \(input)")
        }
        var output = input
        output.idBound = vocabularySize
        return ShapeInference(output: output)
    }
}
