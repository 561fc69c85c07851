import Foundation
import LeptonTensor

/// `Resize` (opset 11 on; `Upsample` as its nearest/linear special case): nearest, linear
/// and cubic interpolation, every coordinate transformation mode, `roi` cropping with
/// extrapolation, `exclude_outside`, antialiasing, `axes` and `keep_aspect_ratio_policy`.
/// Interpolation is separable: the host resizes one axis at a time, in doubles.
extension ONNXOperators {
    static var resize: [String: ONNXKernelBuilder] { ["Resize": resizeOp, "Upsample": upsample] }

    struct ResizeSettings {
        var mode = "nearest", coordinates = "half_pixel", nearest = "round_prefer_floor", policy = "stretch"
        var cubicA: Double = -0.75, extrapolation: Double = 0, excludeOutside = false, antialias = false
        var axes: [Int]?
    }

    static let resizeOp: ONNXKernelBuilder = { ctx in
        guard ctx.opset >= 11 else { throw ctx.error("Resize before opset 11 is not supported") }
        try ctx.expect(inputs: (ctx.opset >= 13 ? 1 : 3)...4)
        let type = try ctx.type(0, in: ONNXElementType.numericTypes)
        if ctx.has(1) { try ctx.type(1, in: ONNXElementType.floatingTypes) }
        if ctx.has(2) { try ctx.type(2, in: [.float]) }
        if ctx.has(3) { try ctx.type(3, in: [.int64]) }
        var s = ResizeSettings()
        s.mode = try ctx.choice("mode", ["nearest", "linear", "cubic"])
        s.coordinates = try ctx.choice("coordinate_transformation_mode", ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel",
                                                                          "align_corners", "asymmetric", "tf_crop_and_resize"])
        s.nearest = try ctx.choice("nearest_mode", ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
        s.cubicA = Double(try ctx.float("cubic_coeff_a", default: -0.75))
        s.extrapolation = Double(try ctx.float("extrapolation_value", default: 0))
        s.excludeOutside = try ctx.int("exclude_outside", default: 0, in: 0...1) == 1
        s.antialias = try ctx.int("antialias", default: 0, in: 0...1) == 1
        s.policy = try ctx.choice("keep_aspect_ratio_policy", ["stretch", "not_larger", "not_smaller"])
        s.axes = try ctx.ints("axes")
        if s.antialias && s.mode == "nearest" { throw ctx.error("antialias is not defined for nearest mode") }
        let settings = s
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let roi = inputs.count > 1 ? inputs[1]?.doubles : nil
            let scales = inputs.count > 2 ? inputs[2]?.doubles : nil
            let sizes = inputs.count > 3 ? inputs[3]?.ints : nil
            return try resizeValue(x, roi: roi.flatMap { $0.isEmpty ? nil : $0 }, scales: scales.flatMap { $0.isEmpty ? nil : $0 },
                                   sizes: sizes.flatMap { $0.isEmpty ? nil : $0 }, settings: settings, type: type)
        }
    }

    /// `Upsample` (deprecated): nearest (floor, asymmetric) or linear (asymmetric) by `scales`.
    static let upsample: ONNXKernelBuilder = { ctx in
        guard ctx.opset >= 9 else { throw ctx.error("Upsample before opset 9 is not supported") }
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.numericTypes)
        try ctx.type(1, in: [.float])
        var s = ResizeSettings()
        s.mode = try ctx.choice("mode", ["nearest", "linear"])
        s.coordinates = "asymmetric"
        s.nearest = "floor"
        let settings = s
        return ONNXKernel(type) { inputs in
            try resizeValue(inputs[0]!, roi: nil, scales: inputs[1]!.doubles, sizes: nil, settings: settings, type: type)
        }
    }

    static func resizeValue(_ x: ONNXValue, roi: [Double]?, scales givenScales: [Double]?, sizes givenSizes: [Int]?,
                            settings s: ResizeSettings, type: ONNXElementType) throws -> ONNXValue {
        let r = x.rank
        let axes = try (s.axes ?? Array(0..<r)).map { try resolveAxis($0, rank: r) }
        guard (givenScales == nil) != (givenSizes == nil) else { throw ONNXError("exactly one of scales and sizes must be given") }
        var scales = [Double](repeating: 1, count: r), sizes = x.shape
        var fullRoi: [Double]?
        if let roi {
            if let bad = roi.first(where: { !$0.isFinite }) { throw ONNXError("roi holds \(bad); Resize needs finite region bounds") }
            guard roi.count == 2 * axes.count else { throw ONNXError("roi holds \(roi.count) values, expected \(2 * axes.count)") }
            var full = [Double](repeating: 0, count: r) + [Double](repeating: 1, count: r)
            for (i, a) in axes.enumerated() { full[a] = roi[i]; full[r + a] = roi[axes.count + i] }
            fullRoi = full
        }
        if let givenScales {
            guard givenScales.count == axes.count, givenScales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw ONNXError("scales \(givenScales) must hold one positive value per resized axis (\(axes.count))")
            }
            for (i, a) in axes.enumerated() {
                scales[a] = givenScales[i]
                let size = givenScales[i] * Double(x.shape[a])
                guard size < Double(ONNXLimits.maximumElementCount) else { throw ONNXError("scale \(givenScales[i]) gives too large an output") }
                sizes[a] = Int(size)
            }
        } else if let givenSizes {
            guard givenSizes.count == axes.count, givenSizes.allSatisfy({ $0 >= 0 }) else {
                throw ONNXError("sizes \(givenSizes) must hold one non-negative size per resized axis (\(axes.count))")
            }
            for (i, a) in axes.enumerated() {
                guard x.shape[a] > 0 else { throw ONNXError("cannot resize the empty axis \(a)") }
                sizes[a] = givenSizes[i]
                scales[a] = Double(givenSizes[i]) / Double(x.shape[a])
            }
            if s.policy != "stretch" {
                let chosen = axes.map { scales[$0] }
                let scale = s.policy == "not_larger" ? chosen.min()! : chosen.max()!
                for a in axes {
                    scales[a] = scale
                    sizes[a] = Int(scale * Double(x.shape[a]) + 0.5)
                }
            }
        }
        _ = try ONNXLimits.count(sizes, what: "Resize output")
        var data = x.doubles, shape = x.shape
        for a in axes {
            let unchanged = abs(scales[a] - 1) < 1e-9 && sizes[a] == shape[a]
                && (fullRoi == nil || (abs(fullRoi![a]) < 1e-9 && abs(fullRoi![a + r] - 1) < 1e-9))
            if unchanged { continue }
            guard shape[a] > 0 else { throw ONNXError("cannot resize the empty axis \(a)") }
            (data, shape) = try resizeAxis(data, shape: shape, axis: a, scale: scales[a], outWidth: sizes[a],
                                       roi: fullRoi.map { ($0[a], $0[a + r]) }, settings: s)
        }
        if type.isFloatingPoint { return .fromDoubles(data, shape: shape, type: type) }
        return .fromDoubles(data.map { $0.rounded(.toNearestOrEven) }, shape: shape, type: type)
    }

    /// The interpolation weights for a fractional position `ratio` in (0, 1].
    /// - Throws: ``ONNXError`` for an antialiased downscale by more than 2^16 (too many taps).
    static func resizeCoefficients(_ ratio: Double, scale: Double, settings s: ResizeSettings) throws -> [Double] {
        if s.antialias && s.mode != "nearest" && !(scale >= 1.0 / 65536) {
            throw ONNXError("an antialiased downscale by \(1 / scale)× needs too many taps per output (at most 65536×)")
        }
        switch s.mode {
        case "nearest":
            if ratio.rounded(.towardZero) == ratio { return [0, 1] }
            switch s.nearest {
            case "round_prefer_ceil": return [ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0]
            case "floor": return [1, 0]
            case "ceil": return [0, 1]
            default: return [ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0]
            }
        case "linear":
            guard s.antialias else { return [1 - ratio, ratio] }
            let sc = Swift.min(scale, 1)
            let start = Int((-1 / sc).rounded(.down)) + 1
            let coeffs = (start..<(start + 2 - 2 * start)).map { Swift.min(Swift.max(1 - abs((Double($0) - ratio) * sc), 0), 1) }
            let sum = coeffs.reduce(0, +)
            return coeffs.map { $0 / sum }
        default:
            let a = s.cubicA
            guard s.antialias else {
                let (r1, q) = (ratio + 1, 1 - ratio)
                return [((a * r1 - 5 * a) * r1 + 8 * a) * r1 - 4 * a, ((a + 2) * ratio - (a + 3)) * ratio * ratio + 1,
                        ((a + 2) * q - (a + 3)) * q * q + 1, ((a * (q + 1) - 5 * a) * (q + 1) + 8 * a) * (q + 1) - 4 * a]
            }
            let sc = Swift.min(scale, 1)
            let start = Int((-2 / sc).rounded(.down)) + 1
            let coeffs = (start..<(2 - start)).map { i -> Double in
                let v = abs(sc * (Double(i) - ratio))
                if v <= 1 { return (a + 2) * v * v * v - (a + 3) * v * v + 1 }
                if v < 2 { return a * v * v * v - 5 * a * v * v + 8 * a * v - 4 * a }
                return 0
            }
            let sum = coeffs.reduce(0, +)
            return coeffs.map { $0 / sum }
        }
    }

    /// Resizes one axis (onnx's reference `_interpolate_1d_along_axis`).
    /// - Throws: ``ONNXError`` when a sampling position is not a finite number within ±2^53.
    static func resizeAxis(_ data: [Double], shape: [Int], axis: Int, scale: Double, outWidth: Int, roi: (Double, Double)?,
                           settings s: ResizeSettings) throws -> ([Double], [Int]) {
        let inWidth = shape[axis]
        let outer = Shape.count(Array(shape[..<axis])), inner = Shape.count(Array(shape[(axis + 1)...]))
        var outShape = shape
        outShape[axis] = outWidth
        var out = [Double](repeating: 0, count: outer * outWidth * inner)
        let width = scale * Double(inWidth)
        for y in 0..<outWidth {
            let yd = Double(y)
            var x: Double
            var extrapolated = false
            switch s.coordinates {
            case "align_corners": x = width == 1 ? 0 : yd * Double(inWidth - 1) / (width - 1)
            case "asymmetric": x = yd / scale
            case "tf_crop_and_resize":
                let (lo, hi) = roi ?? (0, 1)
                x = width == 1 ? (hi - lo) * Double(inWidth - 1) / 2 : yd * (hi - lo) * Double(inWidth - 1) / (width - 1)
                x += lo * Double(inWidth - 1)
                extrapolated = x < 0 || x > Double(inWidth - 1)
            case "pytorch_half_pixel": x = width == 1 ? -0.5 : (yd + 0.5) / scale - 0.5
            case "half_pixel_symmetric":
                let offset = Double(inWidth) / 2 * (1 - Double(outWidth) / width)
                x = offset + (yd + 0.5) / scale - 0.5
            default: x = (yd + 0.5) / scale - 0.5
            }
            guard x.isFinite, Swift.abs(x) <= ONNXLimits.largestExactInteger else {
                throw ONNXError("output position \(y) of axis \(axis) samples the input at \(x), not a finite position (check scales and roi)")
            }
            let floorX = x.rounded(.down)
            var coeffs = try resizeCoefficients(x == floorX ? 1 : x - floorX, scale: scale, settings: s)
            let n = coeffs.count
            let pad = (n + 1) / 2
            let padded = x + Double(pad)
            let p = Int(padded.rounded(.down)), frac = padded - padded.rounded(.down)
            let offset = n % 2 == 0 ? (frac == 0 ? -(n / 2) : -(n / 2) + 1) : (frac <= 0.5 ? -((n - 1) / 2) : -((n - 1) / 2) + 1)
            let neighbors = (0..<n).map { p + offset + $0 - pad }
            if s.excludeOutside {
                for (i, idx) in neighbors.enumerated() where idx < 0 || idx >= inWidth { coeffs[i] = 0 }
                let sum = coeffs.reduce(0, +)
                if sum != 0 { coeffs = coeffs.map { $0 / sum } }
            }
            let clamped = neighbors.map { Swift.min(Swift.max($0, 0), inWidth - 1) }
            for o in 0..<outer {
                for i in 0..<inner {
                    var v = 0.0
                    if extrapolated { v = s.extrapolation } else {
                        for k in 0..<n { v += coeffs[k] * data[(o * inWidth + clamped[k]) * inner + i] }
                    }
                    out[(o * outWidth + y) * inner + i] = v
                }
            }
        }
        return (out, outShape)
    }
}
