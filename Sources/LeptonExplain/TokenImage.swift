import LeptonPlot

/// A text with its tokens highlighted by attribution, drawn as a picture (the PNG form of
/// ``TokenHTML``): red behind a token that pushes the explained output up, blue behind one that
/// pushes it down, stronger with the magnitude; a caption names the output, score and method.
public enum TokenImage {
    /// The canvas for `attribution`, wrapped to `width` pixels.
    /// - Throws: ``LeptonPlot/PlotError`` for a width too small for the longest token.
    public static func canvas(_ attribution: TokenAttribution, caption: String, width: Int = 900) throws -> Canvas {
        let scale = 2, gap = 8, padding = 4, margin = 16
        let lineHeight = PixelFont.height(scale: scale) + 2 * padding + gap
        let widths = attribution.tokens.map { PixelFont.width(of: $0, scale: scale) + 2 * padding }
        guard let widest = widths.max(), widest + 2 * margin <= width else {
            throw PlotError("token image: \(width) pixels are too narrow for the tokens (widest \(widths.max() ?? 0) + margins)")
        }
        // Lay the tokens out in lines.
        var places: [(x: Int, line: Int)] = []
        var x = margin, line = 0
        for w in widths {
            if x + w > width - margin { (x, line) = (margin, line + 1) }
            places.append((x, line))
            x += w + gap
        }
        let top = margin + PixelFont.height(scale: 1) * 2 + gap
        var canvas = try Canvas(width: width, height: top + (line + 1) * lineHeight + margin)
        canvas.drawText(caption, x: margin, y: margin, color: .black, scale: 1)
        let largest = attribution.values.map { abs($0) }.max() ?? 0
        for (index, token) in attribution.tokens.enumerated() {
            let value = attribution.values[index]
            let alpha = largest > 0 ? Double(abs(value) / largest) * 0.85 : 0
            let (px, py) = (places[index].x, top + places[index].line * lineHeight)
            canvas.fill(x: px, y: py, width: widths[index], height: lineHeight - gap, value >= 0 ? .red : RGB.series[0], alpha: alpha)
            canvas.drawText(token, x: px + padding, y: py + padding, color: .black, scale: scale)
        }
        return canvas
    }
}
