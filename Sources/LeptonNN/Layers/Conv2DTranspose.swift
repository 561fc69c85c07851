import LeptonTensor

/// Transposed 2-D convolution, the "deconvolution" that upsamples (`keras.layers.Conv2DTranspose`,
/// `torch.nn.ConvTranspose2d`). Images are `[N, H, W, C]` by default, as in Keras;
/// `dataFormat: .channelsFirst` takes `[N, C, H, W]`. The kernel is stored in PyTorch's layout
/// `[C, filters / groups, KH, KW]`.
///
/// Output sizes follow Keras: with `.valid` padding `H · stride + max(KH − stride, 0)`, with
/// `.same` `H · stride` (cropping the full result as TensorFlow does, the odd row at the bottom);
/// with an `outputPadding`, `(H − 1) · stride + KH − 2 · pad + outputPadding` where `pad` is 0
/// (`.valid`) or `KH / 2` (`.same`), as `ConvTranspose2d(padding: pad, output_padding:)`.
/// `KH` here is the dilated kernel span `dilation · (KH − 1) + 1`.
///
/// ```swift
/// let up = Conv2DTranspose(filters: 16, kernelSize: [3, 3], strides: [2, 2], padding: .same)
/// up(Tensor.zeros([8, 14, 14, 32])).shape   // [8, 28, 28, 16]
/// ```
public final class Conv2DTranspose: Module, ConvolutionLayer {
    /// Filters, kernel, strides (the upsampling factor), padding, dilation, groups, activation,
    /// bias and layout (two spatial axes).
    public let settings: ConvolutionSettings
    /// Extra rows and columns at the bottom and right (`[h, w]`, each below the stride or
    /// dilation); nil for Keras's default sizes.
    public let outputPadding: [Int]?
    /// Initializer of ``kernel``.
    public let kernelInitializer: Initializer
    /// Initializer of ``bias``.
    public let biasInitializer: Initializer
    /// `[C, filters / groups, KH, KW]`, built from the first input when the channel count was not given.
    public private(set) var kernel: Tensor?
    /// `[filters]`.
    public private(set) var bias: Tensor?

    public var kernelSize: [Int] { settings.kernelSize }
    public var strides: [Int] { settings.strides }
    public var dilation: [Int] { settings.dilation }

    /// Checks an `outputPadding` against `settings`: two values, each below the stride or dilation.
    /// - Throws: ``ConfigError`` naming the values.
    public static func check(outputPadding: [Int], settings: ConvolutionSettings) throws {
        guard outputPadding.count == 2,
              (0..<2).allSatisfy({ outputPadding[$0] >= 0 && outputPadding[$0] < Swift.max(settings.strides[$0], settings.dilation[$0]) }) else {
            throw ConfigError("output_padding: expected two integers ≥ 0, each below the stride or dilation "
                              + "(\(settings.strides) / \(settings.dilation)), got \(outputPadding)")
        }
    }

    /// A transposed convolution with checked `settings` (two spatial axes).
    /// - Parameter inputChannels: when given, the weights are built now; otherwise from the first input.
    public init(settings: ConvolutionSettings, outputPadding: [Int]? = nil, inputChannels: Int? = nil,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros) {
        layerRequire(settings.spatialRank == 2, "Conv2DTranspose: expected settings for 2 spatial axes, got \(settings.spatialRank)")
        if let outputPadding {
            ConvolutionSettings.checked({ try Self.check(outputPadding: outputPadding, settings: settings) }, layer: "Conv2DTranspose")
        }
        self.settings = settings
        self.outputPadding = outputPadding
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        super.init()
        if let inputChannels { build(inputChannels: inputChannels) }
    }

    /// - Parameter inputChannels: when given, the weights are built now; otherwise from the first input.
    public convenience init(filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: PaddingMode = .valid,
                            outputPadding: [Int]? = nil, dilation: [Int] = [1, 1], groups: Int = 1,
                            activation: ActivationFunction = .linear, useBias: Bool = true, dataFormat: DataFormat = .channelsLast,
                            inputChannels: Int? = nil, kernelInitializer: Initializer = .glorotUniform,
                            biasInitializer: Initializer = .zeros) {
        let settings = ConvolutionSettings.checked({
            try ConvolutionSettings(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, dilation: dilation,
                                    groups: groups, activation: activation, useBias: useBias, dataFormat: dataFormat)
        }, layer: "Conv2DTranspose")
        self.init(settings: settings, outputPadding: outputPadding, inputChannels: inputChannels,
                  kernelInitializer: kernelInitializer, biasInitializer: biasInitializer)
    }

    /// Creates the weights for `inputChannels` input channels.
    public func build(inputChannels: Int) {
        layerRequire(inputChannels % groups == 0,
                     "Conv2DTranspose: input channels \(inputChannels) must divide by groups \(groups)")
        let receptive = kernelSize[0] * kernelSize[1]
        // Keras's fans for its (KH, KW, filters, C) kernel.
        let fanIn = filters / groups * receptive, fanOut = inputChannels / groups * receptive
        kernel = kernelInitializer.make([inputChannels, filters / groups, kernelSize[0], kernelSize[1]],
                                        fanIn: fanIn, fanOut: fanOut).requiringGrad()
        if useBias { bias = biasInitializer.make([filters], fanIn: fanIn, fanOut: fanOut).requiringGrad() }
    }

    /// For one axis: PyTorch's `(padding, outputPadding)` and the rows to crop from the start
    /// of that result (TensorFlow's odd `.same` padding).
    private func plan(axis: Int) -> (pad: Int, outputPadding: Int, crop: Int, total: Int) {
        let (k, s, d) = (kernelSize[axis], strides[axis], dilation[axis])
        let span = d * (k - 1) + 1
        if let outputPadding {
            return (padding == .same ? span / 2 : 0, outputPadding[axis], 0, 0)
        }
        switch padding {
        case .valid:
            // H·s + max(span − s, 0) = (H − 1)·s + span + (s − span when span < s).
            return (0, Swift.max(s - span, 0), 0, 0)
        case .same:
            // Crop `span − s` from the full result: half at the top, the odd one at the bottom.
            let total = Swift.max(span - s, 0)
            if total % 2 == 0 { return (total / 2, s > span ? s - span : 0, 0, 0) }
            return (0, 0, total / 2, total)
        }
    }

    /// Upsamples `input` (building the weights on the first call).
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 4, "Conv2DTranspose: expected a rank-4 image batch \(dataFormat == .channelsLast ? "[N, H, W, C]" : "[N, C, H, W]"), got shape \(input.shape)")
        let x = dataFormat == .channelsLast ? input.permute([0, 3, 1, 2]) : input
        if kernel == nil { build(inputChannels: x.shape[1]) }
        layerRequire(x.shape[1] == kernel!.shape[0],
                     "Conv2DTranspose: input has \(x.shape[1]) channels (shape \(input.shape)), expected \(kernel!.shape[0])")
        let (ph, pw) = (plan(axis: 0), plan(axis: 1))
        var y = x.convTranspose2d(kernel!, bias: nil, stride: strides, padding: [ph.pad, pw.pad],
                                  outputPadding: [ph.outputPadding, pw.outputPadding], dilation: dilation, groups: groups)
        if ph.total > 0 || pw.total > 0 {
            // TensorFlow's odd "same" crop: the full result less total / 2 at the top/left and the rest at the bottom/right.
            let (h, w) = (x.shape[2] * strides[0], x.shape[3] * strides[1])
            y = y.slice([.all, .all, .range(ph.crop..<(ph.crop + h)), .range(pw.crop..<(pw.crop + w))])
        }
        if let bias { y = y + bias.reshape([1, filters, 1, 1]) }
        let out = activation(y)
        return dataFormat == .channelsLast ? out.permute([0, 2, 3, 1]) : out
    }
}
