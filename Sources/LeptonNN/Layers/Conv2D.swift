import LeptonTensor

/// 2-D convolution (`keras.layers.Conv2D`). Images are `[N, H, W, C]` by default, as Keras
/// users write `inputShape: [28, 28, 1]`; `dataFormat: .channelsFirst` takes PyTorch's
/// `[N, C, H, W]`. The kernel is stored in PyTorch's layout `[filters, C / groups, KH, KW]`.
///
/// ```swift
/// let conv = Conv2D(filters: 32, kernelSize: [3, 3], activation: .relu)
/// conv(Tensor.zeros([8, 28, 28, 1])).shape   // [8, 26, 26, 32]
/// ```
public final class Conv2D: Module, ConvolutionLayer {
    /// Filters, kernel, strides, padding, dilation, groups, activation, bias and layout.
    public let settings: ConvolutionSettings
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    /// `[filters, C / groups, KH, KW]`, built from the first input when the channel count was not given.
    public private(set) var kernel: Tensor?
    /// `[filters]`.
    public private(set) var bias: Tensor?

    public var kernelSize: [Int] { settings.kernelSize }
    public var strides: [Int] { settings.strides }
    public var dilation: [Int] { settings.dilation }

    /// A convolution with checked `settings` (two spatial axes).
    /// - Parameter inputChannels: when given, the weights are built now; otherwise from the first input.
    public init(settings: ConvolutionSettings, inputChannels: Int? = nil,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        layerRequire(settings.spatialRank == 2, "Conv2D: expected settings for 2 spatial axes, got \(settings.spatialRank)")
        self.settings = settings
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init()
        if let inputChannels { build(inputChannels: inputChannels) }
    }

    public convenience init(filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: PaddingMode = .valid,
                            dilation: [Int] = [1, 1], groups: Int = 1, activation: ActivationFunction = .linear,
                            useBias: Bool = true, dataFormat: DataFormat = .channelsLast, inputChannels: Int? = nil,
                            kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        let settings = ConvolutionSettings.checked({
            try ConvolutionSettings(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, dilation: dilation,
                                    groups: groups, activation: activation, useBias: useBias, dataFormat: dataFormat)
        }, layer: "Conv2D")
        self.init(settings: settings, inputChannels: inputChannels, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer)
    }

    /// Creates the weights for `inputChannels` input channels.
    public func build(inputChannels: Int) {
        layerRequire(inputChannels % groups == 0, "Conv2D: input channels \(inputChannels) must divide by groups \(groups)")
        let receptive = kernelSize[0] * kernelSize[1]
        let fanIn = inputChannels / groups * receptive, fanOut = filters / groups * receptive
        kernel = kernelInitializer.make([filters, inputChannels / groups, kernelSize[0], kernelSize[1]],
                                        fanIn: fanIn, fanOut: fanOut).requiringGrad()
        if useBias { bias = biasInitializer.make([filters], fanIn: fanIn, fanOut: fanOut).requiringGrad() }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let pads = prepare(input)
        // A ReLU runs inside the convolution kernel (no pass of its own over the feature map).
        let fused = activation == .relu
        let y = input.conv2d(kernel!, bias: bias, stride: strides, padding: pads,
                             dilation: dilation, groups: groups, channelsLast: dataFormat == .channelsLast, relu: fused)
        return fused ? y : activation(y)
    }

    /// This convolution and `pool` after it (`pool(self(input))`) in one pass at inference
    /// (``LeptonTensor/Tensor/conv2dMaxPool2x2(_:bias:stride:padding:dilation:groups:relu:)``),
    /// when `pool` is a ``MaxPooling2D`` over 2×2 windows with stride 2 and valid padding, both
    /// layers are channels-last and the activation is ReLU or linear; nil when they do not fuse.
    public func forward(_ input: Tensor, pooledBy pool: Module) -> Tensor? {
        guard let pool = pool as? MaxPooling2D, pool.poolSize == [2, 2], pool.strides == [2, 2], pool.padding == .valid,
              pool.dataFormat == .channelsLast, dataFormat == .channelsLast, activation == .relu || activation == .linear
        else { return nil }
        let pads = prepare(input)
        return input.conv2dMaxPool2x2(kernel!, bias: bias, stride: strides, padding: pads, dilation: dilation, groups: groups,
                                      relu: activation == .relu)
    }

    /// Checks `input`, builds the weights on first use, and returns the padding
    /// `[top, bottom, left, right]` for its size.
    private func prepare(_ input: Tensor) -> [Int] {
        layerRequire(input.rank == 4, "Conv2D: expected a rank-4 image batch, got shape \(input.shape)")
        // Channels-last images go straight to the NHWC kernels: no layout permutes.
        let (hAxis, wAxis) = (settings.spatialAxes[0], settings.spatialAxes[1])
        if kernel == nil { build(inputChannels: input.shape[settings.channelAxis]) }
        let (pt, pb) = padding.amounts(input: input.shape[hAxis], kernel: kernelSize[0], stride: strides[0], dilation: dilation[0])
        let (pl, pr) = padding.amounts(input: input.shape[wAxis], kernel: kernelSize[1], stride: strides[1], dilation: dilation[1])
        return [pt, pb, pl, pr]
    }
}
