import LeptonTensor

/// A fully connected layer: `activation(x · kernel + bias)` over the last axis
/// (`keras.layers.Dense`; the kernel is `[inputDimensions, units]`, the transpose of PyTorch's
/// `Linear.weight`).
///
/// ```swift
/// let layer = Dense(units: 128, activation: .relu)   // input size found on first call
/// let y = layer(Tensor.ones([32, 784]))                // [32, 128]
/// ```
public final class Dense: Module {
    /// Output features.
    public let units: Int
    /// Applied after the affine map.
    public let activation: ActivationFunction
    /// Whether a bias is added.
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    /// `[inputDimensions, units]`, created on the first call when the input size was not given.
    public private(set) var kernel: Tensor?
    /// `[units]`.
    public private(set) var bias: Tensor?

    /// - Parameters:
    ///   - inputDimensions: input features; when nil, taken from the first input.
    public init(units: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                inputDimensions: Int? = nil, kernelInitializer: Initializer = .glorotUniform,
                biasInitializer: Initializer = .zeros) {
        layerRequire(units > 0, "Dense: units must be positive, got \(units)")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init()
        if let inputDimensions { build(inputDimensions: inputDimensions) }
    }

    /// Creates the weights for inputs of `inputDimensions` features.
    public func build(inputDimensions: Int) {
        kernel = kernelInitializer.make([inputDimensions, units]).requiringGrad()
        if useBias { bias = biasInitializer.make([units], fanIn: inputDimensions, fanOut: units).requiringGrad() }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let features = input.shape.last ?? 0
        if kernel == nil { build(inputDimensions: features) }
        layerRequire(kernel!.shape[0] == features,
                     "Dense: input has \(features) features (shape \(input.shape)), expected \(kernel!.shape[0])")
        return activation(input.dense(kernel!, bias: bias))
    }
}
