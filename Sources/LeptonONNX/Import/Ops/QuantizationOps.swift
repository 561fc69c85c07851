import Foundation
import LeptonTensor

/// Quantisation: `QuantizeLinear` and `DequantizeLinear` (per-tensor, per-axis and blocked
/// scales; 8-, 16-, 4- and 2-bit integers and the 8- and 4-bit floats), `DynamicQuantizeLinear`,
/// and the integer products `MatMulInteger`, `QLinearMatMul`, `ConvInteger`, `QLinearConv`.
/// Computed on the host.
extension ONNXOperators {
    static var quantization: [String: ONNXKernelBuilder] {
        [
            "QuantizeLinear": quantizeLinear, "DequantizeLinear": dequantizeLinear, "DynamicQuantizeLinear": dynamicQuantizeLinear,
            "MatMulInteger": matmulInteger, "QLinearMatMul": qlinearMatmul, "ConvInteger": convInteger, "QLinearConv": qlinearConv,
        ]
    }

    /// The integer range of each quantised integer type.
    static let quantizedRanges: [ONNXElementType: (Double, Double)] = [
        .uint8: (0, 255), .int8: (-128, 127), .uint16: (0, 65535), .int16: (-32768, 32767),
        .uint4: (0, 15), .int4: (-8, 7), .uint2: (0, 3), .int2: (-2, 1),
    ]

    /// A scale or zero point expanded to one value per element of `shape`: a scalar, a 1-D
    /// per-axis vector, or (with `block`) a tensor blocked along `axis`.
    static func quantizationParameter(_ v: ONNXValue, shape: [Int], axis: Int, block: Int, name: String) throws -> [Double] {
        let values = v.doubles
        let n = Shape.count(shape)
        if v.count == 1 { return Array(repeating: values[0], count: n) }
        let a = try resolveAxis(axis, rank: shape.count)
        let strides = Shape.strides(shape)
        if block <= 0 {
            guard v.rank == 1, v.count == shape[a] else { throw ONNXError("\(name) has shape \(v.shape), expected a scalar or [\(shape[a])]") }
            return (0..<n).map { values[($0 / strides[a]) % shape[a]] }
        }
        var expected = shape
        expected[a] = (shape[a] + block - 1) / block
        guard v.shape == expected else { throw ONNXError("\(name) has shape \(v.shape), expected \(expected) for block_size \(block)") }
        let own = Shape.strides(v.shape)
        return (0..<n).map { i in
            var index = Index.unravel(i, shape)
            index[a] /= block
            return values[Index.offset(index, own)]
        }
    }

    static let quantizeLinear: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: ONNXElementType.floatingTypes)
        let axis = try ctx.int("axis", default: 1), block = try ctx.int("block_size", default: 0)
        let saturate = try ctx.int("saturate", default: 1, in: 0...1) == 1
        _ = try ctx.int("precision")
        let declared = try ctx.int("output_dtype").flatMap { $0 == 0 ? nil : try ONNXElementType.from(Int32(clamping: $0), context: ctx.label) }
        let type = ctx.has(2) ? try ctx.type(2) : (declared ?? .uint8)
        if let declared, declared != type { throw ctx.error("output_dtype \(declared) differs from the zero point's type \(type)") }
        guard quantizedRanges[type] != nil || type.isMiniFloat && type != .float8e8m0 else {
            throw ctx.error("\(type) is not a quantised type (expected an 8/16/4/2-bit integer or an 8/4-bit float)")
        }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let scale = try quantizationParameter(inputs[1]!, shape: x.shape, axis: axis, block: block, name: "y_scale")
            let zero = try inputs.count > 2 ? inputs[2].map { try quantizationParameter($0, shape: x.shape, axis: axis, block: block, name: "y_zero_point") } : nil
            let values = x.floats
            if let (low, high) = quantizedRanges[type] {
                let q = values.indices.map { i -> Double in
                    let scaled = Double((values[i] / Float(scale[i])).rounded(.toNearestOrEven)) + (zero?[i] ?? 0)
                    return scaled.isNaN ? 0 : Swift.min(Swift.max(scaled, low), high)
                }
                return .fromDoubles(q, shape: x.shape, type: type)
            }
            let q = values.indices.map { i -> Float in
                let scaled = values[i] / Float(scale[i]) + (type == .float4e2m1 ? Float(zero?[i] ?? 0) : 0)
                return MiniFloat.round(scaled, to: type, saturate: saturate)
            }
            return .floats(q, shape: x.shape, type: type)
        }
    }

    static let dequantizeLinear: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3)
        let input = try ctx.type(0, in: Set(quantizedRanges.keys).union(ONNXElementType.narrowTypes).union([.int32]))
        let scaleType = try ctx.type(1, in: ONNXElementType.floatingTypes)
        if ctx.has(2) { guard try ctx.type(2) == input else { throw ctx.error("x_zero_point must have x's type \(input)") } }
        let axis = try ctx.int("axis", default: 1), block = try ctx.int("block_size", default: 0)
        let declared = try ctx.int("output_dtype").flatMap { $0 == 0 ? nil : try ONNXElementType.from(Int32(clamping: $0), context: ctx.label) }
        let type = declared ?? scaleType
        guard ONNXElementType.floatingTypes.contains(type) else { throw ctx.error("output_dtype \(type) is not a floating-point type") }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let scale = try quantizationParameter(inputs[1]!, shape: x.shape, axis: axis, block: block, name: "x_scale")
            var zero: [Double]?
            if inputs.count > 2, let z = inputs[2], !input.isMiniFloat {
                zero = try quantizationParameter(z, shape: x.shape, axis: axis, block: block, name: "x_zero_point")
            }
            let values = x.doubles
            let y = values.indices.map { Float(Float(values[$0] - (zero?[$0] ?? 0)) * Float(scale[$0])) }
            return .floats(y, shape: x.shape, type: type)
        }
    }

    static let dynamicQuantizeLinear: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1, outputs: 1...3)
        let type = try ctx.type(0, in: [.float])
        return ONNXKernel(outputTypes: [.uint8, type, .uint8]) { inputs in
            let x = inputs[0]!.floats
            // A scale from an infinite range is undefined (ONNX's formula gives inf or NaN).
            if let bad = x.first(where: { !$0.isFinite }) {
                throw ONNXError("x holds \(bad); DynamicQuantizeLinear needs finite values to compute its scale")
            }
            let high = Swift.max(0, x.max() ?? 0), low = Swift.min(0, x.min() ?? 0)
            let scale = (high == low ? 1 : high - low) / 255
            let zero = Swift.min(Swift.max(0 - low / scale, 0), 255).rounded(.toNearestOrEven)
            // Saturated to 0...255 as ONNX specifies.
            let y = x.map { Double(Swift.min(Swift.max(($0 / scale).rounded(.toNearestOrEven) + zero, 0), 255)) }
            return [.fromDoubles(y, shape: inputs[0]!.shape, type: .uint8), .floats([scale], shape: []),
                    .ints([Int(exactly: zero) ?? 0], shape: [], type: .uint8)]
        }
    }

    /// `a - zero` with a scalar or (for `axisFromEnd` 2) per-row / (1) per-column zero point.
    static func shifted(_ v: ONNXValue, zero: ONNXValue?, perRowOf rows: Int?) throws -> ONNXValue {
        guard let zero else { return ONNXValue.fromDoubles(v.doubles, shape: v.shape, type: .int32) }
        let values = v.doubles, z = zero.doubles
        if zero.count == 1 { return .fromDoubles(values.map { $0 - z[0] }, shape: v.shape, type: .int32) }
        let n = v.shape.last ?? 1
        if let rows, zero.count == rows, v.rank >= 2 {
            return .fromDoubles(values.indices.map { values[$0] - z[($0 / n) % rows] }, shape: v.shape, type: .int32)
        }
        guard zero.count == n else { throw ONNXError("zero point of shape \(zero.shape) fits neither a scalar nor the operand \(v.shape)") }
        return .fromDoubles(values.indices.map { values[$0] - z[$0 % n] }, shape: v.shape, type: .int32)
    }

    static let matmulInteger: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...4)
        try ctx.type(0, in: [.int8, .uint8])
        try ctx.type(1, in: [.int8, .uint8])
        return ONNXKernel(.int32) { inputs in
            let (a, b) = (inputs[0]!, inputs[1]!)
            let shape = try matmulShape(a.shape, b.shape)
            let rows = a.rank >= 2 ? a.shape[a.rank - 2] : nil
            let sa = try shifted(a, zero: inputs.count > 2 ? inputs[2] : nil, perRowOf: rows)
            let sb = try shifted(b, zero: inputs.count > 3 ? inputs[3] : nil, perRowOf: nil)
            return hostMatmul(sa, sb, shape: shape, type: .int32)
        }
    }

    static let qlinearMatmul: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 8...8)
        let type = try ctx.type(7, in: [.int8, .uint8])
        return ONNXKernel(type) { inputs in
            let (a, b) = (inputs[0]!, inputs[3]!)
            let shape = try matmulShape(a.shape, b.shape)
            let product = hostMatmul(try shifted(a, zero: inputs[2], perRowOf: nil), try shifted(b, zero: inputs[5], perRowOf: nil),
                                     shape: shape, type: .int32).doubles
            let factor = Float(inputs[1]!.floats[0]) * Float(inputs[4]!.floats[0]) / Float(inputs[6]!.floats[0])
            let (low, high) = quantizedRanges[type]!
            let zero = inputs[7]!.doubles[0]
            let y = product.map { Swift.min(Swift.max(Double((Float($0) * factor).rounded(.toNearestOrEven)) + zero, low), high) }
            return .fromDoubles(y, shape: shape, type: type)
        }
    }

    /// The convolution of zero-point-shifted integers (exact in doubles), `[N, M, out…]`.
    static func integerConv(_ x: ONNXValue, _ w: ONNXValue, xZero: ONNXValue?, wZero: ONNXValue?, window: WindowAttributes,
                            groups: Int) throws -> ([Double], [Int]) {
        guard x.rank >= 3, w.rank == x.rank, x.shape[1] == w.shape[1] * groups, w.shape[0] % groups == 0 else {
            throw ONNXError("x \(x.shape) and w \(w.shape) do not fit a convolution with group \(groups)")
        }
        let xz = xZero?.doubles.first ?? 0
        let wValues = w.doubles, m = w.shape[0], perFilter = w.count / Swift.max(m, 1)
        let wz = wZero?.doubles ?? [0]
        guard wz.count == 1 || wz.count == m else { throw ONNXError("w_zero_point has \(wz.count) values, expected 1 or \(m)") }
        let spatial = Array(x.shape[2...]), kernel = Array(w.shape[2...])
        let (s, d, begin, end) = try window.resolve(spatial: spatial, kernel: kernel)
        let out = (0..<spatial.count).map { i -> Int in
            let span = (kernel[i] - 1) * d[i] + 1
            return (spatial[i] + begin[i] + end[i] - span) / s[i] + 1
        }
        guard out.allSatisfy({ $0 > 0 }) else { throw ONNXError("kernel \(kernel) does not fit input \(x.shape)") }
        let xs = x.doubles.map { Float($0 - xz) }
        let ws = wValues.indices.map { Float(wValues[$0] - wz[wz.count == 1 ? 0 : $0 / perFilter]) }
        let y = HostConvolution.forward(xs, x.shape, ws, w.shape, strides: s, dilations: d, begin: begin, groups: groups, outSpatial: out)
        return (y.map { Double($0) }, [x.shape[0], m] + out)
    }

    static let convInteger: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...4)
        try ctx.type(0, in: [.int8, .uint8])
        try ctx.type(1, in: [.int8, .uint8])
        let window = try WindowAttributes(ctx), groups = try ctx.int("group", default: 1)
        guard groups >= 1 else { throw ctx.error("attribute 'group' must be ≥ 1") }
        return ONNXKernel(.int32) { inputs in
            let (y, shape) = try integerConv(inputs[0]!, inputs[1]!, xZero: inputs.count > 2 ? inputs[2] : nil,
                                             wZero: inputs.count > 3 ? inputs[3] : nil, window: window, groups: groups)
            return .fromDoubles(y.map { $0.rounded() }, shape: shape, type: .int32)
        }
    }

    static let qlinearConv: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 8...9)
        let type = try ctx.type(0, in: [.int8, .uint8])
        if ctx.has(8) { try ctx.type(8, in: [.int32]) }
        let window = try WindowAttributes(ctx), groups = try ctx.int("group", default: 1)
        guard groups >= 1 else { throw ctx.error("attribute 'group' must be ≥ 1") }
        let outType = try ctx.type(7, in: [.int8, .uint8])
        return ONNXKernel(outType) { inputs in
            var (y, shape) = try integerConv(inputs[0]!, inputs[3]!, xZero: inputs[2], wZero: inputs[5], window: window, groups: groups)
            let (m, plane) = (shape[1], Shape.count(Array(shape[2...])))
            if inputs.count > 8, let bias = inputs[8] {
                let b = bias.doubles
                guard b.count == m else { throw ONNXError("B has \(b.count) values, expected \(m)") }
                y = y.indices.map { y[$0] + b[($0 / plane) % m] }
            }
            let ws = inputs[4]!.doubles
            guard ws.count == 1 || ws.count == m else { throw ONNXError("w_scale has \(ws.count) values, expected 1 or \(m)") }
            let xs = inputs[1]!.doubles[0], ys = inputs[6]!.doubles[0], zero = inputs[7]!.doubles[0]
            let (low, high) = quantizedRanges[outType]!
            _ = type
            let q = y.indices.map { i -> Double in
                let r = y[i] * (xs * ws[ws.count == 1 ? 0 : (i / plane) % m] / ys) + zero
                return Swift.min(Swift.max(r, low), high).rounded(.toNearestOrEven)
            }
            return .fromDoubles(q, shape: shape, type: outType)
        }
    }
}
