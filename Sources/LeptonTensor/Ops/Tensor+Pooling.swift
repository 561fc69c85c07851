/// Max and average pooling over NCHW tensors.
extension Tensor {
    /// Max pooling (`torch.nn.functional.max_pool2d`); padding counts as −∞.
    /// With `channelsLast`, `self` is `[N, H, W, C]` and the result `[N, OH, OW, C]`.
    public func maxPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], ceilMode: Bool = false,
                          channelsLast: Bool = false) -> Tensor {
        pool2d(.max, kernel: kernel, stride: stride, padding: padding, countIncludePad: true, ceilMode: ceilMode,
               channelsLast: channelsLast)
    }

    /// Average pooling (`torch.nn.functional.avg_pool2d`).
    /// With `channelsLast`, `self` is `[N, H, W, C]` and the result `[N, OH, OW, C]`.
    public func avgPool2d(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0],
                          countIncludePad: Bool = true, ceilMode: Bool = false, channelsLast: Bool = false) -> Tensor {
        pool2d(.average, kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad, ceilMode: ceilMode,
               channelsLast: channelsLast)
    }

    /// Mean over the spatial axes: `[N, C, H, W]` → `[N, C]`.
    public func globalAvgPool2d() -> Tensor {
        require(rank == 4, "globalAvgPool2d", "expected [N, C, H, W], got \(shape)")
        return mean(axes: [2, 3])
    }

    private func pool2d(_ kind: Pool2DParameters.Kind, kernel: [Int], stride: [Int]?, padding: [Int],
                        countIncludePad: Bool, ceilMode: Bool, channelsLast: Bool) -> Tensor {
        let name = kind == .max ? "maxPool2d" : "avgPool2d"
        // Max pooling keeps each output's argmax for the backward pass; inference skips it.
        let recordsGradient = GradMode.isEnabled && requiresGrad
        require(rank == 4 && dtype == .float32, name,
                "expected a float32 \(channelsLast ? "[N, H, W, C]" : "[N, C, H, W]") tensor, got \(dtype) \(shape)")
        let (kh, kw) = Tensor.pair(kernel, "kernel", op: name)
        let (sh, sw) = Tensor.pair(stride ?? kernel, "stride", op: name)
        require(padding.count == 2 && padding[0] >= 0 && padding[1] >= 0 && padding[0] * 2 <= kh && padding[1] * 2 <= kw,
                name, "padding \(padding) must be [ph, pw] with each at most half the kernel \(kernel)")
        if channelsLast {
            let c = shape[3]
            let p = Pool2DParameters(kind: kind, planes: shape[0], height: shape[1], width: shape[2],
                                     kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw,
                                     padTop: padding[0], padLeft: padding[1], countIncludePad: countIncludePad, ceilMode: ceilMode)
            require(p.outHeight > 0 && p.outWidth > 0, name, "kernel \(kernel) does not fit input \(shape)")
            let out = Tensor(uninitializedShape: [shape[0], p.outHeight, p.outWidth, c], backend: backend)
            let indices = kind == .max && recordsGradient ? Tensor(uninitializedShape: out.shape, dtype: .int32, backend: backend) : nil
            backend.pool2dNHWC(p, channels: c, floats, out.floats, indices: indices?.int32s)
            let inputShape = shape
            return Tensor.record(name, out, inputs: [self]) { g in
                let dx = Tensor(uninitializedShape: inputShape, backend: g.backend)
                g.backend.pool2dNHWCBackward(p, channels: c, g.floats, indices: indices.map { UnsafePointer($0.int32s) }, dx.floats)
                return [dx]
            }
        }
        let p = Pool2DParameters(kind: kind, planes: shape[0] * shape[1], height: shape[2], width: shape[3],
                                 kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw,
                                 padTop: padding[0], padLeft: padding[1], countIncludePad: countIncludePad, ceilMode: ceilMode)
        require(p.outHeight > 0 && p.outWidth > 0, name, "kernel \(kernel) does not fit input \(shape)")
        let out = Tensor(uninitializedShape: [shape[0], shape[1], p.outHeight, p.outWidth], backend: backend)
        let indices = kind == .max && recordsGradient ? Tensor(uninitializedShape: out.shape, dtype: .int32, backend: backend) : nil
        backend.pool2d(p, floats, out.floats, indices: indices?.int32s)
        let inputShape = shape
        return Tensor.record(name, out, inputs: [self]) { g in
            let dx = Tensor(uninitializedShape: inputShape, backend: g.backend)
            g.backend.pool2dBackward(p, g.floats, indices: indices.map { UnsafePointer($0.int32s) }, dx.floats)
            return [dx]
        }
    }
}
