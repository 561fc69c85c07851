import LeptonTensor

/// Batch normalisation over the feature axis (`keras.layers.BatchNormalization`): in training
/// it normalises with the batch's statistics and updates running ones; in evaluation it uses
/// the running statistics.
///
/// `momentum` is Keras's (running = momentum · running + (1 − momentum) · batch, default 0.99);
/// PyTorch's `momentum=0.1` is Keras's 0.9. The running variance uses the unbiased batch
/// variance, as PyTorch does.
public final class BatchNormalization: Module {
    /// The feature axis (-1: channels-last images and dense features; 1 for `[N, C, H, W]`).
    public let axis: Int
    public let momentum: Float
    public let epsilon: Float
    public private(set) var gamma: Tensor?
    public private(set) var beta: Tensor?
    public private(set) var runningMean: Tensor?
    public private(set) var runningVariance: Tensor?

    public override var bufferNames: Set<String> { ["runningMean", "runningVariance"] }

    public init(axis: Int = -1, momentum: Float = 0.99, epsilon: Float = 1e-3, features: Int? = nil) {
        self.axis = axis
        self.momentum = momentum
        self.epsilon = epsilon
        super.init()
        if let features { build(features: features) }
    }

    /// Creates scale, offset and running statistics for `features` features.
    public func build(features: Int) {
        gamma = Tensor.ones([features]).requiringGrad()
        beta = Tensor.zeros([features]).requiringGrad()
        runningMean = Tensor.zeros([features])
        runningVariance = Tensor.ones([features])
    }

    public override func forward(_ input: Tensor) -> Tensor {
        // Range first: `axis + rank` would overflow for an axis near Int.min.
        layerRequire(axis >= -input.rank && axis < input.rank, "BatchNormalization: axis \(axis) out of range for shape \(input.shape)")
        let a = axis < 0 ? axis + input.rank : axis
        if gamma == nil { build(features: input.shape[a]) }
        layerRequire(gamma!.shape[0] == input.shape[a],
                     "BatchNormalization: input has \(input.shape[a]) features on axis \(axis), expected \(gamma!.shape[0])")
        var statShape = [Int](repeating: 1, count: input.rank)
        statShape[a] = input.shape[a]
        let reduceAxes = (0..<input.rank).filter { $0 != a }
        let mean: Tensor, variance: Tensor
        if isTraining {
            mean = input.mean(axes: reduceAxes, keepDims: true)
            variance = (input - mean).square().mean(axes: reduceAxes, keepDims: true)
            let n = reduceAxes.reduce(1) { $0 * input.shape[$1] }
            Tensor.withoutGrad {
                let unbiased = variance.reshape([-1]) * (Float(n) / Float(Swift.max(n - 1, 1)))
                runningMean!.assign(runningMean! * momentum + mean.reshape([-1]) * (1 - momentum))
                runningVariance!.assign(runningVariance! * momentum + unbiased * (1 - momentum))
            }
        } else {
            mean = runningMean!.reshape(statShape)
            variance = runningVariance!.reshape(statShape)
        }
        let normalized = (input - mean) / (variance + epsilon).sqrt()
        return normalized * gamma!.reshape(statShape) + beta!.reshape(statShape)
    }
}

/// Layer normalisation over the last axis (`keras.layers.LayerNormalization`,
/// `torch.nn.LayerNorm`).
public final class LayerNormalization: Module {
    public let epsilon: Float
    public private(set) var gamma: Tensor?
    public private(set) var beta: Tensor?

    public init(epsilon: Float = 1e-5, features: Int? = nil) {
        self.epsilon = epsilon
        super.init()
        if let features { build(features: features) }
    }

    /// Creates scale and offset for `features` features.
    public func build(features: Int) {
        gamma = Tensor.ones([features]).requiringGrad()
        beta = Tensor.zeros([features]).requiringGrad()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        if gamma == nil { build(features: input.shape.last ?? 1) }
        return input.layerNorm(gamma: gamma!, beta: beta!, epsilon: epsilon)
    }
}
