/// A point on a ``Canvas`` in pixel units: (0, 0) is the top-left corner of the top-left pixel,
/// so the centre of pixel (i, j) is (i + 0.5, j + 0.5).
public struct PlotPoint: Equatable, Sendable {
    /// Pixels from the left edge.
    public var x: Double
    /// Pixels from the top edge.
    public var y: Double

    /// The point (`x`, `y`).
    public init(_ x: Double, _ y: Double) { (self.x, self.y) = (x, y) }
}

/// An axis-aligned rectangle on a ``Canvas`` in pixel units.
public struct PlotRect: Equatable, Sendable {
    /// The left edge.
    public var x: Double
    /// The top edge.
    public var y: Double
    /// The width in pixels.
    public var width: Double
    /// The height in pixels.
    public var height: Double

    /// The rectangle with top-left corner (`x`, `y`) and the given size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// The left edge.
    public var minX: Double { x }
    /// The top edge.
    public var minY: Double { y }
    /// The right edge.
    public var maxX: Double { x + width }
    /// The bottom edge.
    public var maxY: Double { y + height }

    /// Whether `point` lies inside or on the border.
    public func contains(_ point: PlotPoint) -> Bool {
        point.x >= minX && point.x <= maxX && point.y >= minY && point.y <= maxY
    }

    /// The part of `self` inside `other` (zero-sized when they do not meet).
    public func intersection(_ other: PlotRect) -> PlotRect {
        let left = max(minX, other.minX), top = max(minY, other.minY)
        return PlotRect(x: left, y: top, width: max(min(maxX, other.maxX) - left, 0), height: max(min(maxY, other.maxY) - top, 0))
    }

    /// The smallest rectangle holding `points`, grown by `margin` on every side.
    static func bounding(_ points: [PlotPoint], margin: Double) -> PlotRect {
        let xs = points.map(\.x), ys = points.map(\.y)
        let left = (xs.min() ?? 0) - margin, top = (ys.min() ?? 0) - margin
        return PlotRect(x: left, y: top, width: (xs.max() ?? 0) + margin - left, height: (ys.max() ?? 0) + margin - top)
    }

    /// The rectangle shrunk by `amount` on every side (never below zero size).
    public func insetBy(_ amount: Double) -> PlotRect {
        PlotRect(x: x + amount, y: y + amount, width: max(width - 2 * amount, 0), height: max(height - 2 * amount, 0))
    }
}
