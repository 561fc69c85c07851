import LeptonTensor

/// Ops that make values: `Constant`, `ConstantOfShape`, `Range`, `EyeLike`, `OneHot`.
extension ONNXOperators {
    static var generators: [String: ONNXKernelBuilder] {
        ["Constant": constant, "ConstantOfShape": constantOfShape, "Range": range, "EyeLike": eyeLike, "OneHot": oneHot]
    }

    static let constant: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 0...0)
        var found: [ONNXValue] = []
        if let t = try ctx.tensor("value") { found.append(t) }
        if let f = try ctx.float("value_float") { found.append(.floats([f], shape: [])) }
        if let fs = try ctx.floats("value_floats") { found.append(.floats(fs, shape: [fs.count])) }
        if let i = try ctx.int("value_int") { found.append(.ints([i], shape: [])) }
        if let is_ = try ctx.ints("value_ints") { found.append(.ints(is_, shape: [is_.count])) }
        if ctx.hasAttribute("value_string") || ctx.hasAttribute("value_strings") {
            throw ctx.error("string constants are not supported (Lepton holds numbers and booleans)")
        }
        if ctx.hasAttribute("sparse_value") { throw ctx.error("sparse constants are not supported") }
        guard found.count == 1, let value = found.first else {
            throw ctx.error("expected exactly one of the attributes value, value_float(s), value_int(s); got \(found.count)")
        }
        return ONNXKernel(value.elementType) { _ in value }
    }

    static let constantOfShape: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: [.int64])
        let value = try ctx.tensor("value") ?? .floats([0], shape: [1])
        guard value.count == 1 else { throw ctx.error("attribute 'value' must hold one element, got shape \(value.shape)") }
        return ONNXKernel(value.elementType) { inputs in
            let shape = inputs[0]!.ints
            guard inputs[0]!.rank == 1 else { throw ONNXError("shape input must be 1-D, got \(inputs[0]!.shape)") }
            _ = try ONNXLimits.count(shape, what: "ConstantOfShape")
            return value.with(value.tensor.reshape([]).expand(to: shape).detach().copy())
        }
    }

    static let range: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: [.float, .double, .float16, .bfloat16, .int16, .int32, .int64])
        return ONNXKernel(type) { inputs in
            let (start, limit, delta) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard start.count == 1, limit.count == 1, delta.count == 1 else { throw ONNXError("start, limit and delta must be scalars") }
            let (s, l, d) = (start.doubles[0], limit.doubles[0], delta.doubles[0])
            guard d != 0, d.isFinite, s.isFinite, l.isFinite else { throw ONNXError("delta must be a finite nonzero number and start/limit finite") }
            let steps = ((l - s) / d).rounded(.up)
            guard steps <= Double(ONNXLimits.maximumElementCount) else {
                throw ONNXError("Range of \(steps) elements exceeds \(ONNXLimits.maximumElementCount) (Lepton's limit for one value)")
            }
            let n = Swift.max(Int(steps), 0)
            if type.isFloatingPoint {
                let (fs, fd) = (Float(s), Float(d))
                return .floats((0..<n).map { fs + Float($0) * fd }, shape: [n], type: type)
            }
            return .fromDoubles((0..<n).map { s + Double($0) * d }, shape: [n], type: type)
        }
    }

    static let eyeLike: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let input = try ctx.type(0, in: ONNXElementType.allTypes)
        let type = try ctx.int("dtype").map { try ONNXElementType.from(Int32(clamping: $0), context: ctx.label) } ?? input
        guard ONNXElementType.allTypes.contains(type) else { throw ctx.error("dtype \(type) is not supported") }
        let k = try ctx.int("k", default: 0)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank == 2 else { throw ONNXError("input must be 2-D, got \(x.shape)") }
            let (rows, cols) = (x.shape[0], x.shape[1])
            var values = [Double](repeating: 0, count: rows * cols)
            for i in 0..<rows where i + k >= 0 && i + k < cols { values[i * cols + i + k] = 1 }
            return .fromDoubles(values, shape: x.shape, type: type)
        }
    }

    static let oneHot: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        try ctx.type(0, in: ONNXElementType.numericTypes)
        try ctx.type(1, in: ONNXElementType.numericTypes)
        let type = try ctx.type(2, in: ONNXElementType.allTypes)
        let axis = try ctx.int("axis", default: -1)
        return ONNXKernel(type) { inputs in
            let (indices, depthValue, values) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard depthValue.count == 1, values.count == 2 else { throw ONNXError("depth must be a scalar and values hold [off, on]") }
            let depthDouble = depthValue.doubles[0]
            guard depthDouble >= 1, depthDouble <= Double(ONNXLimits.maximumElementCount) else {
                throw ONNXError("depth \(depthDouble) must be a positive count up to \(ONNXLimits.maximumElementCount)")
            }
            let depth = Int(depthDouble)
            let a = try resolveAxis(axis, rank: indices.rank + 1)
            let outShape = Array(indices.shape[..<a]) + [depth] + Array(indices.shape[a...])
            _ = try ONNXLimits.count(outShape, what: "OneHot")
            let (off, on) = (values.doubles[0], values.doubles[1])
            var out = [Double](repeating: off, count: Shape.count(outShape))
            let inner = Shape.count(Array(indices.shape[a...]))
            for (i, v) in indices.doubles.enumerated() {
                guard v.isFinite, Swift.abs(v) < 1e15 else { continue }
                var k = Int(v.rounded(.towardZero))
                if k < 0 { k += depth }
                guard k >= 0 && k < depth else { continue }
                let (outer, rest) = (i / Swift.max(inner, 1), i % Swift.max(inner, 1))
                out[(outer * depth + k) * inner + rest] = on
            }
            return .fromDoubles(out, shape: outShape, type: type)
        }
    }
}
