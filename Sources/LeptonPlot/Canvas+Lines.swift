/// Anti-aliased strokes: each pixel is painted by how much of it the stroke covers, measured
/// by its centre's distance to the segment, so edges fade from the line's colour to the background.
extension Canvas {
    /// The dash pattern ``strokePolyline(_:color:width:dash:clip:)`` uses for a dashed series:
    /// on and off lengths in multiples of the line width.
    public static func dashPattern(width: Double) -> [Double] { [5 * max(width, 1), 3.5 * max(width, 1)] }

    /// Strokes the polyline through `points` with round caps and joints.
    /// - Parameters:
    ///   - width: the stroke's width in pixels.
    ///   - dash: alternating on and off lengths in pixels along the line (empty: solid).
    ///   - clip: only pixels inside this rectangle are painted (nil: the whole canvas).
    ///
    /// ```swift
    /// canvas.strokePolyline([PlotPoint(10, 10), PlotPoint(90, 40)], color: .red, width: 2)
    /// ```
    public mutating func strokePolyline(_ points: [PlotPoint], color: RGB, width: Double = 1, dash: [Double] = [], clip: PlotRect? = nil) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !finite.isEmpty, width.isFinite, width > 0 else { return }
        let halfWidth = width / 2
        let canvasRect = PlotRect(x: 0, y: 0, width: Double(self.width), height: Double(height))
        let region = (clip ?? canvasRect).intersection(PlotRect.bounding(finite, margin: halfWidth + 1))
        var mask = CoverageMask(region: region, canvasWidth: self.width, canvasHeight: height)
        if finite.count == 1 {
            mask.addDisc(finite[0], radius: halfWidth)
        } else {
            var dashes = DashWalker(pattern: dash)
            for (a, b) in zip(finite, finite.dropFirst()) {
                for (start, end) in dashes.pieces(from: a, to: b) { mask.addSegment(start, end, halfWidth: halfWidth) }
            }
        }
        mask.paint(color, on: &self)
    }

    /// Strokes the segment from `start` to `end` (see ``strokePolyline(_:color:width:dash:clip:)``).
    public mutating func strokeLine(from start: PlotPoint, to end: PlotPoint, color: RGB, width: Double = 1, dash: [Double] = [], clip: PlotRect? = nil) {
        strokePolyline([start, end], color: color, width: width, dash: dash, clip: clip)
    }
}

/// Splits segments into the "on" pieces of a dash pattern, carrying the pattern's phase from one
/// segment to the next so a polyline's dashes run on across its joints.
struct DashWalker {
    let pattern: [Double]
    private var index = 0
    private var leftInDash: Double

    init(pattern: [Double]) {
        let usable = pattern.allSatisfy { $0.isFinite && $0 > 0 } && pattern.count >= 2 ? pattern : []
        self.pattern = usable
        leftInDash = usable.first ?? 0
    }

    /// The visible pieces of the segment `a`–`b`.
    mutating func pieces(from a: PlotPoint, to b: PlotPoint) -> [(PlotPoint, PlotPoint)] {
        guard !pattern.isEmpty else { return [(a, b)] }
        let dx = b.x - a.x, dy = b.y - a.y, length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else { return index % 2 == 0 ? [(a, b)] : [] }
        func at(_ distance: Double) -> PlotPoint { PlotPoint(a.x + dx * distance / length, a.y + dy * distance / length) }
        var result: [(PlotPoint, PlotPoint)] = []
        var travelled = 0.0
        while travelled < length {
            let step = min(leftInDash, length - travelled)
            if index % 2 == 0 { result.append((at(travelled), at(travelled + step))) }
            travelled += step
            leftInDash -= step
            if leftInDash <= 1e-9 {
                index = (index + 1) % pattern.count
                leftInDash = pattern[index]
            }
        }
        return result
    }
}
