import LeptonTensor

/// Ops that scan or order along an axis: `CumSum`, `CumProd`, `TopK`, and the triangle mask
/// `Trilu`. Computed on the host.
extension ONNXOperators {
    static var cumulative: [String: ONNXKernelBuilder] {
        ["CumSum": scan(product: false), "CumProd": scan(product: true), "TopK": topK, "Trilu": trilu]
    }

    static func scan(product: Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...2)
            let type = try ctx.type(0, in: ONNXElementType.numericTypes)
            try ctx.type(1, in: [.int32, .int64])
            let exclusive = try ctx.int("exclusive", default: 0, in: 0...1) == 1
            let reverse = try ctx.int("reverse", default: 0, in: 0...1) == 1
            return ONNXKernel(type) { inputs in
                let x = inputs[0]!
                guard inputs[1]!.count == 1 else { throw ONNXError("axis must be a scalar, got shape \(inputs[1]!.shape)") }
                let a = try resolveAxis(inputs[1]!.ints[0], rank: x.rank)
                let (n, inner) = (x.shape[a], Shape.count(Array(x.shape[(a + 1)...])))
                let outer = Shape.count(Array(x.shape[..<a]))
                let values = x.doubles
                var out = values
                for o in 0..<outer {
                    for i in 0..<inner {
                        var running: Double = product ? 1 : 0
                        for step in 0..<n {
                            let k = reverse ? n - 1 - step : step
                            let at = (o * n + k) * inner + i
                            if exclusive { out[at] = running }
                            running = product ? running * values[at] : running + values[at]
                            if !exclusive { out[at] = running }
                        }
                    }
                }
                return .fromDoubles(out, shape: x.shape, type: type)
            }
        }
    }

    static let topK: ONNXKernelBuilder = { ctx in
        let type: ONNXElementType
        var attributeK: Int?
        if ctx.opset < 10 {
            try ctx.expect(inputs: 1...1, outputs: 2...2)
            attributeK = try ctx.int("k")
        } else {
            try ctx.expect(inputs: 2...2, outputs: 2...2)
            try ctx.type(1, in: [.int64])
        }
        type = try ctx.type(0, in: ONNXElementType.numericTypes)
        let axis = try ctx.int("axis", default: -1)
        let largest = ctx.opset >= 11 ? try ctx.int("largest", default: 1, in: 0...1) == 1 : true
        if ctx.opset >= 11 { guard try ctx.int("sorted", default: 1, in: 0...1) == 1 else { throw ctx.error("unsorted TopK (sorted 0) is not supported") } }
        return ONNXKernel(outputTypes: [type, .int64]) { inputs in
            let x = inputs[0]!
            guard let k = attributeK ?? inputs[1]?.ints.first, (attributeK != nil || inputs[1]!.count == 1) else { throw ONNXError("K must be a single value") }
            let a = try resolveAxis(axis, rank: x.rank)
            let (n, inner, outer) = (x.shape[a], Shape.count(Array(x.shape[(a + 1)...])), Shape.count(Array(x.shape[..<a])))
            guard k >= 0 && k <= n else { throw ONNXError("K \(k) is outside 0...\(n), the length of axis \(axis)") }
            let values = x.doubles
            var outValues = [Double](), outIndices = [Int]()
            var shape = x.shape
            shape[a] = k
            outValues.reserveCapacity(outer * k * inner)
            var picked = [[Int]](repeating: [], count: outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    let order = (0..<n).sorted { p, q in
                        let (u, v) = (values[(o * n + p) * inner + i], values[(o * n + q) * inner + i])
                        return u == v ? p < q : (largest ? u > v : u < v)
                    }
                    picked[o * inner + i] = Array(order.prefix(k))
                }
            }
            for o in 0..<outer {
                for j in 0..<k {
                    for i in 0..<inner {
                        let p = picked[o * inner + i][j]
                        outValues.append(values[(o * n + p) * inner + i])
                        outIndices.append(p)
                    }
                }
            }
            return [.fromDoubles(outValues, shape: shape, type: type), .ints(outIndices, shape: shape)]
        }
    }

    static let trilu: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        if ctx.has(1) { try ctx.type(1, in: [.int64]) }
        let upper = try ctx.int("upper", default: 1, in: 0...1) == 1
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank >= 2 else { throw ONNXError("input must have rank ≥ 2, got \(x.shape)") }
            let k = inputs.count > 1 ? inputs[1]?.ints.first ?? 0 : 0
            let (rows, cols) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
            let mask = (0..<(rows * cols)).map { p -> Float in
                let (i, j) = (p / Swift.max(cols, 1), p % Swift.max(cols, 1))
                return (upper ? j - i >= k : j - i <= k) ? 1 : 0
            }
            let m = Tensor(mask, shape: [rows, cols])
            if x.isFloating {
                // Where rather than a product, so that infinities outside the triangle become zeros.
                return x.with(Tensor.where(m, x.tensor, Tensor(0)))
            }
            let values = x.doubles
            return .fromDoubles(values.indices.map { mask[$0 % Swift.max(rows * cols, 1)] == 1 ? values[$0] : 0 }, shape: x.shape, type: type)
        }
    }
}
