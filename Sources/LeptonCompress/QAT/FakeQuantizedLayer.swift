import LeptonNN
import LeptonTensor

/// A ``Dense`` or channels-last ``Conv2D`` trained with quantisation in the loop (PyTorch's
/// `nn.qat.Linear`/`Conv2d`, and `nn.intrinsic.qat.ConvBn2d` with a normalisation): the input is
/// fake-quantised per tensor to `uint8` with the range a ``MovingAverageObserver`` keeps, the
/// weights per channel to `int8` with their current `max |w|` (``FakeQuantization``), then the
/// float operation, bias and activation run.
///
/// With a ``BatchNormalization`` after the layer, training simulates the folding the int8 model
/// will have (PyTorch's `_forward_approximate`): with `f = γ / √(running variance + ε)`, the
/// weights `w · f` are fake-quantised, the product is divided by `f` per channel, the bias added,
/// and the real normalisation runs with the batch's statistics (updating the running ones). In
/// evaluation mode, or once ``freezeBatchNormStatistics()`` was called, it uses the running
/// statistics, and the layer computes exactly what the converted int8 layer computes.
///
/// The wrapped layer and normalisation are the float model's own: training updates their weights.
/// As in PyTorch, a channel whose γ is exactly 0 cannot be simulated (the product is divided by `f`).
///
/// ```swift
/// let layer = FakeQuantizedLayer(conv, batchNorm: bn, activation: .relu)
/// let y = layer(x)          // trains like the float pair, rounds like the int8 layer
/// layer.freezeObservers()   // ranges and weight scales stop moving
/// ```
public final class FakeQuantizedLayer: Module {
    /// The ``Dense`` or ``Conv2D`` whose weights are trained.
    public let layer: Module
    /// The normalisation folded into ``layer`` when converted, if any.
    public let batchNorm: BatchNormalization?
    /// The activation after the (normalised) output: the layer's own, or that of an
    /// ``Activation`` layer after the normalisation.
    public let activation: ActivationFunction
    /// The range of the input.
    public let inputObserver: MovingAverageObserver
    /// The weight scales fixed by ``freezeObservers()``; nil while they follow the weights.
    public private(set) var frozenWeightScales: [Float]?
    /// Whether the normalisation uses its running statistics in training too.
    public private(set) var batchNormFrozen = false

    /// Wraps a built `layer` (``Dense``, or ``Conv2D`` channels-last with groups and dilation 1)
    /// and the `batchNorm` after it (then `layer` must have no activation of its own).
    public init(_ layer: Module, batchNorm: BatchNormalization? = nil, activation: ActivationFunction? = nil,
                averagingConstant: Float = 0.01) {
        precondition(PostTrainingQuantizer.unsupportedReason(layer) == nil, "FakeQuantizedLayer: \(type(of: layer)) cannot be quantised")
        let own = (layer as? Dense)?.activation ?? (layer as! Conv2D).activation
        precondition(batchNorm == nil || own == .linear, "FakeQuantizedLayer: a layer followed by a normalisation must have no activation")
        self.layer = layer
        self.batchNorm = batchNorm
        self.activation = activation ?? own
        self.inputObserver = MovingAverageObserver(averagingConstant: averagingConstant)
        super.init()
        self.name = layer.name
    }

    /// The float kernel (`[in, units]` or `[filters, C, KH, KW]`) and bias.
    var floatWeights: (kernel: Tensor, bias: Tensor?) {
        if let dense = layer as? Dense { return (dense.kernel!, dense.bias) }
        let conv = layer as! Conv2D
        return (conv.kernel!, conv.bias)
    }

    /// The axis of the kernel that indexes output channels.
    var channelAxis: Int { layer is Dense ? 1 : 0 }

    /// The per-channel folding factor `γ / √(running variance + ε)`, as a tensor (gradients reach γ).
    var foldingFactor: Tensor? {
        guard let bn = batchNorm else { return nil }
        return bn.gamma! / (bn.runningVariance! + bn.epsilon).sqrt()
    }

    /// The weights the int8 layer will hold, before quantisation: `w`, or `w · f` with a normalisation.
    var effectiveKernel: Tensor {
        let kernel = floatWeights.kernel
        guard let factor = foldingFactor else { return kernel }
        return kernel * (layer is Dense ? factor : factor.reshape([-1, 1, 1, 1]))
    }

    /// The per-channel weight scales in use: frozen ones, or those of the current weights.
    public var weightScales: [Float] {
        frozenWeightScales ?? Tensor.withoutGrad { FakeQuantization.weightScales(effectiveKernel, channelAxis: channelAxis) }
    }

    /// Fixes the input range and the weight scales (PyTorch's `disable_observer`); calling it
    /// again changes nothing.
    public func freezeObservers() {
        if frozenWeightScales == nil { frozenWeightScales = weightScales }
        inputObserver.freeze()
    }

    /// Makes the normalisation use and keep its running statistics (PyTorch's `freeze_bn_stats`).
    public func freezeBatchNormStatistics() { batchNormFrozen = true }

    public override func forward(_ input: Tensor) -> Tensor {
        if isTraining { inputObserver.observe(input) }
        let x = inputObserver.quantization.map { FakeQuantization.activations(input, $0) } ?? input
        let kernel = effectiveKernel
        let scales = frozenWeightScales ?? Tensor.withoutGrad { FakeQuantization.weightScales(kernel, channelAxis: channelAxis) }
        let weights = FakeQuantization.weights(kernel, scales: scales, channelAxis: channelAxis)
        let bias = floatWeights.bias
        guard let bn = batchNorm, let factor = foldingFactor else { return activation(product(x, weights, bias: bias)) }
        var y = product(x, weights, bias: nil) / factor
        if let bias { y = y + bias }
        bn.train(isTraining && !batchNormFrozen)
        return activation(bn(y))
    }

    /// `x · w + bias`, or the convolution of `x` with `w`.
    func product(_ x: Tensor, _ w: Tensor, bias: Tensor?) -> Tensor {
        if layer is Dense { return x.dense(w, bias: bias) }
        let conv = layer as! Conv2D
        quantizedRequire(x.rank == 4 && x.shape[3] == w.shape[1],
                     "FakeQuantizedLayer: expected a channels-last batch with \(w.shape[1]) channels, got shape \(x.shape)")
        let (top, bottom) = Self.padding(conv.padding, input: x.shape[1], kernel: conv.kernelSize[0], stride: conv.strides[0])
        let (left, right) = Self.padding(conv.padding, input: x.shape[2], kernel: conv.kernelSize[1], stride: conv.strides[1])
        return x.conv2d(w, bias: bias, stride: conv.strides, padding: [top, bottom, left, right], dilation: [1, 1], groups: 1,
                        channelsLast: true)
    }

    /// `(before, after)` padding of one axis (TensorFlow's rule for `same`, as ``Conv2D``).
    static func padding(_ mode: PaddingMode, input: Int, kernel: Int, stride: Int) -> (Int, Int) {
        guard mode == .same else { return (0, 0) }
        let out = (input + stride - 1) / stride
        let total = max(0, (out - 1) * stride + kernel - input)
        return (total / 2, total - total / 2)
    }
}
