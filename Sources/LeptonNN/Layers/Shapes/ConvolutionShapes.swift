import LeptonTensor

// Shape inference of the convolution and pooling layers (see ConfigurableLayer.inferShape).

extension PaddingMode {
    /// The output length of a sliding window over `input` positions, or an error naming `axis`
    /// when the window's span is larger than a `.valid` input.
    func outputLength(input: Int, kernel: Int, stride: Int, dilation: Int, axis: String) throws -> Int {
        let span = dilation * (kernel - 1) + 1   // the configs keep this within LayerLimits.maxTensorElements
        switch self {
        case .valid:
            guard input >= span else {
                throw ConfigError("the kernel spans \(span) \(axis) (size \(kernel), dilation \(dilation)) but the input "
                                  + "has \(input); expected a kernel no larger than the input, or padding \"same\"")
            }
            return (input - span) / stride + 1
        case .same:
            return (input + stride - 1) / stride
        }
    }
}

/// The channels a convolution receives, checked against the weights it already has (or the
/// groups, when it has none); returns the parameters a lazy build would create.
private func checkChannels(_ channels: Int, built: Int?, groups: Int, weights: [[Int]]) throws -> Int {
    if let built {
        guard channels == built else {
            throw ConfigError("the input has \(channels) channels; expected \(built) (input_channels)")
        }
        return 0
    }
    guard channels % groups == 0 else {
        throw ConfigError("the input's \(channels) channels do not divide into \(groups) groups")
    }
    var total = 0
    for w in weights { total += try LayerLimits.checkTensor(w, "a weight of shape") }
    return total
}

extension Conv2D {
    /// `[N, H, W, C]` → `[N, H', W', filters]` (or channels first).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        let last = dataFormat == .channelsLast
        try input.require(rank: 4, layout: last ? "[batch, height, width, channels]" : "[batch, channels, height, width]")
        let s = input.shape
        let (h, w, c) = last ? (s[1], s[2], s[3]) : (s[2], s[3], s[1])
        let built = try checkChannels(c, built: kernel.map { $0.shape[1] * groups }, groups: groups,
                                      weights: [[filters, c / groups] + kernelSize] + (useBias ? [[filters]] : []))
        let oh = try padding.outputLength(input: h, kernel: kernelSize[0], stride: strides[0], dilation: dilation[0], axis: "rows")
        let ow = try padding.outputLength(input: w, kernel: kernelSize[1], stride: strides[1], dilation: dilation[1], axis: "columns")
        try LayerLimits.checkTensor([oh, ow, c / groups, kernelSize[0], kernelSize[1]], "the convolution's patch matrix of shape")
        try LayerLimits.checkTensor([h + dilation[0] * (kernelSize[0] - 1), w + dilation[1] * (kernelSize[1] - 1), c],
                                    "the padded input of shape")
        try LayerLimits.checkOperations([oh, ow, filters, c / groups, kernelSize[0], kernelSize[1]], "the convolution")
        let out = last ? [s[0], oh, ow, filters] : [s[0], filters, oh, ow]
        return ShapeInference(output: input.with(shape: out), parametersBuilt: built)
    }
}

extension Conv1D {
    /// `[N, steps, C]` → `[N, steps', filters]` (or channels first).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        let last = dataFormat == .channelsLast
        try input.require(rank: 3, layout: last ? "[batch, steps, channels]" : "[batch, channels, steps]")
        let s = input.shape
        let (steps, c) = last ? (s[1], s[2]) : (s[2], s[1])
        let built = try checkChannels(c, built: kernel.map { $0.shape[1] * groups }, groups: groups,
                                      weights: [[filters, c / groups, kernelSize]] + (useBias ? [[filters]] : []))
        let out = try padding.outputLength(input: steps, kernel: kernelSize, stride: strides, dilation: dilation, axis: "steps")
        try LayerLimits.checkTensor([out, c / groups, kernelSize], "the convolution's patch matrix of shape")
        try LayerLimits.checkTensor([steps + dilation * (kernelSize - 1), c], "the padded input of shape")
        try LayerLimits.checkOperations([out, filters, c / groups, kernelSize], "the convolution")
        return ShapeInference(output: input.with(shape: last ? [s[0], out, filters] : [s[0], filters, out]), parametersBuilt: built)
    }
}

extension Conv2DTranspose {
    /// `[N, H, W, C]` → `[N, H', W', filters]` (or channels first), H' as the type describes.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        let last = dataFormat == .channelsLast
        try input.require(rank: 4, layout: last ? "[batch, height, width, channels]" : "[batch, channels, height, width]")
        let s = input.shape
        let (h, w, c) = last ? (s[1], s[2], s[3]) : (s[2], s[3], s[1])
        let built = try checkChannels(c, built: kernel?.shape[0], groups: groups,
                                      weights: [[c, filters / groups] + kernelSize] + (useBias ? [[filters]] : []))
        var sizes: [Int] = []
        for (axis, n) in [h, w].enumerated() {
            let (k, st, d) = (kernelSize[axis], strides[axis], dilation[axis])
            let span = d * (k - 1) + 1
            guard let full = LayerLimits.product([n - 1, st]), full <= LayerLimits.maxTensorElements else {
                throw ConfigError("upsampling \(n) positions by stride \(st) exceeds \(LayerLimits.maxTensorElements) (LayerLimits.maxTensorElements)")
            }
            let size: Int
            if let outputPadding {
                size = full + span - 2 * (padding == .same ? span / 2 : 0) + outputPadding[axis]
            } else {
                size = padding == .same ? full + st : full + Swift.max(span, st)
            }
            guard size >= 1 else {
                throw ConfigError("the output would have \(size) \(axis == 0 ? "rows" : "columns") (input \(n), kernel \(k), "
                                  + "stride \(st), dilation \(d), output_padding \(outputPadding ?? [0, 0])); expected at least 1")
            }
            sizes.append(size)
        }
        try LayerLimits.checkTensor([h, w, filters / groups, kernelSize[0], kernelSize[1]], "the convolution's patch matrix of shape")
        try LayerLimits.checkTensor([sizes[0] + span(0), sizes[1] + span(1), filters], "the full output of shape")
        try LayerLimits.checkOperations([h, w, c, filters / groups, kernelSize[0], kernelSize[1]], "the transposed convolution")
        let out = last ? [s[0], sizes[0], sizes[1], filters] : [s[0], filters, sizes[0], sizes[1]]
        return ShapeInference(output: input.with(shape: out), parametersBuilt: built)
    }

    private func span(_ axis: Int) -> Int { dilation[axis] * (kernelSize[axis] - 1) + 1 }
}

extension Pooling2D {
    /// `[N, H, W, C]` → `[N, H', W', C]` (or channels first).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        let last = dataFormat == .channelsLast
        try input.require(rank: 4, layout: last ? "[batch, height, width, channels]" : "[batch, channels, height, width]")
        let s = input.shape
        let (hAxis, wAxis) = last ? (1, 2) : (2, 3)
        let oh = try padding.outputLength(input: s[hAxis], kernel: poolSize[0], stride: strides[0], dilation: 1, axis: "rows")
        let ow = try padding.outputLength(input: s[wAxis], kernel: poolSize[1], stride: strides[1], dilation: 1, axis: "columns")
        var padded = s
        padded[hAxis] += poolSize[0]
        padded[wAxis] += poolSize[1]
        try LayerLimits.checkTensor(padded, "the padded input of shape")
        var out = s
        out[hAxis] = oh
        out[wAxis] = ow
        try LayerLimits.checkOperations([out.reduce(1, *), poolSize[0], poolSize[1]], "the pooling")
        return ShapeInference(output: input.with(shape: out))
    }
}

extension GlobalAveragePooling2D {
    /// `[N, H, W, C]` → `[N, C]` (or channels first).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        let last = dataFormat == .channelsLast
        try input.require(rank: 4, layout: last ? "[batch, height, width, channels]" : "[batch, channels, height, width]")
        return ShapeInference(output: input.with(shape: [input.shape[0], input.shape[last ? 3 : 1]]))
    }
}
