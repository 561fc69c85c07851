import LeptonTensor

/// 1-D convolution over sequences (`keras.layers.Conv1D`). Inputs are `[N, steps, C]` by
/// default, as in Keras; `dataFormat: .channelsFirst` takes PyTorch's `[N, C, steps]`. The kernel
/// is stored in PyTorch's `Conv1d` layout `[filters, C / groups, kernelSize]`; the convolution runs
/// as a 2-D one with a kernel of height 1.
///
/// ```swift
/// let conv = Conv1D(filters: 16, kernelSize: 3, padding: .same, activation: .relu)
/// conv(Tensor.zeros([8, 100, 4])).shape   // [8, 100, 16]
/// ```
public final class Conv1D: Module {
    /// Filters, kernel, strides, padding, dilation, groups, activation, bias and layout (one spatial axis).
    public let settings: ConvolutionSettings
    /// Initializer of ``kernel``.
    public let kernelInitializer: Initializer
    /// Initializer of ``bias``.
    public let biasInitializer: Initializer
    /// `[filters, C / groups, kernelSize]`, built from the first input when the channel count was not given.
    public private(set) var kernel: Tensor?
    /// `[filters]`.
    public private(set) var bias: Tensor?

    public var filters: Int { settings.filters }
    /// Taps of the kernel.
    public var kernelSize: Int { settings.kernelSize[0] }
    /// Step between output positions.
    public var strides: Int { settings.strides[0] }
    /// `.valid` (no padding) or `.same` (output length `ceil(steps / strides)`, TensorFlow's rule).
    public var padding: PaddingMode { settings.padding }
    /// Spacing of the kernel taps.
    public var dilation: Int { settings.dilation[0] }
    public var groups: Int { settings.groups }
    public var activation: ActivationFunction { settings.activation }
    public var useBias: Bool { settings.useBias }
    public var dataFormat: DataFormat { settings.dataFormat }

    /// A convolution with checked `settings` (one spatial axis).
    /// - Parameter inputChannels: when given, the weights are built now; otherwise from the first input.
    public init(settings: ConvolutionSettings, inputChannels: Int? = nil,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        layerRequire(settings.spatialRank == 1, "Conv1D: expected settings for 1 spatial axis, got \(settings.spatialRank)")
        self.settings = settings
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init()
        if let inputChannels { build(inputChannels: inputChannels) }
    }

    /// - Parameter inputChannels: when given, the weights are built now; otherwise from the first input.
    public convenience init(filters: Int, kernelSize: Int, strides: Int = 1, padding: PaddingMode = .valid, dilation: Int = 1,
                            groups: Int = 1, activation: ActivationFunction = .linear, useBias: Bool = true,
                            dataFormat: DataFormat = .channelsLast, inputChannels: Int? = nil,
                            kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        let settings = ConvolutionSettings.checked({
            try ConvolutionSettings(filters: filters, kernelSize: [kernelSize], strides: [strides], padding: padding,
                                    dilation: [dilation], groups: groups, activation: activation, useBias: useBias,
                                    dataFormat: dataFormat)
        }, layer: "Conv1D")
        self.init(settings: settings, inputChannels: inputChannels, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer)
    }

    /// Creates the weights for `inputChannels` input channels.
    public func build(inputChannels: Int) {
        layerRequire(inputChannels % groups == 0, "Conv1D: input channels \(inputChannels) must divide by groups \(groups)")
        let fanIn = inputChannels / groups * kernelSize, fanOut = filters / groups * kernelSize
        kernel = kernelInitializer.make([filters, inputChannels / groups, kernelSize], fanIn: fanIn, fanOut: fanOut)
            .requiringGrad()
        if useBias { bias = biasInitializer.make([filters], fanIn: fanIn, fanOut: fanOut).requiringGrad() }
    }

    /// Convolves `input` (building the weights on the first call).
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 3, "Conv1D: expected a rank-3 batch \(dataFormat == .channelsLast ? "[N, steps, C]" : "[N, C, steps]"), got shape \(input.shape)")
        let x = dataFormat == .channelsLast ? input.permute([0, 2, 1]) : input   // [N, C, steps]
        if kernel == nil { build(inputChannels: x.shape[1]) }
        layerRequire(x.shape[1] == kernel!.shape[1] * groups,
                     "Conv1D: input has \(x.shape[1]) channels (shape \(input.shape)), expected \(kernel!.shape[1] * groups)")
        let (left, right) = padding.amounts(input: x.shape[2], kernel: kernelSize, stride: strides, dilation: dilation)
        layerRequire(x.shape[2] + left + right >= dilation * (kernelSize - 1) + 1,
                     "Conv1D: \(x.shape[2]) steps are fewer than the kernel's span \(dilation * (kernelSize - 1) + 1)")
        let (n, c, steps) = (x.shape[0], x.shape[1], x.shape[2])
        let y = x.reshape([n, c, 1, steps])
            .conv2d(kernel!.unsqueeze(2), bias: bias, stride: [1, strides], padding: [0, 0, left, right],
                    dilation: [1, dilation], groups: groups)
        let out = activation(y.squeeze(2))   // [N, filters, steps']
        return dataFormat == .channelsLast ? out.permute([0, 2, 1]) : out
    }
}
