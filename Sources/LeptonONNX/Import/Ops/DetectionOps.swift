import Foundation
import LeptonTensor

/// Detection-model ops over `[N, C, H, W]` feature maps: `RoiAlign` (average or max over
/// bilinear samples of each region) and `DeformConv` (2-D convolution at offset, optionally
/// masked, sampling positions). Computed on the host, following onnx's reference.
extension ONNXOperators {
    static var detection: [String: ONNXKernelBuilder] { ["RoiAlign": roiAlign, "DeformConv": deformConv] }

    static let roiAlign: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(2, in: [.int64])
        let halfPixel = ctx.opset >= 16 ? try ctx.choice("coordinate_transformation_mode", ["half_pixel", "output_half_pixel"]) == "half_pixel" : false
        let maxMode = try ctx.choice("mode", ["avg", "max"]) == "max"
        let (outH, outW) = (try ctx.int("output_height", default: 1), try ctx.int("output_width", default: 1))
        let ratio = try ctx.int("sampling_ratio", default: 0), scale = Double(try ctx.float("spatial_scale", default: 1))
        guard outH > 0, outW > 0, outH <= WindowAttributes.limit, outW <= WindowAttributes.limit, ratio >= 0 else {
            throw ctx.error("output_height, output_width must be positive and sampling_ratio non-negative")
        }
        return ONNXKernel(type) { inputs in
            let (x, rois, batchIndices) = (inputs[0]!, inputs[1]!, inputs[2]!.ints)
            guard x.rank == 4, rois.rank == 2, rois.shape[1] == 4, batchIndices.count == rois.shape[0] else {
                throw ONNXError("X \(x.shape) must be [N, C, H, W], rois \(rois.shape) [R, 4] and batch_indices [R]")
            }
            let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
            _ = try ONNXLimits.count([rois.shape[0], c, outH, outW], what: "RoiAlign output")
            let (data, boxes) = (x.doubles, rois.doubles)
            if let bad = boxes.first(where: { !$0.isFinite }) { throw ONNXError("rois hold \(bad); RoiAlign needs finite box corners") }
            var out = [Double](repeating: 0, count: rois.shape[0] * c * outH * outW)
            for r in 0..<rois.shape[0] {
                let batch = try Index.resolve(batchIndices[r], x.shape[0], what: "batch index")
                let offset = halfPixel ? 0.5 : 0
                let (x0, y0) = (boxes[r * 4] * scale - offset, boxes[r * 4 + 1] * scale - offset)
                var (roiW, roiH) = (boxes[r * 4 + 2] * scale - offset - x0, boxes[r * 4 + 3] * scale - offset - y0)
                if !halfPixel { roiW = Swift.max(roiW, 1); roiH = Swift.max(roiH, 1) }
                let (binH, binW) = (roiH / Double(outH), roiW / Double(outW))
                // Computed in Double and checked before converting: a huge box must not overflow an Int.
                let (gridHeight, gridWidth) = ((roiH / Double(outH)).rounded(.up), (roiW / Double(outW)).rounded(.up))
                guard ratio > 0 || (gridHeight <= Double(WindowAttributes.limit) && gridWidth <= Double(WindowAttributes.limit)) else {
                    throw ONNXError("region \(r) needs too many samples")
                }
                let gridH = ratio > 0 ? ratio : Int(Swift.max(gridHeight, 0)), gridW = ratio > 0 ? ratio : Int(Swift.max(gridWidth, 0))
                guard gridH <= WindowAttributes.limit, gridW <= WindowAttributes.limit else { throw ONNXError("region \(r) needs too many samples") }
                let count = Double(Swift.max(gridH * gridW, 1))
                for ph in 0..<outH {
                    for pw in 0..<outW {
                        // The bilinear taps of every sample point of this bin.
                        var samples: [[(Int, Double)]] = []
                        for iy in 0..<gridH {
                            var y = y0 + Double(ph) * binH + (Double(iy) + 0.5) * binH / Double(gridH)
                            for ix in 0..<gridW {
                                var xx = x0 + Double(pw) * binW + (Double(ix) + 0.5) * binW / Double(gridW)
                                if y < -1 || y > Double(h) || xx < -1 || xx > Double(w) { samples.append([(0, 0), (0, 0), (0, 0), (0, 0)]); continue }
                                y = Swift.max(y, 0); xx = Swift.max(xx, 0)
                                var (yl, xl) = (Int(y), Int(xx))
                                var (yh, xh) = (yl + 1, xl + 1)
                                if yl >= h - 1 { yl = h - 1; yh = h - 1; y = Double(yl) }
                                if xl >= w - 1 { xl = w - 1; xh = w - 1; xx = Double(xl) }
                                let (ly, lx) = (y - Double(yl), xx - Double(xl))
                                samples.append([(yl * w + xl, (1 - ly) * (1 - lx)), (yl * w + xh, (1 - ly) * lx),
                                                (yh * w + xl, ly * (1 - lx)), (yh * w + xh, ly * lx)])
                            }
                        }
                        for ch in 0..<c {
                            let base = (batch * c + ch) * h * w
                            var value = 0.0
                            for (k, taps) in samples.enumerated() {
                                if maxMode {
                                    let v = taps.map { $0.1 * data[base + $0.0] }.max()!
                                    value = k == 0 ? v : Swift.max(value, v)
                                } else {
                                    value += taps.reduce(0) { $0 + $1.1 * data[base + $1.0] }
                                }
                            }
                            out[((r * c + ch) * outH + ph) * outW + pw] = maxMode ? value : value / count
                        }
                    }
                }
            }
            return .fromDoubles(out, shape: [rois.shape[0], c, outH, outW], type: type)
        }
    }

    static let deformConv: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...5)
        let type = try ctx.sameType([0, 1, 2, 3, 4])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let window = try WindowAttributes(ctx)
        let groups = try ctx.int("group", default: 1), offsetGroups = try ctx.int("offset_group", default: 1)
        guard groups >= 1, offsetGroups >= 1 else { throw ctx.error("group and offset_group must be ≥ 1") }
        return ONNXKernel(type) { inputs in
            let (x, w, offset) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard x.rank == 4, w.rank == 4, offset.rank == 4 else {
                throw ONNXError("Lepton's DeformConv is 2-D: X \(x.shape), W \(w.shape) and offset \(offset.shape) must be 4-D")
            }
            let (n, ic, ih, iw) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
            let (oc, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
            let (oh, ow) = (offset.shape[2], offset.shape[3])
            guard ic == w.shape[1] * groups, oc % groups == 0, ic % offsetGroups == 0,
                  offset.shape == [n, offsetGroups * kh * kw * 2, oh, ow] else {
                throw ONNXError("X \(x.shape), W \(w.shape) and offset \(offset.shape) do not fit group \(groups) and offset_group \(offsetGroups)")
            }
            let (s, d, begin, end) = try window.resolve(spatial: [ih, iw], kernel: [kh, kw])
            guard oh == (ih + begin[0] + end[0] - ((kh - 1) * d[0] + 1)) / s[0] + 1,
                  ow == (iw + begin[1] + end[1] - ((kw - 1) * d[1] + 1)) / s[1] + 1 else {
                throw ONNXError("offset's output size \([oh, ow]) does not match the convolution geometry")
            }
            let bias = inputs.count > 3 ? inputs[3]?.doubles : nil
            let mask = inputs.count > 4 ? inputs[4] : nil
            if let mask, mask.shape != [n, offsetGroups * kh * kw, oh, ow] { throw ONNXError("mask has shape \(mask.shape), expected \([n, offsetGroups * kh * kw, oh, ow])") }
            if let bias, bias.count != oc { throw ONNXError("B has \(bias.count) values, expected \(oc)") }
            let (xs, ws, offsets, masks) = (x.doubles, w.doubles, offset.doubles, mask?.doubles)
            let (icg, ocg, icOffset) = (w.shape[1], oc / groups, ic / offsetGroups)
            func sample(_ plane: Int, _ y: Double, _ xx: Double) throws -> Double {
                guard y.isFinite, xx.isFinite else { throw ONNXError("offset or input holds a non-finite sampling position (\(y), \(xx))") }
                // Beyond a pixel outside the image every tap reads zero.
                guard y > -1, y < Double(ih), xx > -1, xx < Double(iw) else { return 0 }
                let (y0, x0) = (Int(y.rounded(.down)), Int(xx.rounded(.down)))
                var v = 0.0
                for (yy, wy) in [(y0, 1 - (y - Double(y0))), (y0 + 1, y - Double(y0))] where yy >= 0 && yy < ih {
                    for (xc, wx) in [(x0, 1 - (xx - Double(x0))), (x0 + 1, xx - Double(x0))] where xc >= 0 && xc < iw {
                        v += wy * wx * xs[plane + yy * iw + xc]
                    }
                }
                return v
            }
            var out = [Double](repeating: 0, count: n * oc * oh * ow)
            for b in 0..<n {
                for o in 0..<oc {
                    for i in 0..<oh {
                        for j in 0..<ow {
                            var sum = bias?[o] ?? 0
                            for cg in 0..<icg {
                                let channel = (o / ocg) * icg + cg, og = channel / icOffset
                                for ki in 0..<kh {
                                    for kj in 0..<kw {
                                        let k = ki * kw + kj
                                        let dy = offsets[((b * offsetGroups * kh * kw + og * kh * kw + k) * 2 * oh + i) * ow + j]
                                        let dx = offsets[(((b * offsetGroups * kh * kw + og * kh * kw + k) * 2 + 1) * oh + i) * ow + j]
                                        let m = masks?[((b * offsetGroups * kh * kw + og * kh * kw + k) * oh + i) * ow + j] ?? 1
                                        let y = Double(-begin[0] + s[0] * i + ki * d[0]) + dy
                                        let xx = Double(-begin[1] + s[1] * j + kj * d[1]) + dx
                                        sum += try ws[((o * icg + cg) * kh + ki) * kw + kj] * m * sample((b * ic + channel) * ih * iw, y, xx)
                                    }
                                }
                            }
                            out[((b * oc + o) * oh + i) * ow + j] = sum
                        }
                    }
                }
            }
            return .fromDoubles(out, shape: [n, oc, oh, ow], type: type)
        }
    }
}
