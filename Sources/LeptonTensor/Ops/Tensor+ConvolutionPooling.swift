/// A channels-last convolution and the 2×2 max pooling after it, in one pass at inference.
extension Tensor {
    /// `conv2d(weight, bias:, …, channelsLast: true, relu: relu)` followed by
    /// `maxPool2d(kernel: [2, 2], channelsLast: true)`: `self` is `[N, H, W, C]`, the result
    /// `[N, OH/2, OW/2, O]`. When nothing is recorded for backpropagation (inference) it is one
    /// pass: the kernel pools each pair of output rows while they are in cache, so the
    /// convolution's full map is never written; otherwise (and for a map under 2×2) the two ops,
    /// with their gradients. Both give the same values.
    ///
    /// ```swift
    /// let y = Tensor.withoutGrad { x.conv2dMaxPool2x2(w, bias: b, relu: true) }   // [8, 13, 13, 32] for x [8, 28, 28, 1]
    /// ```
    public func conv2dMaxPool2x2(_ weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                                 dilation: [Int] = [1, 1], groups: Int = 1, relu: Bool = false) -> Tensor {
        func separate() -> Tensor {
            conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                   channelsLast: true, relu: relu).maxPool2d(kernel: [2, 2], channelsLast: true)
        }
        let recorded = GradMode.isEnabled && (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        guard !recorded, dtype == .float32, weight.dtype == .float32 else { return separate() }
        var p = conv2dParameters(weight, channelsLast: true, stride: stride, padding: padding, dilation: dilation, groups: groups)
        guard p.outHeight >= 2, p.outWidth >= 2 else { return separate() }
        if let bias {
            require(bias.dtype == .float32 && bias.count == weight.shape[0], "conv2d",
                    "bias has shape \(bias.shape), expected [\(weight.shape[0])]")
        }
        p.fusedReLU = relu
        p.fusedMaxPool = true
        let out = Tensor(uninitializedShape: [p.batch, p.resultHeight, p.resultWidth, p.outChannels], backend: backend)
        backend.conv2dNHWC(p, floats, weight.floats, bias: bias.map { UnsafePointer($0.floats) }, out.floats)
        return out
    }
}
