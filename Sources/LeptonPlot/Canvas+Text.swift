/// Where a text box sits relative to its anchor point, horizontally.
public enum HorizontalAlignment: Sendable {
    /// The anchor is the box's left edge.
    case left
    /// The anchor is the box's centre.
    case center
    /// The anchor is the box's right edge.
    case right
}

/// Where a text box sits relative to its anchor point, vertically.
public enum VerticalAlignment: Sendable {
    /// The anchor is the box's top edge.
    case top
    /// The anchor is the box's middle.
    case middle
    /// The anchor is the box's bottom edge.
    case bottom
}

/// Text in ``PixelFont``, each font pixel a `scale × scale` square.
extension Canvas {
    /// Draws one line of `text` anchored at (`x`, `y`).
    /// - Parameters:
    ///   - scale: pixels per font pixel (1 or more).
    ///   - horizontal, vertical: how the text's box sits around the anchor.
    ///   - rotated: reads upwards (turned 90° counter-clockwise), as a y-axis label; the
    ///     alignments then apply to the turned box.
    ///   - bold: draws each pixel twice, one pixel apart.
    ///
    /// ```swift
    /// canvas.drawText("val_loss", x: 400, y: 10, color: .black, scale: 2, horizontal: .center)
    /// ```
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGB, scale: Int = 1,
                                  horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .top,
                                  rotated: Bool = false, bold: Bool = false) {
        let s = max(scale, 1)
        let length = PixelFont.width(of: text, scale: s) + (bold ? 1 : 0), thickness = PixelFont.height(scale: s)
        let boxWidth = rotated ? thickness : length, boxHeight = rotated ? length : thickness
        let left = x - Self.offset(boxWidth, horizontal), top = y - Self.offset(boxHeight, vertical)
        for (index, character) in text.enumerated() {
            for column in 0..<PixelFont.glyphWidth {
                for row in 0..<PixelFont.glyphHeight where PixelFont.isSet(character, column: column, row: row) {
                    // (u, v): the pixel's place along and across the unturned line.
                    let u = (index * PixelFont.advance + column) * s, v = row * s
                    for boldShift in 0...(bold ? 1 : 0) {
                        if rotated {
                            fill(x: left + v, y: top + length - u - s - boldShift, width: s, height: s, color)
                        } else {
                            fill(x: left + u + boldShift, y: top + v, width: s, height: s, color)
                        }
                    }
                }
            }
        }
    }

    /// How far the box's left or top edge lies before the anchor.
    private static func offset(_ size: Int, _ alignment: HorizontalAlignment) -> Int {
        switch alignment {
        case .left: 0
        case .center: size / 2
        case .right: size
        }
    }

    private static func offset(_ size: Int, _ alignment: VerticalAlignment) -> Int {
        switch alignment {
        case .top: 0
        case .middle: size / 2
        case .bottom: size
        }
    }
}
