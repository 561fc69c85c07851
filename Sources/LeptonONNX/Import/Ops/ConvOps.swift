import LeptonTensor

/// `Conv` and `ConvTranspose` over `[N, C, spatial…]` with groups, dilations, strides,
/// asymmetric pads and `auto_pad`. One and two spatial dimensions run on Lepton's
/// differentiable `conv2d`/`convTranspose2d` (a 1-D input is a 2-D one of height 1); other
/// spatial ranks use a direct host loop (``HostConvolution``).
extension ONNXOperators {
    static var convolution: [String: ONNXKernelBuilder] {
        ["Conv": conv, "ConvTranspose": convTranspose]
    }

    /// The attributes shared by convolutions and pooling.
    struct WindowAttributes {
        /// The largest stride, dilation, kernel size or pad accepted (keeps size arithmetic far from overflow).
        static let limit = 1 << 24
        var autoPad: String
        var kernelShape: [Int]?
        var strides: [Int]?
        var dilations: [Int]?
        var pads: [Int]?

        init(_ ctx: ONNXNodeContext, dilations readDilations: Bool = true) throws {
            autoPad = try ctx.choice("auto_pad", ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
            kernelShape = try ctx.ints("kernel_shape")
            strides = try ctx.ints("strides")
            dilations = readDilations ? try ctx.ints("dilations") : nil
            pads = try ctx.ints("pads")
            for (name, values) in [("strides", strides), ("dilations", dilations), ("kernel_shape", kernelShape)] {
                if let values, values.contains(where: { $0 < 1 || $0 > Self.limit }) {
                    throw ctx.error("attribute '\(name)' \(values) must hold positive values up to \(Self.limit)")
                }
            }
            if let pads, pads.contains(where: { $0 < 0 || $0 > Self.limit }) {
                throw ctx.error("attribute 'pads' \(pads) must hold values in 0...\(Self.limit)")
            }
        }

        /// Resolves strides, dilations and (begin, end) pads for `spatial` input sizes and `kernel` sizes.
        func resolve(spatial: [Int], kernel: [Int]) throws -> (strides: [Int], dilations: [Int], begin: [Int], end: [Int]) {
            let r = spatial.count
            let s = strides ?? Array(repeating: 1, count: r), d = dilations ?? Array(repeating: 1, count: r)
            guard s.count == r, d.count == r, kernel.count == r else {
                throw ONNXError("strides \(s), dilations \(d) and kernel \(kernel) must have one entry per spatial axis of \(spatial)")
            }
            if let kernelShape, kernelShape != kernel {
                throw ONNXError("kernel_shape \(kernelShape) differs from the weight's kernel \(kernel)")
            }
            var begin = Array(repeating: 0, count: r), end = begin
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                for i in 0..<r {
                    let out = (spatial[i] + s[i] - 1) / s[i]
                    let total = Swift.max((out - 1) * s[i] + (kernel[i] - 1) * d[i] + 1 - spatial[i], 0)
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                    end[i] = total - begin[i]
                }
            case "VALID": break
            default:
                if let pads {
                    guard pads.count == 2 * r else { throw ONNXError("pads \(pads) must hold 2 values per spatial axis (\(r))") }
                    begin = Array(pads[..<r]); end = Array(pads[r...])
                }
            }
            return (s, d, begin, end)
        }
    }

    static let conv: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let window = try WindowAttributes(ctx)
        let groups = try ctx.int("group", default: 1)
        guard groups >= 1 else { throw ctx.error("attribute 'group' must be ≥ 1, got \(groups)") }
        return ONNXKernel(type) { inputs in
            let (x, w) = (inputs[0]!, inputs[1]!)
            let bias = inputs.count > 2 ? inputs[2] : nil
            guard x.rank >= 3, w.rank == x.rank else {
                throw ONNXError("expected X [N, C, spatial…] and W [M, C/group, kernel…] of equal rank ≥ 3, got \(x.shape) and \(w.shape)")
            }
            let (c, m) = (x.shape[1], w.shape[0])
            guard c % groups == 0, m % groups == 0, w.shape[1] * groups == c else {
                throw ONNXError("X has \(c) channels and W \(w.shape) expects \(w.shape[1] * groups) with group \(groups) (channels must divide by the group)")
            }
            if let bias, bias.shape != [m] { throw ONNXError("bias has shape \(bias.shape), expected [\(m)]") }
            let spatial = Array(x.shape[2...]), kernel = Array(w.shape[2...])
            let (s, d, begin, end) = try window.resolve(spatial: spatial, kernel: kernel)
            let out = (0..<spatial.count).map { i -> Int in
                let span = (kernel[i] - 1) * d[i] + 1
                return (spatial[i] + begin[i] + end[i] - span) / s[i] + 1
            }
            guard out.allSatisfy({ $0 > 0 }) else { throw ONNXError("kernel \(kernel) with dilations \(d) does not fit input \(x.shape) with pads \(begin + end)") }
            _ = try ONNXLimits.count([x.shape[0], m] + out, what: "Conv output")
            if spatial.count <= 2 && x.count > 0 {
                let lift = spatial.count == 1
                let x4 = lift ? x.tensor.unsqueeze(2) : x.tensor, w4 = lift ? w.tensor.unsqueeze(2) : w.tensor
                let padding = lift ? [0, 0, begin[0], end[0]] : [begin[0], end[0], begin[1], end[1]]
                let y = x4.conv2d(w4, bias: bias?.tensor, stride: lift ? [1, s[0]] : s, padding: padding,
                                  dilation: lift ? [1, d[0]] : d, groups: groups)
                return x.with(lift ? y.squeeze(2) : y)
            }
            let y = HostConvolution.forward(x.floats, x.shape, w.floats, w.shape, strides: s, dilations: d, begin: begin,
                                            groups: groups, outSpatial: out)
            let result = Tensor(y, shape: [x.shape[0], m] + out)
            return x.with(bias.map { result + $0.tensor.reshape([1, m] + Array(repeating: 1, count: out.count)) } ?? result)
        }
    }

    static let convTranspose: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let window = try WindowAttributes(ctx)
        let groups = try ctx.int("group", default: 1)
        guard groups >= 1 else { throw ctx.error("attribute 'group' must be ≥ 1, got \(groups)") }
        let outputPadding = try ctx.ints("output_padding"), outputShape = try ctx.ints("output_shape")
        for (name, values) in [("output_padding", outputPadding), ("output_shape", outputShape)] {
            if let values, values.contains(where: { $0 < 0 || $0 > WindowAttributes.limit }) {
                throw ctx.error("attribute '\(name)' \(values) must hold values in 0...\(WindowAttributes.limit)")
            }
        }
        return ONNXKernel(type) { inputs in
            let (x, w) = (inputs[0]!, inputs[1]!)
            let bias = inputs.count > 2 ? inputs[2] : nil
            guard x.rank >= 3, w.rank == x.rank else {
                throw ONNXError("expected X [N, C, spatial…] and W [C, M/group, kernel…] of equal rank ≥ 3, got \(x.shape) and \(w.shape)")
            }
            let c = x.shape[1], m = w.shape[1] * groups
            guard c % groups == 0, w.shape[0] == c else {
                throw ONNXError("X has \(c) channels, W \(w.shape) expects \(w.shape[0]) (group \(groups) must divide them)")
            }
            if let bias, bias.shape != [m] { throw ONNXError("bias has shape \(bias.shape), expected [\(m)]") }
            let r = x.rank - 2
            let spatial = Array(x.shape[2...]), kernel = Array(w.shape[2...])
            let s = window.strides ?? Array(repeating: 1, count: r), d = window.dilations ?? Array(repeating: 1, count: r)
            let extra = outputPadding ?? Array(repeating: 0, count: r)
            guard s.count == r, d.count == r, extra.count == r, window.kernelShape.map({ $0 == kernel }) ?? true else {
                throw ONNXError("strides, dilations, output_padding and kernel_shape must have one entry per spatial axis and match W \(w.shape)")
            }
            let full = (0..<r).map { i -> Int in
                let span = (kernel[i] - 1) * d[i] + 1
                return s[i] * (spatial[i] - 1) + span
            }
            var begin = Array(repeating: 0, count: r), out = full
            if let pads = window.pads, window.autoPad == "NOTSET" || window.autoPad == "VALID" {
                guard pads.count == 2 * r else { throw ONNXError("pads \(pads) must hold 2 values per spatial axis") }
                begin = Array(pads[..<r])
                out = (0..<r).map { full[$0] + extra[$0] - pads[$0] - pads[$0 + r] }
                if let outputShape { out = Array(outputShape.suffix(r)) }
            } else if window.autoPad == "SAME_UPPER" || window.autoPad == "SAME_LOWER" {
                let target = outputShape.map { Array($0.suffix(r)) } ?? (0..<r).map { spatial[$0] * s[$0] }
                for i in 0..<r {
                    let total = full[i] + extra[i] - target[i]
                    begin[i] = window.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                }
                out = target
            } else {
                out = outputShape.map { Array($0.suffix(r)) } ?? (0..<r).map { full[$0] + extra[$0] }
            }
            guard out.count == r, out.allSatisfy({ $0 > 0 }) else { throw ONNXError("output size \(out) is not positive") }
            _ = try ONNXLimits.count([x.shape[0], m] + out + full, what: "ConvTranspose output")
            var y: Tensor
            if r <= 2 && x.count > 0 {
                let lift = r == 1
                let x4 = lift ? x.tensor.unsqueeze(2) : x.tensor, w4 = lift ? w.tensor.unsqueeze(2) : w.tensor
                let full4 = x4.convTranspose2d(w4, stride: lift ? [1, s[0]] : s, padding: [0, 0],
                                               dilation: lift ? [1, d[0]] : d, groups: groups)
                y = lift ? full4.squeeze(2) : full4
            } else {
                y = Tensor(HostConvolution.transposed(x.floats, x.shape, w.floats, w.shape, strides: s, dilations: d,
                                                      groups: groups, full: full), shape: [x.shape[0], m] + full)
            }
            // Output position o reads full position o + begin; outside the full result it is zero.
            for i in 0..<r {
                let axis = i + 2
                let lo = begin[i], hi = begin[i] + out[i]
                let start = Swift.min(Swift.max(lo, 0), full[i]), end = Swift.max(Swift.min(hi, full[i]), start)
                y = y.slice(axis: axis, start: start, end: end)
                let before = Swift.min(Swift.max(-lo, 0), out[i]), after = out[i] - before - (end - start)
                if before > 0 || after > 0 {
                    var widths = [(Int, Int)](repeating: (0, 0), count: axis + 1)
                    widths[axis] = (before, after)
                    y = y.pad(widths)
                }
            }
            if let bias { y = y + bias.tensor.reshape([1, m] + Array(repeating: 1, count: r)) }
            return x.with(y)
        }
    }
}

/// Direct N-dimensional convolutions on the host, for spatial ranks Lepton's 2-D kernels do
/// not cover.
enum HostConvolution {
    /// `[N, M, out…]` from `x` `[N, C, in…]` and `w` `[M, C/groups, k…]`; padding is implicit zeros.
    static func forward(_ x: [Float], _ xShape: [Int], _ w: [Float], _ wShape: [Int], strides: [Int], dilations: [Int],
                        begin: [Int], groups: Int, outSpatial: [Int]) -> [Float] {
        let (n, c, m) = (xShape[0], xShape[1], wShape[0])
        let inSpatial = Array(xShape[2...]), kernel = Array(wShape[2...])
        let (cg, mg) = (c / groups, m / groups)
        let (inPlane, outPlane, kernelSize) = (Shape.count(inSpatial), Shape.count(outSpatial), Shape.count(kernel))
        let kernelIndex = (0..<kernelSize).map { Index.unravel($0, kernel) }
        let inStrides = Shape.strides(inSpatial)
        var y = [Float](repeating: 0, count: n * m * outPlane)
        for o in 0..<outPlane {
            let position = Index.unravel(o, outSpatial)
            // Input offset of every kernel tap for this output position (-1 when in the padding).
            let taps = kernelIndex.map { k -> Int in
                var offset = 0
                for a in 0..<k.count {
                    let i = position[a] * strides[a] - begin[a] + k[a] * dilations[a]
                    if i < 0 || i >= inSpatial[a] { return -1 }
                    offset += i * inStrides[a]
                }
                return offset
            }
            for b in 0..<n {
                for oc in 0..<m {
                    let g = oc / mg
                    var sum: Float = 0
                    for ic in 0..<cg {
                        let xBase = (b * c + g * cg + ic) * inPlane, wBase = (oc * cg + ic) * kernelSize
                        for (t, offset) in taps.enumerated() where offset >= 0 { sum += x[xBase + offset] * w[wBase + t] }
                    }
                    y[(b * m + oc) * outPlane + o] = sum
                }
            }
        }
        return y
    }

    /// The full (unpadded) transposed convolution `[N, M, full…]` of `x` `[N, C, in…]` with
    /// `w` `[C, M/groups, k…]`.
    static func transposed(_ x: [Float], _ xShape: [Int], _ w: [Float], _ wShape: [Int], strides: [Int], dilations: [Int],
                           groups: Int, full: [Int]) -> [Float] {
        let (n, c) = (xShape[0], xShape[1])
        let mg = wShape[1], m = mg * groups, cg = c / groups
        let inSpatial = Array(xShape[2...]), kernel = Array(wShape[2...])
        let (inPlane, fullPlane, kernelSize) = (Shape.count(inSpatial), Shape.count(full), Shape.count(kernel))
        let fullStrides = Shape.strides(full)
        let kernelIndex = (0..<kernelSize).map { Index.unravel($0, kernel) }
        var y = [Float](repeating: 0, count: n * m * fullPlane)
        for p in 0..<inPlane {
            let position = Index.unravel(p, inSpatial)
            let targets = kernelIndex.map { k in (0..<k.count).reduce(0) { $0 + (position[$1] * strides[$1] + k[$1] * dilations[$1]) * fullStrides[$1] } }
            for b in 0..<n {
                for ic in 0..<c {
                    let v = x[(b * c + ic) * inPlane + p]
                    if v == 0 { continue }
                    let g = ic / cg
                    for om in 0..<mg {
                        let yBase = (b * m + g * mg + om) * fullPlane, wBase = (ic * mg + om) * kernelSize
                        for (t, target) in targets.enumerated() { y[yBase + target] += v * w[wBase + t] }
                    }
                }
            }
        }
        return y
    }
}
