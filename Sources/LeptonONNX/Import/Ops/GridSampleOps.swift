import Foundation
import LeptonTensor

/// `GridSample`: samples `[N, C, spatial…]` at the normalised coordinates of a grid
/// `[N, out…, D]` with nearest, (bi)linear or (bi)cubic interpolation and zeros, border or
/// reflection padding, for any number of spatial axes. Computed on the host.
extension ONNXOperators {
    static var gridSample: [String: ONNXKernelBuilder] { ["GridSample": gridSampleOp] }

    static let gridSampleOp: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: ONNXElementType.floatingTypes)
        let names = ctx.opset >= 20 ? ["linear", "nearest", "cubic"] : ["bilinear", "nearest", "bicubic"]
        let mode = try ctx.choice("mode", names).replacingOccurrences(of: "bi", with: "")
        let padding = try ctx.choice("padding_mode", ["zeros", "border", "reflection"])
        let alignCorners = try ctx.int("align_corners", default: 0, in: 0...1) == 1
        return ONNXKernel(type) { inputs in
            let (x, grid) = (inputs[0]!, inputs[1]!)
            let d = x.rank - 2
            guard d >= 1, grid.rank == d + 2, grid.shape[0] == x.shape[0], grid.shape[d + 1] == d else {
                throw ONNXError("X \(x.shape) must be [N, C, spatial…] and grid \(grid.shape) [N, out…, \(Swift.max(d, 0))]")
            }
            let sampler = GridSampler(dims: Array(x.shape[2...]), mode: mode, padding: padding, alignCorners: alignCorners)
            let outSpatial = Array(grid.shape[1...d])
            let (n, c) = (x.shape[0], x.shape[1])
            let (plane, outPlane) = (Shape.count(sampler.dims), Shape.count(outSpatial))
            _ = try ONNXLimits.count([n, c] + outSpatial, what: "GridSample output")
            let (values, coordinates) = (x.doubles, grid.doubles)
            var out = [Double](repeating: 0, count: n * c * outPlane)
            for b in 0..<n {
                for o in 0..<outPlane {
                    // The grid lists coordinates innermost axis first (x, y, z).
                    let normalized = (0..<d).map { coordinates[(b * outPlane + o) * d + (d - 1 - $0)] }
                    let taps = try sampler.taps(normalized)
                    for ch in 0..<c {
                        let base = (b * c + ch) * plane
                        var v = 0.0
                        for (offset, weight) in taps where offset >= 0 { v += weight * values[base + offset] }
                        out[(b * c + ch) * outPlane + o] = v
                    }
                }
            }
            return .fromDoubles(out, shape: [n, c] + outSpatial, type: type)
        }
    }
}

/// The interpolation taps of one sample point (onnx's reference semantics).
struct GridSampler {
    let dims: [Int]
    let mode: String
    let padding: String
    let alignCorners: Bool

    /// `[(flat offset, weight)]`; an offset of -1 reads a zero (zeros padding).
    /// - Throws: ``ONNXError`` for a grid coordinate that is not finite (inf, NaN).
    func taps(_ normalized: [Double]) throws -> [(Int, Double)] {
        let d = dims.count
        if let bad = normalized.first(where: { !$0.isFinite }) {
            throw ONNXError("grid holds the coordinate \(bad); GridSample needs finite coordinates")
        }
        var x = (0..<d).map { i -> Double in
            let length = Double(dims[i])
            return alignCorners ? (normalized[i] + 1) / 2 * (length - 1) : ((normalized[i] + 1) * length - 1) / 2
        }
        if mode == "nearest" { x = x.map { $0.rounded(.toNearestOrEven) } }
        for i in 0..<d {
            let (lo, hi) = border(i)
            if x[i] < lo || x[i] > hi {
                if padding == "border" { x[i] = Swift.min(Swift.max(x[i], 0), Double(dims[i] - 1)) }
                if padding == "reflection" { x[i] = reflect(x[i], lo, hi) }
            }
            // Far outside, every tap reads padding either way; bounded, positions convert to Int safely.
            x[i] = Swift.min(Swift.max(x[i], lo - 4), hi + 4)
        }
        // Per axis: the integer positions read and their weights.
        let perAxis: [[(Int, Double)]] = (0..<d).map { i in
            switch mode {
            case "nearest": return [(Int(x[i]), 1)]
            case "linear":
                let x0 = x[i].rounded(.down), t = x[i] - x0
                return [(Int(x0), 1 - t), (Int(x0) + 1, t)]
            default:
                let x0 = x[i].rounded(.down), t = Swift.abs(x[i] - x0), a = -0.75
                let w = [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a, ((a + 2) * t - (a + 3)) * t * t + 1,
                         ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                         ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a]
                return (0..<4).map { (Int(x0) - 1 + $0, w[$0]) }
            }
        }
        let strides = Shape.strides(dims)
        var result: [(Int, Double)] = []
        let counts = perAxis.map(\.count)
        for k in 0..<Shape.count(counts) {
            let pick = Index.unravel(k, counts)
            var (offset, weight, zero) = (0, 1.0, false)
            for i in 0..<d {
                let (position, w) = perAxis[i][pick[i]]
                weight *= w
                guard let resolved = pixel(position, axis: i) else { zero = true; break }
                offset += resolved * strides[i]
            }
            result.append((zero ? -1 : offset, weight))
        }
        return result
    }

    private func border(_ i: Int) -> (Double, Double) {
        alignCorners ? (0, Double(dims[i] - 1)) : (-0.5, Double(dims[i]) - 0.5)
    }

    /// The index read for integer position `i` along `axis`, nil for a zero.
    private func pixel(_ i: Int, axis: Int) -> Int? {
        let n = dims[axis]
        switch padding {
        case "zeros": return i >= 0 && i < n ? i : nil
        case "border": return Swift.min(Swift.max(i, 0), n - 1)
        default:
            let (lo, hi) = border(axis)
            return Swift.min(Swift.max(Int(reflect(Double(i), lo, hi)), 0), n - 1)
        }
    }

    private func reflect(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        let range = hi - lo
        guard range > 0 else { return lo }
        // The reflection count stays a Double: a far coordinate would overflow an Int.
        if x < lo {
            let dx = lo - x, n = (dx / range).rounded(.towardZero), r = dx - n * range
            return n.truncatingRemainder(dividingBy: 2) == 0 ? lo + r : hi - r
        }
        if x > hi {
            let dx = x - hi, n = (dx / range).rounded(.towardZero), r = dx - n * range
            return n.truncatingRemainder(dividingBy: 2) == 0 ? hi - r : lo + r
        }
        return x
    }
}
