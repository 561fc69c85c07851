/// 2-D convolution and transposed convolution over NCHW tensors (PyTorch's layout and
/// weight conventions).
extension Tensor {
    /// Resolves a 2- or 4-element padding list to (top, bottom, left, right).
    static func padding4(_ padding: [Int], op: String) -> (Int, Int, Int, Int) {
        switch padding.count {
        case 2: return (padding[0], padding[0], padding[1], padding[1])
        case 4: return (padding[0], padding[1], padding[2], padding[3])
        default: fatalError(TensorError(op, "padding \(padding) must have 2 (height, width) or 4 (top, bottom, left, right) values").description)
        }
    }

    static func pair(_ values: [Int], _ name: String, op: String) -> (Int, Int) {
        require(values.count == 2 && values.allSatisfy { $0 > 0 }, op, "\(name) \(values) must be two positive integers")
        return (values[0], values[1])
    }

    /// Cross-correlation of `self` (`[N, C, H, W]`) with `weight` (`[O, C/groups, KH, KW]`),
    /// plus an optional `bias` (`[O]`), as `torch.nn.functional.conv2d`.
    ///
    /// - Parameters:
    ///   - stride: `[sh, sw]`.
    ///   - padding: zeros added: `[ph, pw]` on both sides, or `[top, bottom, left, right]`.
    ///   - dilation: spacing of the kernel taps `[dh, dw]`.
    ///   - groups: channels split into this many independent groups.
    ///   - channelsLast: `self` is `[N, H, W, C]` and the result `[N, OH, OW, O]` (the weight
    ///     keeps its `[O, C/groups, KH, KW]` layout); computed without layout permutes.
    ///   - relu: the result goes through a ReLU — for channels-last inputs inside the kernel as
    ///     it writes each output (no pass of its own over the feature map), with its gradient.
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                       dilation: [Int] = [1, 1], groups: Int = 1, channelsLast: Bool = false, relu: Bool = false) -> Tensor {
        if channelsLast {
            return conv2dNHWC(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups, relu: relu)
        }
        if relu { return conv2d(weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups).relu() }
        let p = conv2dParameters(weight, channelsLast: false, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let out = Tensor(uninitializedShape: [p.batch, p.outChannels, p.outHeight, p.outWidth], backend: backend)
        backend.conv2d(p, floats, weight.floats, out.floats)
        let x = self
        let y = Tensor.record("conv2d", out, inputs: [x, weight]) { g in
            var dx: Tensor?, dw: Tensor?
            if x.requiresGrad {
                dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
                x.backend.conv2dBackwardData(p, g.floats, weight.floats, dx!.floats)
            }
            if weight.requiresGrad {
                dw = Tensor.gradientBuffer(for: weight)
                x.backend.conv2dBackwardFilter(p, x.floats, g.floats, dw!.floats)
            }
            return [dx, dw]
        }
        return bias.map { y + $0.reshape([1, p.outChannels, 1, 1]) } ?? y
    }

    /// Checks a convolution's input and weight and resolves its geometry, for either layout
    /// (`[N, C, H, W]` or channels-last `[N, H, W, C]`); the weight is `[O, C/groups, KH, KW]`.
    package func conv2dParameters(_ weight: Tensor, channelsLast: Bool, stride: [Int], padding: [Int],
                                  dilation: [Int], groups: Int) -> Conv2DParameters {
        let layout = channelsLast ? "[N, H, W, C]" : "[N, C, H, W]"
        require(rank == 4 && weight.rank == 4, "conv2d", "expected input \(layout) and weight [O, C/groups, KH, KW], got \(shape) and \(weight.shape)")
        let (c, h, w) = channelsLast ? (shape[3], shape[1], shape[2]) : (shape[1], shape[2], shape[3])
        require(groups > 0 && c % groups == 0 && weight.shape[0] % groups == 0, "conv2d",
                "channels \(c) in and \(weight.shape[0]) out must divide by groups \(groups)")
        require(weight.shape[1] * groups == c, "conv2d",
                "input has \(c) channels but weight \(weight.shape) expects \(weight.shape[1] * groups) (groups \(groups))")
        let (sh, sw) = Tensor.pair(stride, "stride", op: "conv2d"), (dh, dw) = Tensor.pair(dilation, "dilation", op: "conv2d")
        let (pt, pb, pl, pr) = Tensor.padding4(padding, op: "conv2d")
        let p = Conv2DParameters(batch: shape[0], inChannels: c, height: h, width: w,
                                 outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                 strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl, padBottom: pb, padRight: pr,
                                 dilationHeight: dh, dilationWidth: dw, groups: groups)
        require(p.outHeight > 0 && p.outWidth > 0, "conv2d", "kernel \(weight.shape[2])×\(weight.shape[3]) does not fit input \(shape) with this padding and dilation")
        return p
    }

    /// The channels-last convolution: `self` is `[N, H, W, C]`, the result `[N, OH, OW, O]`;
    /// the bias (and a ReLU) is applied inside the kernel and its gradient is a column sum.
    private func conv2dNHWC(_ weight: Tensor, bias: Tensor?, stride: [Int], padding: [Int], dilation: [Int],
                            groups: Int, relu: Bool) -> Tensor {
        require(dtype == .float32 && weight.dtype == .float32, "conv2d", "expected float32 input and weight")
        var p = conv2dParameters(weight, channelsLast: true, stride: stride, padding: padding, dilation: dilation, groups: groups)
        p.fusedReLU = relu
        if let bias {
            require(bias.dtype == .float32 && bias.count == weight.shape[0], "conv2d",
                    "bias has shape \(bias.shape), expected [\(weight.shape[0])]")
        }
        let out = Tensor(uninitializedShape: [p.batch, p.outHeight, p.outWidth, p.outChannels], backend: backend)
        backend.conv2dNHWC(p, floats, weight.floats, bias: bias.map { UnsafePointer($0.floats) }, out.floats)
        let x = self
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let y = relu ? out.detach() : nil   // detached: the output's node must not hold the output
        return Tensor.record(relu ? "conv2d_relu" : "conv2d", out, inputs: inputs) { upstream in
            // Through the ReLU first: its gradient, read from the output (positive where its input was).
            var g = upstream
            if let y {
                g = Tensor(uninitializedShape: upstream.shape, backend: x.backend)
                x.backend.unaryBackward(.relu, x: y.floats, y: y.floats, dy: upstream.floats, dx: g.floats, count: y.count)
            }
            var dx: Tensor?, dw: Tensor?, db: Tensor?
            if x.requiresGrad {
                dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
                x.backend.conv2dNHWCBackwardData(p, g.floats, weight.floats, dx!.floats)
            }
            if weight.requiresGrad {
                dw = Tensor.gradientBuffer(for: weight)
                x.backend.conv2dNHWCBackwardFilter(p, x.floats, g.floats, dw!.floats)
            }
            if let bias, bias.requiresGrad {
                db = Tensor.gradientBuffer(for: bias)
                x.backend.reduce(.sum, g.floats, outer: 1, reduced: p.batch * p.outPlane, inner: p.outChannels, db!.floats)
            }
            return bias == nil ? [dx, dw] : [dx, dw, db]
        }
    }

    /// Transposed convolution (the gradient of ``conv2d(_:bias:stride:padding:dilation:groups:channelsLast:relu:)``
    /// with respect to its input), as `torch.nn.functional.conv_transpose2d`: `self` is
    /// `[N, C, H, W]`, `weight` is `[C, O/groups, KH, KW]`.
    public func convTranspose2d(_ weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1], padding: [Int] = [0, 0],
                                outputPadding: [Int] = [0, 0], dilation: [Int] = [1, 1], groups: Int = 1) -> Tensor {
        require(rank == 4 && weight.rank == 4, "convTranspose2d", "expected input [N, C, H, W] and weight [C, O/groups, KH, KW], got \(shape) and \(weight.shape)")
        require(groups > 0 && weight.shape[0] == shape[1] && shape[1] % groups == 0, "convTranspose2d",
                "input has \(shape[1]) channels, weight \(weight.shape) expects \(weight.shape[0]) (groups \(groups))")
        let (sh, sw) = Tensor.pair(stride, "stride", op: "convTranspose2d"), (dh, dw) = Tensor.pair(dilation, "dilation", op: "convTranspose2d")
        require(padding.count == 2 && outputPadding.count == 2, "convTranspose2d", "padding and outputPadding take [h, w]")
        let (ph, pw) = (padding[0], padding[1]), (oph, opw) = (outputPadding[0], outputPadding[1])
        require(oph < Swift.max(sh, dh) && opw < Swift.max(sw, dw) && oph >= 0 && opw >= 0, "convTranspose2d",
                "outputPadding \(outputPadding) must be smaller than stride or dilation")
        let (kh, kw) = (weight.shape[2], weight.shape[3])
        let outH = (shape[2] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
        let outW = (shape[3] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
        require(outH > 0 && outW > 0, "convTranspose2d", "output size \(outH)×\(outW) is not positive")
        let outChannels = weight.shape[1] * groups
        // The convolution whose input-gradient this is: it maps [N, O, outH, outW] to [N, C, H, W].
        let p = Conv2DParameters(batch: shape[0], inChannels: outChannels, height: outH, width: outW,
                                 outChannels: shape[1], kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw,
                                 padTop: ph, padLeft: pw, padBottom: ph - oph, padRight: pw - opw,
                                 dilationHeight: dh, dilationWidth: dw, groups: groups)
        let out = Tensor(uninitializedShape: [shape[0], outChannels, outH, outW], backend: backend)
        backend.conv2dBackwardData(p, floats, weight.floats, out.floats)
        let x = self
        let y = Tensor.record("convTranspose2d", out, inputs: [x, weight]) { g in
            var dx: Tensor?, dw: Tensor?
            if x.requiresGrad {
                dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
                x.backend.conv2d(p, g.floats, weight.floats, dx!.floats)
            }
            if weight.requiresGrad {
                dw = Tensor.gradientBuffer(for: weight)
                x.backend.conv2dBackwardFilter(p, g.floats, x.floats, dw!.floats)
            }
            return [dx, dw]
        }
        return bias.map { y + $0.reshape([1, outChannels, 1, 1]) } ?? y
    }
}
