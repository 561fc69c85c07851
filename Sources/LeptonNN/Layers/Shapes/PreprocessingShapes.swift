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
