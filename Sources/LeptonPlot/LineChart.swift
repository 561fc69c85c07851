import Foundation

/// A line chart: one or more series of (x, y) points over axes with "nice" ticks, grid lines,
/// a title, axis labels and a legend; the x axis may be logarithmic.
///
/// ```swift
/// var chart = LineChart(title: "ROC", xLabel: "false accept rate", yLabel: "true accept rate",
///                       series: [.init(name: "model", x: far, y: tar)])
/// chart.logX = true
/// try chart.render().write(to: URL(fileURLWithPath: "roc.png"))
/// ```
public struct LineChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        /// The legend's text for the series (empty: no legend entry).
        public var name: String
        /// The points' x coordinates.
        public var x: [Double]
        /// The points' y coordinates, one per x.
        public var y: [Double]
        /// nil: the next colour of ``RGB/series``.
        public var color: RGB?
        /// Whether the line is dashed (e.g. validation next to a solid training line).
        public var dashed: Bool
        /// Markers at the points; nil: circles when the series has at most ``LineChart/markerLimit`` points.
        public var marker: MarkerShape?
        /// Whether the series has a legend entry (a second line of a pair may share the first's).
        public var showsInLegend = true

        /// A series named `name` (its legend entry) through the points (`x[i]`, `y[i]`).
        public init(name: String, x: [Double], y: [Double], color: RGB? = nil, dashed: Bool = false) {
            (self.name, self.x, self.y, self.color, self.dashed) = (name, x, y, color, dashed)
        }
    }

    /// The text above the plot (empty: none).
    public var title: String
    /// The text under the x axis (empty: none).
    public var xLabel: String
    /// The text beside the y axis, reading upwards (empty: none).
    public var yLabel: String
    /// The lines, drawn in order; a series without a colour takes the ``RGB/series`` colour of its index.
    public var series: [Series]
    /// The x axis's range; nil: from the data, with a margin.
    public var xRange: ClosedRange<Double>?
    /// The y axis's range; nil: from the data, with a margin.
    public var yRange: ClosedRange<Double>?
    /// Whether the x axis is logarithmic (every x must then be positive).
    public var logX: Bool = false
    /// The width of the series' lines in pixels at the chart's text scale 1 (doubled at scale 2).
    public var lineWidth: Double = 1.25

    /// A series with at most this many points gets markers unless it says otherwise.
    public static let markerLimit = 30
    /// The smallest chart drawn, so labels and the plot area keep room.
    public static let minimumSize = (width: 160, height: 120)

    /// A chart with the given texts and series (more may be appended to ``series``).
    public init(title: String, xLabel: String, yLabel: String, series: [Series] = []) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    /// The chart as a `width × height` image.
    /// - Throws: ``PlotError`` naming the problem: a size below ``minimumSize`` or too large, no
    ///   points, a series whose x and y differ in length, a value that is not finite, a
    ///   non-positive x on a logarithmic axis, or an empty or non-finite range.
    public func render(width: Int = 800, height: Int = 500) throws -> Canvas {
        guard width >= Self.minimumSize.width, height >= Self.minimumSize.height else {
            throw PlotError("chart size \(width)×\(height): expected at least \(Self.minimumSize.width)×\(Self.minimumSize.height) pixels")
        }
        var canvas = try Canvas(width: width, height: height)
        try draw(on: &canvas, in: PlotRect(x: 0, y: 0, width: Double(width), height: Double(height)))
        return canvas
    }

    /// Draws the chart into `area` of `canvas` (as one panel of a larger image).
    /// - Throws: ``PlotError`` as ``render(width:height:)`` does.
    public func draw(on canvas: inout Canvas, in area: PlotRect) throws {
        try validate()
        let (xs, ys) = try dataRanges()
        let layout = ChartLayout(area: area, title: title, xLabel: xLabel, yLabel: yLabel, xRange: xs, yRange: ys,
                                 logX: logX, integerX: series.allSatisfy { $0.x.allSatisfy { $0 == $0.rounded() } })
        layout.drawFrame(on: &canvas)
        let width = lineWidth * Double(layout.scale)
        for (index, line) in series.enumerated() {
            let color = line.color ?? RGB.series[index % RGB.series.count]
            let points = zip(line.x, line.y).map { layout.point(x: $0, y: $1) }
            canvas.strokePolyline(points, color: color, width: width,
                                  dash: line.dashed ? Canvas.dashPattern(width: width) : [], clip: layout.plot)
            if let marker = line.marker ?? (line.x.count <= Self.markerLimit ? .circle : nil) {
                for point in points { canvas.drawMarker(marker, at: point, size: 3.2 * width, color: color, clip: layout.plot) }
            }
        }
        let entries = series.enumerated().filter { $0.element.showsInLegend && !$0.element.name.isEmpty }.map { index, line in
            ChartLegend.Entry(name: line.name, color: line.color ?? RGB.series[index % RGB.series.count], dashed: line.dashed,
                              marker: line.marker ?? (line.x.count <= Self.markerLimit ? .circle : nil))
        }
        let points = series.flatMap { zip($0.x, $0.y).map { layout.point(x: $0, y: $1) } }
        ChartLegend(entries: entries, lineWidth: width).draw(on: &canvas, layout: layout, avoiding: points)
    }

    /// Checks the series: matching lengths, finite values, positive x on a log axis, some points.
    private func validate() throws {
        for (index, line) in series.enumerated() {
            let name = line.name.isEmpty ? "series \(index)" : "series \"\(line.name)\""
            guard line.x.count == line.y.count else {
                throw PlotError("\(name): \(line.x.count) x values but \(line.y.count) y values; expected one y per x")
            }
            for (axis, values) in [("x", line.x), ("y", line.y)] {
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw PlotError("\(name): \(axis)[\(bad)] is \(values[bad]); expected finite numbers")
                }
            }
            if logX, let bad = line.x.firstIndex(where: { $0 <= 0 }) {
                throw PlotError("\(name): x[\(bad)] is \(line.x[bad]); a logarithmic x axis needs positive values")
            }
        }
        guard series.contains(where: { !$0.x.isEmpty }) else {
            throw PlotError("chart \"\(title)\": no points to plot; expected at least one series with a point")
        }
    }

    /// The axes' ranges: as set, or the data's extent with a 4 % margin (in log space on a log axis).
    private func dataRanges() throws -> (ClosedRange<Double>, ClosedRange<Double>) {
        let xValues = series.flatMap(\.x), yValues = series.flatMap(\.y)
        let x = try xRange.map { try Self.check($0, axis: "x", positive: logX) }
            ?? Self.padded(xValues.min()!, xValues.max()!, log: logX)
        let y = try yRange.map { try Self.check($0, axis: "y", positive: false) } ?? Self.padded(yValues.min()!, yValues.max()!, log: false)
        for (axis, range) in [("x", x), ("y", y)] where !(range.upperBound - range.lowerBound).isFinite || !(range.upperBound > range.lowerBound) {
            throw PlotError("chart \"\(title)\": the \(axis) values span \(range), too wide to draw; expected a finite span")
        }
        return (x, y)
    }

    private static func check(_ range: ClosedRange<Double>, axis: String, positive: Bool) throws -> ClosedRange<Double> {
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.lowerBound < range.upperBound else {
            throw PlotError("\(axis) range \(range): expected finite bounds, the lower below the upper")
        }
        guard !positive || range.lowerBound > 0 else {
            throw PlotError("\(axis) range \(range): a logarithmic axis needs a positive lower bound")
        }
        return range
    }

    static func padded(_ low: Double, _ high: Double, log: Bool) -> ClosedRange<Double> {
        if log {
            let (a, b) = (Foundation.log10(low), Foundation.log10(high))
            let margin = b > a ? (b - a) * 0.04 : 0.5
            return pow(10, a - margin)...pow(10, b + margin)
        }
        guard high > low else {
            let margin = low == 0 ? 1 : abs(low) * 0.1
            return (low - margin)...(high + margin)
        }
        let margin = (high - low) * 0.04
        return (low - margin)...(high + margin)
    }
}
