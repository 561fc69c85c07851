/// A point on a ``Canvas`` in pixel units: (0, 0) is the top-left corner of the top-left pixel,
/// so the centre of pixel (i, j) is (i + 0.5, j + 0.5).
public struct PlotPoint: Equatable, Sendable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) { (self.x, self.y) = (x, y) }
}

/// An axis-aligned rectangle on a ``Canvas`` in pixel units.
public struct PlotRect: Equatable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }

    /// Whether `point` lies inside or on the border.
    public func contains(_ point: PlotPoint) -> Bool {
        point.x >= minX && point.x <= maxX && point.y >= minY && point.y <= maxY
    }

    /// The rectangle shrunk by `amount` on every side (never below zero size).
    public func insetBy(_ amount: Double) -> PlotRect {
        PlotRect(x: x + amount, y: y + amount, width: max(width - 2 * amount, 0), height: max(height - 2 * amount, 0))
    }
}
