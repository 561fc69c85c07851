/// The shape drawn at each data point of a series.
public enum MarkerShape: String, CaseIterable, Sendable {
    /// A filled disc.
    case circle
    /// A filled square, a little smaller than the disc so both look the same size.
    case square
    /// A filled square turned 45°.
    case diamond
}

/// Markers and outlined rectangles.
extension Canvas {
    /// Draws an anti-aliased marker of `size` pixels across, centred on `center`.
    ///
    /// ```swift
    /// canvas.drawMarker(.circle, at: PlotPoint(50, 50), size: 7, color: RGB.series[0])
    /// ```
    public mutating func drawMarker(_ shape: MarkerShape, at center: PlotPoint, size: Double, color: RGB, clip: PlotRect? = nil) {
        guard size.isFinite, size > 0, center.x.isFinite, center.y.isFinite else { return }
        let r = size / 2
        let canvasRect = PlotRect(x: 0, y: 0, width: Double(width), height: Double(height))
        let region = (clip ?? canvasRect).intersection(PlotRect.bounding([center], margin: size + 1))
        var mask = CoverageMask(region: region, canvasWidth: width, canvasHeight: height)
        switch shape {
        case .circle:
            mask.addDisc(center, radius: r)
        case .square:
            let side = (size * 0.85).rounded()
            mask.addBox(PlotRect(x: center.x - side / 2, y: center.y - side / 2, width: side, height: side))
        case .diamond:
            let d = r * 1.2
            let corners = [PlotPoint(center.x, center.y - d), PlotPoint(center.x + d, center.y), PlotPoint(center.x, center.y + d), PlotPoint(center.x - d, center.y)]
            mask.addConvexPolygon(corners)
        }
        mask.paint(color, on: &self)
    }

    /// Draws the one-pixel outline just inside the integer rectangle (`x`, `y`, `w`, `h`).
    public mutating func strokeRectangle(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB, alpha: Double = 1) {
        guard w > 0, h > 0 else { return }
        fill(x: x, y: y, width: w, height: 1, color, alpha: alpha)
        fill(x: x, y: y + h - 1, width: w, height: 1, color, alpha: alpha)
        fill(x: x, y: y + 1, width: 1, height: max(h - 2, 0), color, alpha: alpha)
        fill(x: x + w - 1, y: y + 1, width: 1, height: max(h - 2, 0), color, alpha: alpha)
    }
}

extension CoverageMask {
    /// Covers `box` with anti-aliased edges (each pixel by the area of it inside the box).
    mutating func addBox(_ box: PlotRect) {
        addConvexPolygon([PlotPoint(box.minX, box.minY), PlotPoint(box.maxX, box.minY),
                          PlotPoint(box.maxX, box.maxY), PlotPoint(box.minX, box.maxY)])
    }

    /// Covers a convex polygon (corners in either order): each pixel by its centre's signed
    /// distance to the nearest edge, clamped to one pixel of fade.
    mutating func addConvexPolygon(_ corners: [PlotPoint]) {
        guard corners.count >= 3, corners.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let next: [PlotPoint] = Array(corners.dropFirst()) + [corners[0]]
        var area = 0.0
        var edges: [(start: PlotPoint, ux: Double, uy: Double)] = []
        for (a, b) in zip(corners, next) {
            area += a.x * b.y - b.x * a.y
            let dx = b.x - a.x, dy = b.y - a.y
            let length = (dx * dx + dy * dy).squareRoot()
            if length > 0 { edges.append((a, dx / length, dy / length)) }
        }
        let orientation: Double = area >= 0 ? 1 : -1
        forEachPixel(minX: xs.min()! - 1, maxX: xs.max()! + 1, minY: ys.min()! - 1, maxY: ys.max()! + 1) { cx, cy in
            // Inside distance: the smallest distance to an edge line, positive inside.
            var inside = Double.infinity
            for edge in edges {
                let across = (cy - edge.start.y) * edge.ux - (cx - edge.start.x) * edge.uy
                inside = min(inside, orientation * across)
            }
            return inside + 0.5
        }
    }
}
