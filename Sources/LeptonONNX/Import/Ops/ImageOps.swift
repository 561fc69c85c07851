import LeptonTensor

/// Spatial rearrangements: `AffineGrid` (sampling grids for `GridSample`), `CenterCropPad`,
/// `Col2Im` (N-d, the inverse of im2col) and `MaxUnpool`. Computed on the host, except
/// `CenterCropPad` (Lepton's slice and pad, differentiable).
extension ONNXOperators {
    static var image: [String: ONNXKernelBuilder] {
        ["AffineGrid": affineGrid, "CenterCropPad": centerCropPad, "Col2Im": col2im, "MaxUnpool": maxUnpool]
    }

    static let affineGrid: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: [.int64])
        let alignCorners = try ctx.int("align_corners", default: 0, in: 0...1) == 1
        return ONNXKernel(type) { inputs in
            let (theta, size) = (inputs[0]!, inputs[1]!.ints)
            let d = size.count - 2
            guard d == 2 || d == 3, theta.shape == [size[0], d, d + 1], size.allSatisfy({ $0 > 0 }) else {
                throw ONNXError("theta \(theta.shape) and size \(size) must be [N, 2, 3] with [N, C, H, W] or [N, 3, 4] with [N, C, D, H, W]")
            }
            let spatial = Array(size[2...])
            _ = try ONNXLimits.count([size[0]] + spatial + [d], what: "AffineGrid output")
            // Base coordinates per axis, in x, y(, z) order = reversed spatial order.
            let axes = spatial.map { s -> [Float] in
                (0..<s).map { i in
                    alignCorners ? (s == 1 ? -1 : -1 + Float(i) * 2 / Float(s - 1)) : -1 + (2 * Float(i) + 1) / Float(s)
                }
            }
            let t = theta.floats
            let plane = Shape.count(spatial)
            var out = [Float](repeating: 0, count: size[0] * plane * d)
            for n in 0..<size[0] {
                for p in 0..<plane {
                    let index = Index.unravel(p, spatial)
                    let homogeneous = (0..<d).map { axes[d - 1 - $0][index[d - 1 - $0]] } + [1]
                    for r in 0..<d {
                        var v: Float = 0
                        for c in 0...d { v += t[(n * d + r) * (d + 1) + c] * homogeneous[c] }
                        out[(n * plane + p) * d + r] = v
                    }
                }
            }
            return .floats(out, shape: [size[0]] + spatial + [d], type: type)
        }
    }

    static let centerCropPad: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int32, .int64])
        let givenAxes = try ctx.ints("axes")
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!, target = inputs[1]!.ints
            let axes = try (givenAxes ?? Array(0..<x.rank)).map { try resolveAxis($0, rank: x.rank) }
            guard target.count == axes.count, target.allSatisfy({ $0 >= 0 }) else {
                throw ONNXError("shape \(target) must give one non-negative size per axis \(axes)")
            }
            _ = try ONNXLimits.count(x.shape.indices.map { i in axes.firstIndex(of: i).map { target[$0] } ?? x.shape[i] }, what: "CenterCropPad output")
            var specs = [SliceSpec](repeating: .all, count: x.rank)
            var widths = [(Int, Int)](repeating: (0, 0), count: x.rank)
            for (a, size) in zip(axes, target) {
                let n = x.shape[a]
                if size < n {
                    let start = (n - size) / 2
                    specs[a] = SliceSpec(start: start, end: start + size)
                } else if size > n {
                    widths[a] = ((size - n) / 2, size - n - (size - n) / 2)
                }
            }
            return x.with(x.tensor.slice(specs).pad(widths))
        }
    }

    static let col2im: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.type(0, in: ONNXElementType.numericTypes)
        try ctx.type(1, in: [.int64])
        try ctx.type(2, in: [.int64])
        let dilations = try ctx.ints("dilations"), pads = try ctx.ints("pads"), strides = try ctx.ints("strides")
        return ONNXKernel(type) { inputs in
            let (x, image, block) = (inputs[0]!, inputs[1]!.ints, inputs[2]!.ints)
            let r = image.count
            let d = dilations ?? Array(repeating: 1, count: r), s = strides ?? Array(repeating: 1, count: r)
            let p = pads ?? Array(repeating: 0, count: 2 * r)
            guard r >= 1, block.count == r, d.count == r, s.count == r, p.count == 2 * r, x.rank == 3,
                  (image + block + d + s).allSatisfy({ $0 > 0 && $0 <= WindowAttributes.limit }),
                  p.allSatisfy({ $0 >= 0 && $0 <= WindowAttributes.limit }) else {
                throw ONNXError("image_shape \(image), block_shape \(block), dilations, strides and pads must be positive and agree in length")
            }
            let kernelSize = Shape.count(block)
            guard x.shape[1] % kernelSize == 0 else { throw ONNXError("input \(x.shape) channels are not a multiple of the block size \(kernelSize)") }
            let blocks = (0..<r).map { i -> Int in
                let span = d[i] * (block[i] - 1) + 1
                return (image[i] + p[i] + p[i + r] - span) / s[i] + 1
            }
            guard blocks.allSatisfy({ $0 > 0 }), Shape.count(blocks) == x.shape[2] else {
                throw ONNXError("input has \(x.shape[2]) blocks, image_shape \(image) gives \(blocks)")
            }
            let (n, c) = (x.shape[0], x.shape[1] / kernelSize)
            let plane = Shape.count(image)
            _ = try ONNXLimits.count([n, c] + image, what: "Col2Im output")
            let values = x.doubles, imageStrides = Shape.strides(image)
            var out = [Double](repeating: 0, count: n * c * plane)
            for b in 0..<n {
                for ch in 0..<c {
                    for k in 0..<kernelSize {
                        let offset = Index.unravel(k, block)
                        for l in 0..<x.shape[2] {
                            let position = Index.unravel(l, blocks)
                            var target = 0, inside = true
                            for i in 0..<r {
                                let v = position[i] * s[i] - p[i] + offset[i] * d[i]
                                if v < 0 || v >= image[i] { inside = false; break }
                                target += v * imageStrides[i]
                            }
                            if inside { out[(b * c + ch) * plane + target] += values[(b * x.shape[1] + ch * kernelSize + k) * x.shape[2] + l] }
                        }
                    }
                }
            }
            return .fromDoubles(out, shape: [n, c] + image, type: type)
        }
    }

    static let maxUnpool: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: [.int64])
        if ctx.has(2) { try ctx.type(2, in: [.int64]) }
        let window = try WindowAttributes(ctx, dilations: false)
        guard let kernel = window.kernelShape else { throw ctx.error("attribute 'kernel_shape' is required") }
        return ONNXKernel(type) { inputs in
            let (x, indices) = (inputs[0]!, inputs[1]!)
            let r = kernel.count
            guard x.rank == r + 2, indices.shape == x.shape else {
                throw ONNXError("X \(x.shape) must be [N, C] plus \(r) spatial axes, with indices of the same shape (got \(indices.shape))")
            }
            let s = window.strides ?? Array(repeating: 1, count: r), p = window.pads ?? Array(repeating: 0, count: 2 * r)
            guard s.count == r, p.count == 2 * r else { throw ONNXError("strides and pads must have one entry (two for pads) per spatial axis") }
            let inferred = Array(x.shape[..<2]) + (0..<r).map { (x.shape[$0 + 2] - 1) * s[$0] - (p[$0] + p[$0 + r]) + kernel[$0] }
            let shape = (inputs.count > 2 ? inputs[2]?.ints : nil) ?? inferred
            guard shape.count == x.rank, zip(shape, inferred).allSatisfy({ $0 >= $1 }) else {
                throw ONNXError("output_shape \(shape) must have rank \(x.rank) and be at least \(inferred)")
            }
            let total = try ONNXLimits.count(inferred, what: "MaxUnpool output")
            _ = try ONNXLimits.count(shape, what: "MaxUnpool output")
            var unpooled = [Double](repeating: 0, count: total)
            for (value, index) in zip(x.doubles, indices.ints) {
                guard index >= 0 && index < total else { throw ONNXError("index \(index) is outside the \(total) output elements") }
                unpooled[index] = value
            }
            let padded = Tensor(unpooled.map { Float($0) }, shape: inferred).pad(zip(shape, inferred).map { (0, $0 - $1) })
            return x.with(padded)
        }
    }
}
