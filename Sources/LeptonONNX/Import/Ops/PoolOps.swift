import Foundation
import LeptonTensor

/// Pooling over `[N, C, spatial…]`: `MaxPool` (with its optional indices output),
/// `AveragePool`, `LpPool`, `GlobalAveragePool`, `GlobalMaxPool`, `GlobalLpPool`.
/// Two-dimensional max and average pooling with symmetric pads run on Lepton's
/// differentiable kernels; every other case (1-D, 3-D, asymmetric pads, dilations, ceil-mode
/// averages, indices) on a general host loop.
extension ONNXOperators {
    static var pooling: [String: ONNXKernelBuilder] {
        [
            "MaxPool": pool(.max), "AveragePool": pool(.average), "LpPool": pool(.lp),
            "GlobalAveragePool": globalPool(.average), "GlobalMaxPool": globalPool(.max), "GlobalLpPool": globalPool(.lp),
        ]
    }

    enum PoolKind { case max, average, lp }

    static func pool(_ kind: PoolKind) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1, outputs: 1...(kind == .max ? 2 : 1))
            let type = try ctx.type(0, in: kind == .max ? ONNXElementType.floatingTypes.union([.int8, .uint8]) : ONNXElementType.floatingTypes)
            let window = try WindowAttributes(ctx, dilations: kind == .max || ctx.opset >= 19)
            guard let kernel = window.kernelShape else { throw ctx.error("attribute 'kernel_shape' is required") }
            let ceilMode = ctx.opset >= 10 ? try ctx.int("ceil_mode", default: 0, in: 0...1) == 1 : false
            let includePad = kind == .average ? try ctx.int("count_include_pad", default: 0, in: 0...1) == 1 : false
            let p = kind == .lp ? (ctx.opset < 2 ? Float(try ctx.float("p", default: 2)) : Float(try ctx.int("p", default: 2))) : 2
            let columnMajor = kind == .max ? try ctx.int("storage_order", default: 0, in: 0...1) == 1 : false
            let wantIndices = ctx.outputUsed(1)
            return ONNXKernel(outputTypes: [type, .int64]) { inputs in
                let x = inputs[0]!
                guard x.rank == kernel.count + 2 else {
                    throw ONNXError("input \(x.shape) must be [N, C] plus \(kernel.count) spatial axes for kernel_shape \(kernel)")
                }
                let g = try PoolGeometry(window: window, spatial: Array(x.shape[2...]), kernel: kernel, ceilMode: ceilMode)
                _ = try ONNXLimits.count(Array(x.shape[..<2]) + g.out, what: "pooling output")
                let symmetric = g.begin == g.end && zip(g.begin, kernel).allSatisfy { $0 * 2 <= $1 } && g.dilations == [1, 1]
                if x.isFloating && kernel.count == 2 && symmetric && !wantIndices && x.count > 0 && g.out.allSatisfy({ $0 > 0 })
                    && ((kind == .max && g.matchesLepton(ceilMode: ceilMode)) || (kind == .average && !ceilMode && (includePad || g.begin == [0, 0]))) {
                    let y = kind == .max ? x.tensor.maxPool2d(kernel: kernel, stride: g.strides, padding: g.begin, ceilMode: ceilMode)
                        : x.tensor.avgPool2d(kernel: kernel, stride: g.strides, padding: g.begin, countIncludePad: includePad)
                    if y.shape == Array(x.shape[..<2]) + g.out { return [x.with(y)] }
                }
                let (values, indices) = g.run(x.floats, batch: x.shape[0] * x.shape[1], kind: kind, includePad: includePad, p: p,
                                              columnMajor: columnMajor)
                let shape = Array(x.shape[..<2]) + g.out
                let y = x.isFloating ? x.with(Tensor(values, shape: shape)) : .converting(Tensor(values, shape: shape), to: type)
                return kind == .max ? [y, .ints(indices, shape: shape)] : [y]
            }
        }
    }

    static func globalPool(_ kind: PoolKind) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
            let p = kind == .lp ? Float(try ctx.int("p", default: 2)) : 2
            return ONNXKernel(type) { inputs in
                let x = inputs[0]!
                guard x.rank >= 3, x.shape[2...].allSatisfy({ $0 > 0 }) else {
                    throw ONNXError("input \(x.shape) must be [N, C, spatial…] with non-empty spatial axes")
                }
                let axes = Array(2..<x.rank)
                switch kind {
                case .average: return x.with(x.tensor.mean(axes: axes, keepDims: true))
                case .max: return x.with(x.tensor.max(axes: axes, keepDims: true))
                case .lp: return x.with(x.tensor.abs().pow(p).sum(axes: axes, keepDims: true).pow(1 / p))
                }
            }
        }
    }
}

/// The windows of one pooling op: output size, strides, dilations and pads per spatial axis.
struct PoolGeometry {
    let spatial: [Int], kernel: [Int], strides: [Int], dilations: [Int], begin: [Int], end: [Int], out: [Int]

    init(window: ONNXOperators.WindowAttributes, spatial: [Int], kernel: [Int], ceilMode: Bool) throws {
        let r = spatial.count
        self.spatial = spatial
        self.kernel = kernel
        strides = window.strides ?? Array(repeating: 1, count: r)
        dilations = window.dilations ?? Array(repeating: 1, count: r)
        guard strides.count == r, dilations.count == r else {
            throw ONNXError("strides \(strides) and dilations \(dilations) must have one entry per spatial axis (\(r))")
        }
        var begin = Array(repeating: 0, count: r), end = begin, out = begin
        for i in 0..<r {
            let span = (kernel[i] - 1) * dilations[i] + 1
            switch window.autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                out[i] = (spatial[i] + strides[i] - 1) / strides[i]
                let total = Swift.max((out[i] - 1) * strides[i] + span - spatial[i], 0)
                begin[i] = window.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[i] = total - begin[i]
            case "VALID":
                out[i] = spatial[i] >= span ? (spatial[i] - span) / strides[i] + 1 : 0
            default:
                if let pads = window.pads {
                    guard pads.count == 2 * r else { throw ONNXError("pads \(pads) must hold 2 values per spatial axis (\(r))") }
                    begin[i] = pads[i]; end[i] = pads[i + r]
                }
                guard begin[i] < span, end[i] < span else {
                    throw ONNXError("pads \(window.pads ?? []) must be smaller than the window \(span) along spatial axis \(i)")
                }
                let room = spatial[i] + begin[i] + end[i] - span
                guard room >= 0 else { throw ONNXError("kernel \(kernel) does not fit input \(spatial) with pads \(begin + end)") }
                out[i] = (ceilMode ? (room + strides[i] - 1) / strides[i] : room / strides[i]) + 1
                if ceilMode && (out[i] - 1) * strides[i] >= spatial[i] + begin[i] { out[i] -= 1 }
            }
        }
        self.begin = begin
        self.end = end
        self.out = out
    }

    /// Whether Lepton's 2-D max pooling computes the same output size.
    func matchesLepton(ceilMode: Bool) -> Bool {
        let p = Pool2DParameters(kind: .max, planes: 1, height: spatial[0], width: spatial[1], kernelHeight: kernel[0],
                                 kernelWidth: kernel[1], strideHeight: strides[0], strideWidth: strides[1],
                                 padTop: begin[0], padLeft: begin[1], ceilMode: ceilMode)
        return [p.outHeight, p.outWidth] == out
    }

    /// Pools every plane; returns the values and, for max pooling, the flat input index of each maximum.
    func run(_ x: [Float], batch planes: Int, kind: ONNXOperators.PoolKind, includePad: Bool, p: Float,
             columnMajor: Bool) -> ([Float], [Int]) {
        let (inPlane, outPlane) = (Shape.count(spatial), Shape.count(out))
        let kernelSize = Shape.count(kernel)
        let inStrides = columnMajor ? Shape.strides(spatial.reversed()).reversed() : Shape.strides(spatial)
        let rowStrides = Shape.strides(spatial)
        let kernelIndex = (0..<kernelSize).map { Index.unravel($0, kernel) }
        var values = [Float](repeating: 0, count: planes * outPlane)
        var indices = [Int](repeating: 0, count: kind == .max ? planes * outPlane : 0)
        for o in 0..<outPlane {
            let position = Index.unravel(o, out)
            var taps: [(row: Int, reported: Int)] = []
            var padded = 0
            for k in kernelIndex {
                var (row, reported, inside, inPadded) = (0, 0, true, true)
                for a in 0..<k.count {
                    let i = position[a] * strides[a] - begin[a] + k[a] * dilations[a]
                    if i < 0 || i >= spatial[a] { inside = false }
                    if i >= spatial[a] + end[a] { inPadded = false }
                    row += i * rowStrides[a]
                    reported += i * inStrides[a]
                }
                if inPadded { padded += 1 }
                if inside { taps.append((row, reported)) }
            }
            for plane in 0..<planes {
                let base = plane * inPlane
                switch kind {
                case .max:
                    var best = -Float.infinity, at = -1
                    for t in taps where x[base + t.row] > best || at < 0 { best = x[base + t.row]; at = t.reported }
                    values[plane * outPlane + o] = at < 0 ? -.infinity : best
                    indices[plane * outPlane + o] = base + Swift.max(at, 0)
                case .average:
                    var sum: Float = 0
                    for t in taps { sum += x[base + t.row] }
                    values[plane * outPlane + o] = sum / Float(includePad ? padded : taps.count)
                case .lp:
                    var sum: Float = 0
                    for t in taps { sum += Foundation.pow(Swift.abs(x[base + t.row]), p) }
                    values[plane * outPlane + o] = Foundation.pow(sum, 1 / p)
                }
            }
        }
        return (values, indices)
    }
}
