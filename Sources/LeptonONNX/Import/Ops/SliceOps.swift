import LeptonTensor

/// Joining and cutting: `Concat`, `Split`, `Slice` (negative steps included) and `Pad`
/// (constant, reflect, edge and wrap modes; negative pads crop). Built from Lepton's
/// concatenate, slice, index-select and pad, so float values keep their gradient.
extension ONNXOperators {
    static var slicing: [String: ONNXKernelBuilder] {
        ["Concat": concat, "Split": split, "Slice": slice, "Pad": pad]
    }

    static let concat: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...Int.max)
        let type = try ctx.sameType(Array(0..<ctx.inputTypes.count))
        try ctx.type(0, in: ONNXElementType.allTypes)
        guard let axis = try ctx.int("axis") else { throw ctx.error("attribute 'axis' is required") }
        return ONNXKernel(type) { inputs in
            let values = inputs.compactMap { $0 }
            guard let first = values.first else { throw ONNXError("Concat needs at least one input, got none") }
            guard first.rank > 0 else { throw ONNXError("cannot concatenate scalars (rank 0)") }
            let a = try resolveAxis(axis, rank: first.rank)
            for v in values {
                var (s0, s1) = (first.shape, v.shape)
                guard s1.count == s0.count else { throw ONNXError("inputs of shapes \(first.shape) and \(v.shape) differ in rank") }
                s0[a] = 0; s1[a] = 0
                guard s0 == s1 else { throw ONNXError("input shapes \(first.shape) and \(v.shape) differ outside axis \(axis)") }
            }
            return first.with(Tensor.concatenate(values.map(\.tensor), axis: a))
        }
    }

    static let split: ONNXKernelBuilder = { ctx in
        let axis = try ctx.int("axis", default: 0)
        let outputs = ctx.outputCount
        var fixedSizes: [Int]?
        var parts = outputs
        if ctx.opset < 13 {
            try ctx.expect(inputs: 1...1, outputs: 1...Int.max)
            fixedSizes = try ctx.ints("split")
        } else {
            try ctx.expect(inputs: 1...2, outputs: 1...Int.max)
            if ctx.has(1) { try ctx.type(1, in: [.int64]) }
            if ctx.opset >= 18, let n = try ctx.int("num_outputs") {
                guard n == outputs else { throw ctx.error("attribute 'num_outputs' is \(n) but the node has \(outputs) outputs") }
                parts = n
            }
        }
        let unevenAllowed = ctx.opset >= 18
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(outputTypes: Array(repeating: type, count: outputs)) { inputs in
            let x = inputs[0]!
            let a = try resolveAxis(axis, rank: x.rank)
            let n = x.shape[a]
            var sizes: [Int]
            if let given = fixedSizes ?? (inputs.count > 1 ? inputs[1]?.ints : nil) {
                sizes = given
            } else if n % parts == 0 {
                sizes = Array(repeating: n / parts, count: parts)
            } else if unevenAllowed {
                let chunk = (n + parts - 1) / parts
                sizes = (0..<parts).map { Swift.max(0, Swift.min(chunk, n - $0 * chunk)) }
            } else {
                throw ONNXError("axis \(axis) of length \(n) does not split into \(parts) equal parts")
            }
            guard sizes.count == outputs, sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == n else {
                throw ONNXError("split sizes \(sizes) must be \(outputs) non-negative sizes adding up to \(n), the length of axis \(axis) of \(x.shape)")
            }
            return x.tensor.split(sizes: sizes, axis: a).map { x.with($0) }
        }
    }

    static let slice: ONNXKernelBuilder = { ctx in
        let type: ONNXElementType
        var attributes: (starts: [Int], ends: [Int], axes: [Int]?)?
        if ctx.opset < 10 {
            try ctx.expect(inputs: 1...1)
            guard let starts = try ctx.ints("starts"), let ends = try ctx.ints("ends") else {
                throw ctx.error("attributes 'starts' and 'ends' are required")
            }
            attributes = (starts, ends, try ctx.ints("axes"))
        } else {
            try ctx.expect(inputs: 3...5)
            let indexType = try ctx.type(1, in: [.int32, .int64])
            for i in 2...4 where ctx.has(i) { guard try ctx.type(i) == indexType else { throw ctx.error("input \(i) must be \(indexType) like 'starts'") } }
        }
        type = try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let starts = attributes?.starts ?? inputs[1]!.ints, ends = attributes?.ends ?? inputs[2]!.ints
            let givenAxes: [Int]? = attributes != nil ? attributes!.axes : (inputs.count > 3 ? inputs[3]?.ints : nil)
            let axes = givenAxes ?? Array(0..<starts.count)
            let steps = (inputs.count > 4 ? inputs[4]?.ints : nil) ?? Array(repeating: 1, count: starts.count)
            guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
                throw ONNXError("starts \(starts), ends \(ends), axes \(axes) and steps \(steps) must have equal lengths")
            }
            var specs = [SliceSpec](repeating: .all, count: x.rank)
            var reversed: [(axis: Int, indices: [Int])] = []
            var seen = Set<Int>()
            for k in starts.indices {
                let a = try resolveAxis(axes[k], rank: x.rank)
                guard seen.insert(a).inserted else { throw ONNXError("axes \(axes) repeat an axis") }
                let (n, step) = (x.shape[a], steps[k])
                guard step != 0 else { throw ONNXError("step 0 on axis \(axes[k]) (expected a nonzero step)") }
                var (s, e) = (starts[k], ends[k])
                if s < 0 { s += n }
                if e < 0 { e += n }
                if step > 0 {
                    specs[a] = SliceSpec(start: Swift.min(Swift.max(s, 0), n), end: Swift.min(Swift.max(e, 0), n), step: step)
                } else {
                    s = Swift.min(Swift.max(s, 0), n - 1)
                    e = Swift.min(Swift.max(e, -1), n - 1)
                    reversed.append((a, Array(stride(from: s, to: e, by: step))))
                }
            }
            var t = x.tensor.slice(specs)
            for (axis, indices) in reversed {
                t = indices.isEmpty ? t.slice(axis: axis, start: 0, end: 0) : t.indexSelect(axis: axis, Tensor(indices: indices))
            }
            return x.with(t)
        }
    }

    static let pad: ONNXKernelBuilder = { ctx in
        let mode = try ctx.choice("mode", ctx.opset >= 19 ? ["constant", "reflect", "edge", "wrap"] : ["constant", "reflect", "edge"])
        var attributePads: [Int]?
        var attributeValue: Float = 0
        if ctx.opset < 11 {
            try ctx.expect(inputs: 1...1)
            attributePads = try ctx.ints(ctx.opset < 2 ? "paddings" : "pads")
            guard attributePads != nil else { throw ctx.error("attribute 'pads' is required") }
            attributeValue = try ctx.float("value", default: 0)
        } else {
            try ctx.expect(inputs: 2...(ctx.opset >= 18 ? 4 : 3))
            try ctx.type(1, in: [.int64])
            if ctx.has(3) { try ctx.type(3, in: [.int32, .int64]) }
        }
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        if ctx.has(2) { guard try ctx.type(2) == type else { throw ctx.error("constant_value must have the input's type \(type)") } }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let pads = attributePads ?? inputs[1]!.ints
            let value = attributePads == nil ? (inputs.count > 2 ? inputs[2]?.floats.first ?? 0 : 0) : attributeValue
            let axes = try (inputs.count > 3 ? inputs[3]?.ints : nil).map { try $0.map { try resolveAxis($0, rank: x.rank) } }
                ?? Array(0..<x.rank)
            guard pads.count == 2 * axes.count else {
                throw ONNXError("pads \(pads) must hold 2 values per padded axis (\(axes.count) axes of shape \(x.shape))")
            }
            var widths = [(Int, Int)](repeating: (0, 0), count: x.rank)
            for (k, a) in axes.enumerated() { widths[a] = (pads[k], pads[k + axes.count]) }
            _ = try ONNXLimits.count(zip(x.shape, widths).map { $0 + $1.0 + $1.1 }, what: "Pad output")
            // Negative pads crop first.
            var t = x.tensor.slice(zip(x.shape, widths).map { n, w in
                SliceSpec(start: Swift.max(-w.0, 0), end: n - Swift.max(-w.1, 0))
            })
            guard t.shape.allSatisfy({ $0 >= 0 }), zip(x.shape, widths).allSatisfy({ $0 + Swift.min($1.0, 0) + Swift.min($1.1, 0) >= 0 }) else {
                throw ONNXError("pads \(pads) crop more than the shape \(x.shape) holds")
            }
            let grow = widths.map { (Swift.max($0.0, 0), Swift.max($0.1, 0)) }
            if mode == "constant" { return x.with(t.pad(grow, value: value)) }
            for axis in 0..<t.rank where grow[axis] != (0, 0) {
                let n = t.shape[axis]
                let (before, after) = grow[axis]
                guard n > 0 else { throw ONNXError("\(mode) padding of an empty axis \(axis) is not possible") }
                if mode == "reflect" && n == 1 && before + after > 0 {
                    throw ONNXError("reflect padding needs at least 2 elements along axis \(axis)")
                }
                let indices = (-before..<(n + after)).map { i -> Int in
                    switch mode {
                    case "edge": return Swift.min(Swift.max(i, 0), n - 1)
                    case "wrap": return ((i % n) + n) % n
                    default:
                        let period = 2 * (n - 1)
                        var j = ((i % period) + period) % period
                        if j >= n { j = period - j }
                        return j
                    }
                }
                t = t.indexSelect(axis: axis, Tensor(indices: indices))
            }
            return x.with(t)
        }
    }
}
