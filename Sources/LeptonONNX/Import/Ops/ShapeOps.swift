import LeptonTensor

/// Ops that change a value's shape, layout or element type without arithmetic: `Reshape`,
/// `Flatten`, `Transpose`, `Squeeze`, `Unsqueeze`, `Expand`, `Tile`, `DepthToSpace`,
/// `SpaceToDepth`, `Shape`, `Size`, `Identity`, `Dropout` (inference), `Cast`, `CastLike`.
/// Float values keep their gradient (Lepton's reshape, permute and expand are differentiable).
extension ONNXOperators {
    static var shapeOps: [String: ONNXKernelBuilder] {
        [
            "Reshape": reshape, "Flatten": flatten, "Transpose": transpose, "Squeeze": squeeze,
            "Unsqueeze": unsqueeze, "Expand": expand, "Tile": tile, "DepthToSpace": depthToSpace,
            "SpaceToDepth": spaceToDepth, "Shape": shape, "Size": size, "Identity": identity,
            "Dropout": dropout, "Cast": cast, "CastLike": castLike,
        ]
    }

    static let reshape: ONNXKernelBuilder = { ctx in
        guard ctx.opset >= 5 else { throw ctx.error("Reshape before opset 5 (shape as an attribute) is not supported") }
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        let allowZero = try ctx.int("allowzero", default: 0, in: 0...1) == 1
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!, requested = inputs[1]!
            guard requested.rank == 1 else { throw ONNXError("shape input has shape \(requested.shape), expected 1-D") }
            var target = requested.ints
            for (i, d) in target.enumerated() where d == 0 && !allowZero {
                guard i < x.rank else { throw ONNXError("shape \(requested.ints) copies dimension \(i) (0), but the input \(x.shape) has rank \(x.rank)") }
                target[i] = x.shape[i]
            }
            let unknown = target.indices.filter { target[$0] == -1 }
            guard unknown.count <= 1, target.allSatisfy({ $0 >= -1 }) else {
                throw ONNXError("shape \(requested.ints) is not valid (at most one -1, other dimensions ≥ 0)")
            }
            // A reshape allocates nothing: only the element counts must agree (checked without overflow).
            var known = target.contains(0) ? 0 : 1
            for d in target where d > 0 && known > 0 {
                let (p, overflow) = known.multipliedReportingOverflow(by: d)
                guard !overflow, p <= x.count else { throw ONNXError("cannot reshape \(x.shape) (\(x.count) elements) to \(requested.ints)") }
                known = p
            }
            if let u = unknown.first {
                guard known > 0, x.count % known == 0 else {
                    throw ONNXError("cannot reshape \(x.shape) (\(x.count) elements) to \(requested.ints)")
                }
                target[u] = x.count / known
            }
            guard known == x.count || !unknown.isEmpty else {
                throw ONNXError("cannot reshape \(x.shape) (\(x.count) elements) to \(requested.ints) (\(known) elements)")
            }
            return x.with(x.tensor.reshape(target))
        }
    }

    static let flatten: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        let axis = try ctx.int("axis", default: 1)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let a = try resolveAxis(axis, rank: x.rank, allowRankZero: true)
            return x.with(x.tensor.reshape([Shape.count(Array(x.shape[..<a])), Shape.count(Array(x.shape[a...]))]))
        }
    }

    static let transpose: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        let perm = try ctx.ints("perm")
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let axes = perm ?? Array((0..<x.rank).reversed())
            guard axes.sorted() == Array(0..<x.rank) else {
                throw ONNXError("perm \(axes) is not a permutation of the \(x.rank) axes of shape \(x.shape)")
            }
            return x.with(x.tensor.permute(axes))
        }
    }

    /// Axes from an attribute (before `inputOpset`) or from optional input 1.
    static func axesSource(_ ctx: ONNXNodeContext, inputOpset: Int, required: Bool) throws -> ([ONNXValue?]) throws -> [Int]? {
        if ctx.opset < inputOpset {
            try ctx.expect(inputs: 1...1)
            let axes = try ctx.ints("axes")
            if required && axes == nil { throw ctx.error("attribute 'axes' is required") }
            return { _ in axes }
        }
        try ctx.expect(inputs: (required ? 2 : 1)...2)
        if ctx.has(1) { try ctx.type(1, in: [.int64]) }
        return { inputs in
            guard inputs.count > 1, let v = inputs[1] else { return nil }
            guard v.rank <= 1 else { throw ONNXError("axes input has shape \(v.shape), expected 1-D") }
            return v.ints
        }
    }

    static let squeeze: ONNXKernelBuilder = { ctx in
        let axesOf = try axesSource(ctx, inputOpset: 13, required: false)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            var drop = Set<Int>()
            if let axes = try axesOf(inputs) {
                for a in axes {
                    let r = try resolveAxis(a, rank: x.rank)
                    guard x.shape[r] == 1 else { throw ONNXError("axis \(a) of shape \(x.shape) has size \(x.shape[r]), expected 1") }
                    guard drop.insert(r).inserted else { throw ONNXError("axes \(axes) repeat an axis") }
                }
            } else {
                drop = Set(x.shape.indices.filter { x.shape[$0] == 1 })
            }
            return x.with(x.tensor.reshape(x.shape.indices.filter { !drop.contains($0) }.map { x.shape[$0] }))
        }
    }

    static let unsqueeze: ONNXKernelBuilder = { ctx in
        let axesOf = try axesSource(ctx, inputOpset: 13, required: true)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let axes = try axesOf(inputs) ?? []
            let rank = x.rank + axes.count
            let resolved = try axes.map { try resolveAxis($0, rank: rank) }
            guard Set(resolved).count == resolved.count else { throw ONNXError("axes \(axes) repeat an axis") }
            var shape: [Int] = []
            var next = 0
            for i in 0..<rank {
                if resolved.contains(i) { shape.append(1) } else { shape.append(x.shape[next]); next += 1 }
            }
            return x.with(x.tensor.reshape(shape))
        }
    }

    static let expand: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!, requested = inputs[1]!
            guard requested.rank == 1 else { throw ONNXError("shape input has shape \(requested.shape), expected 1-D") }
            let target = try broadcastShape([x.shape, requested.ints])
            _ = try ONNXLimits.count(target, what: "Expand")
            return x.with(x.tensor.expand(to: target))
        }
    }

    static let tile: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!, repeats = inputs[1]!.ints
            guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
                throw ONNXError("repeats \(repeats) must have one non-negative count per axis of shape \(x.shape)")
            }
            let outShape = zip(repeats, x.shape).map { $0 * $1 }
            _ = try ONNXLimits.count(outShape, what: "Tile")
            // [d0, d1] → [1, d0, 1, d1] → expand to [r0, d0, r1, d1] → [r0·d0, r1·d1].
            let interleaved = x.shape.flatMap { [1, $0] }
            let expanded = zip(repeats, x.shape).flatMap { [$0, $1] }
            return x.with(x.tensor.reshape(interleaved).expand(to: expanded).reshape(outShape))
        }
    }

    static let depthToSpace: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        let block = try ctx.int("blocksize") ?? 0
        guard block > 0 else { throw ctx.error("attribute 'blocksize' must be a positive integer") }
        let crd = try ctx.choice("mode", ["DCR", "CRD"]) == "CRD"
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank == 4, x.shape[1] % (block * block) == 0 else {
                throw ONNXError("input shape \(x.shape) must be [N, C, H, W] with C divisible by blocksize² = \(block * block)")
            }
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let t = crd ? x.tensor.reshape([n, c / (block * block), block, block, h, w]).permute([0, 1, 4, 2, 5, 3])
                        : x.tensor.reshape([n, block, block, c / (block * block), h, w]).permute([0, 3, 4, 1, 5, 2])
            return x.with(t.reshape([n, c / (block * block), h * block, w * block]))
        }
    }

    static let spaceToDepth: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        let block = try ctx.int("blocksize") ?? 0
        guard block > 0 else { throw ctx.error("attribute 'blocksize' must be a positive integer") }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank == 4, x.shape[2] % block == 0, x.shape[3] % block == 0 else {
                throw ONNXError("input shape \(x.shape) must be [N, C, H, W] with H and W divisible by blocksize \(block)")
            }
            let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let t = x.tensor.reshape([n, c, h / block, block, w / block, block]).permute([0, 3, 5, 1, 2, 4])
            return x.with(t.reshape([n, c * block * block, h / block, w / block]))
        }
    }

    static let shape: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: ONNXElementType.allTypes)
        let start = try ctx.int("start", default: 0), end = try ctx.int("end")
        return ONNXKernel(.int64) { inputs in
            let dims = inputs[0]!.shape, r = dims.count
            func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + r : v, 0), r) }
            let (s, e) = (clamp(start), clamp(end ?? r))
            let kept = s < e ? Array(dims[s..<e]) : []
            return .ints(kept, shape: [kept.count])
        }
    }

    static let size: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(.int64) { .ints([$0[0]!.count], shape: []) }
    }

    static let identity: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        return ONNXKernel(try ctx.type(0, in: ONNXElementType.allTypes)) { $0[0]! }
    }

    /// Dropout at inference: the identity, and an all-true mask. Training mode is refused.
    static let dropout: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...3, outputs: 1...2)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        if ctx.opset < 7 {
            if try ctx.int("is_test", default: 0) == 0 && ctx.outputUsed(1) {
                throw ctx.error("training-mode Dropout (is_test 0) is not supported; Lepton runs imported graphs for inference")
            }
        }
        if ctx.opset < 12 { _ = try ctx.float("ratio") } else { _ = try ctx.int("seed") }
        if ctx.has(2) {
            // Only inference is supported: training_mode must be a constant false (or the ratio a constant 0).
            try ctx.type(2, in: [.bool])
            let ratioIsZero = ctx.has(1) && ctx.constant(1).map { $0.floats.first == 0 } == true
            guard ctx.constant(2).map({ $0.ints.first == 0 }) == true || ratioIsZero else {
                throw ctx.error("training_mode is not a constant false: training-mode Dropout is not supported "
                                + "(Lepton runs imported graphs for inference)")
            }
        }
        return ONNXKernel(outputTypes: [type, .bool]) { inputs in
            let x = inputs[0]!
            return [x, .bools(Array(repeating: true, count: x.count), shape: x.shape)]
        }
    }

    static let cast: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: ONNXElementType.allTypes)
        guard let raw = try ctx.int("to") else { throw ctx.error("attribute 'to' is required") }
        let target = try ONNXElementType.from(Int32(clamping: raw), context: ctx.label)
        guard ONNXElementType.allTypes.contains(target) else { throw ctx.error("casting to \(target) is not supported") }
        let (saturate, roundMode) = try castSettings(ctx)
        return ONNXKernel(target) { inputs in convert(inputs[0]!, to: target, saturate: saturate, roundMode: roundMode) }
    }

    static let castLike: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        try ctx.type(0, in: ONNXElementType.allTypes)
        let target = try ctx.type(1, in: ONNXElementType.allTypes)
        let (saturate, roundMode) = try castSettings(ctx)
        return ONNXKernel(target) { inputs in convert(inputs[0]!, to: target, saturate: saturate, roundMode: roundMode) }
    }

    /// `saturate` (opset 19, for the 8-bit floats) and `round_mode` (opset 24, for FLOAT8E8M0).
    static func castSettings(_ ctx: ONNXNodeContext) throws -> (Bool, String) {
        let saturate = try ctx.int("saturate", default: 1, in: 0...1) == 1
        let roundMode = try ctx.choice("round_mode", ["up", "down", "nearest"])
        return (saturate, roundMode)
    }

    /// ONNX `Cast` semantics: floats truncate toward zero into integers, integers wrap into
    /// narrower ones, anything nonzero is true.
    static func convert(_ x: ONNXValue, to target: ONNXElementType, saturate: Bool = true, roundMode: String = "up") -> ONNXValue {
        if x.elementType == target { return x }
        if target.isMiniFloat {
            let source = x.floats
            return .floats(source.map { MiniFloat.round($0, to: target, saturate: saturate, roundMode: roundMode) }, shape: x.shape, type: target)
        }
        if target.isFloatingPoint {
            return ONNXValue(x.isFloating ? x.tensor : x.tensor.cast(to: .float32), elementType: target)
        }
        return ONNXValue.converting(x.tensor, to: target)
    }
}
