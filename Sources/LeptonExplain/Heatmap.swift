import Foundation
import LeptonPlot
import LeptonTensor

/// Draws an attribution as a PNG of three panels side by side — the input, the map (inferno for
/// magnitudes, coolwarm centred on zero for signed values, with a colour bar under it) and the
/// map over the input — each enlarged so that a small image (a 28×28 digit) is easy to see.
public enum Heatmap {
    /// Space between and around the panels, in pixels.
    static let gap = 12
    /// The height of the colour bar under the map panel.
    static let barHeight = 10

    /// The enlargement of a `height × width` image: panels about 280 pixels on their long side,
    /// never smaller than the image.
    public static func scale(height: Int, width: Int) -> Int { max(1, 280 / max(1, max(height, width))) }

    /// The three panels for `image` (`[1, height, width, channels]` or `[height, width, channels]`,
    /// 1 or 3 channels, any value range) and its attribution (one value per pixel or per element).
    /// - Throws: ``ExplainError`` when the shapes disagree; ``LeptonPlot/PlotError`` for a canvas too large.
    public static func canvas(image: Tensor, attribution: Attribution) throws -> Canvas {
        let shape = image.rank == 4 ? Array(image.shape.dropFirst()) : image.shape
        guard shape.count == 3, shape[2] == 1 || shape[2] == 3 else {
            throw ExplainError("a heatmap needs an image [height, width, 1 or 3], got \(image.shape)")
        }
        let (h, w, c) = (shape[0], shape[1], shape[2])
        let map = attribution.pixelMap
        guard map.count == h * w else {
            throw ExplainError("the attribution has \(map.count) values per image, the image \(h)×\(w) pixels")
        }
        let pixels = displayPixels(image.scalars, channels: c)
        let colors = mapColors(map, signed: attribution.isSigned)
        let s = scale(height: h, width: w), pw = w * s, ph = h * s
        var canvas = try Canvas(width: 3 * pw + 4 * gap, height: ph + 3 * gap + barHeight, background: .white)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let base = pixels[i], (color, alpha) = colors[i]
                canvas.fill(x: gap + x * s, y: gap + y * s, width: s, height: s, base)
                canvas.fill(x: 2 * gap + pw + x * s, y: gap + y * s, width: s, height: s, color)
                canvas.fill(x: 3 * gap + 2 * pw + x * s, y: gap + y * s, width: s, height: s, base.greyed)
                canvas.fill(x: 3 * gap + 2 * pw + x * s, y: gap + y * s, width: s, height: s, color, alpha: alpha)
            }
        }
        let colormap: Colormap = attribution.isSigned ? .coolwarm : .inferno
        for x in 0..<pw {
            canvas.fill(x: 2 * gap + pw + x, y: ph + 2 * gap, width: 1, height: barHeight,
                        colormap.color(Double(x) / Double(max(1, pw - 1))))
        }
        return canvas
    }

    /// Writes ``canvas(image:attribution:)`` to `url` as a PNG.
    public static func write(image: Tensor, attribution: Attribution, to url: URL) throws {
        try canvas(image: image, attribution: attribution).write(to: url)
    }

    /// The input's pixels as colours, its values stretched from their minimum to their maximum.
    static func displayPixels(_ values: [Float], channels: Int) -> [RGB] {
        let low = values.min() ?? 0, high = values.max() ?? 1
        let span = high > low ? high - low : 1
        func byte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, ((v - low) / span * 255).rounded()))) }
        return Swift.stride(from: 0, to: values.count, by: channels).map { i in
            channels == 3 ? RGB(byte(values[i]), byte(values[i + 1]), byte(values[i + 2]))
                : RGB(byte(values[i]), byte(values[i]), byte(values[i]))
        }
    }

    /// Each value's colour and its opacity over the input. Magnitudes are scaled by their 99th
    /// percentile (so one extreme pixel does not wash out the rest) on inferno; signed values by
    /// the 99th percentile of |value| on coolwarm, zero white.
    static func mapColors(_ map: [Float], signed: Bool) -> [(RGB, Double)] {
        let magnitudes = map.map { abs($0) }.sorted()
        let top = magnitudes.isEmpty ? 0 : magnitudes[min(magnitudes.count - 1, Int(Double(magnitudes.count) * 0.99))]
        let limit = top > 0 ? top : (magnitudes.last ?? 0) > 0 ? magnitudes.last! : 1
        return map.map { v in
            let t = Double(max(-1, min(1, v / limit)))
            if signed { return (Colormap.coolwarm.color(0.5 + 0.5 * t), 0.85 * abs(t)) }
            return (Colormap.inferno.color(max(0, t)), 0.2 + 0.6 * max(0, t))
        }
    }
}

extension RGB {
    /// The colour as grey, dimmed, so a map drawn over it stands out.
    var greyed: RGB {
        let luma = (0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)) * 0.8
        let v = UInt8(max(0, min(255, luma.rounded())))
        return RGB(v, v, v)
    }
}
