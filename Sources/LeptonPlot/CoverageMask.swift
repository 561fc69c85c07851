/// How much of each pixel of a region a shape covers (0…1), accumulated as the maximum over the
/// shape's parts, then painted onto a canvas in one pass — so the joints of a polyline are not
/// painted twice and stay as light as its edges.
struct CoverageMask {
    let x0: Int, y0: Int, width: Int, height: Int
    private var coverage: [Float]

    /// A mask over the pixels of `region` clipped to a `canvasWidth × canvasHeight` canvas.
    init(region: PlotRect, canvasWidth: Int, canvasHeight: Int) {
        func clamp(_ v: Double, _ hi: Int) -> Int { v.isFinite ? Int(min(max(v, 0), Double(hi))) : 0 }
        let left = clamp(region.minX.rounded(.down), canvasWidth), right = clamp(region.maxX.rounded(.up), canvasWidth)
        let top = clamp(region.minY.rounded(.down), canvasHeight), bottom = clamp(region.maxY.rounded(.up), canvasHeight)
        (x0, y0, width, height) = (left, top, max(right - left, 0), max(bottom - top, 0))
        coverage = [Float](repeating: 0, count: width * height)
    }

    /// Covers the pixels within `halfWidth + ½` of the segment `a`–`b` (round caps), each by the
    /// part of a pixel-wide band that lies inside the stroke.
    mutating func addSegment(_ a: PlotPoint, _ b: PlotPoint, halfWidth: Double) {
        let reach = halfWidth + 1
        let dx = b.x - a.x, dy = b.y - a.y, lengthSquared = dx * dx + dy * dy
        forEachPixel(minX: min(a.x, b.x) - reach, maxX: max(a.x, b.x) + reach,
                     minY: min(a.y, b.y) - reach, maxY: max(a.y, b.y) + reach) { cx, cy in
            let t = lengthSquared > 0 ? min(max(((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared, 0), 1) : 0
            let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
            return halfWidth + 0.5 - (ex * ex + ey * ey).squareRoot()
        }
    }

    /// Covers a disc of `radius` around `center`.
    mutating func addDisc(_ center: PlotPoint, radius: Double) {
        addSegment(center, center, halfWidth: radius)
    }

    /// Paints `color` onto `canvas` at each pixel's coverage.
    func paint(_ color: RGB, on canvas: inout Canvas) {
        for row in 0..<height {
            for column in 0..<width {
                let c = coverage[row * width + column]
                if c > 0 { canvas.blend(x: x0 + column, y: y0 + row, color, alpha: Double(c)) }
            }
        }
    }

    /// Raises each mask pixel within the bounds to `coverage(centreX, centreY)` (clamped to 0…1)
    /// where that is more than it has.
    mutating func forEachPixel(minX: Double, maxX: Double, minY: Double, maxY: Double, coverage amount: (Double, Double) -> Double) {
        guard minX.isFinite, maxX.isFinite, minY.isFinite, maxY.isFinite else { return }
        let left = max(x0, Int(max(minX, Double(x0)).rounded(.down))), right = min(x0 + width, Int(min(maxX, Double(x0 + width)).rounded(.up)))
        let top = max(y0, Int(max(minY, Double(y0)).rounded(.down))), bottom = min(y0 + height, Int(min(maxY, Double(y0 + height)).rounded(.up)))
        guard left < right, top < bottom else { return }
        for py in top..<bottom {
            for px in left..<right {
                let c = amount(Double(px) + 0.5, Double(py) + 0.5)
                guard c > 0 else { continue }
                let i = (py - y0) * width + (px - x0)
                coverage[i] = max(coverage[i], Float(min(c, 1)))
            }
        }
    }
}
