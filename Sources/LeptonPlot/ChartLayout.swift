import Foundation

/// Where a chart's parts go inside its area — title, axis labels, tick labels and the plot
/// rectangle — and how data coordinates map to pixels; draws the frame, grid and texts.
struct ChartLayout {
    let area: PlotRect
    let title: String, xLabel: String, yLabel: String
    let xRange: ClosedRange<Double>, yRange: ClosedRange<Double>
    let logX: Bool
    /// Pixels per font pixel: 2 for charts at least 360 pixels in both directions.
    let scale: Int
    let plot: PlotRect
    let xTicks: [Double], yTicks: [Double]

    static let textColor = RGB(40, 40, 40)
    static let gridColor = RGB(228, 228, 228)
    static let axisColor = RGB(110, 110, 110)

    init(area: PlotRect, title: String, xLabel: String, yLabel: String,
         xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, logX: Bool, integerX: Bool) {
        (self.area, self.title, self.xLabel, self.yLabel) = (area, title, xLabel, yLabel)
        (self.xRange, self.yRange, self.logX) = (xRange, yRange, logX)
        let s = min(area.width, area.height) >= 360 ? 2 : 1
        scale = s
        let line = Double(PixelFont.height(scale: s)), pad = Double(5 * s), tick = Double(3 * s)
        let top = pad + (title.isEmpty ? line / 2 : line + pad)
        let bottom = tick + pad + line + (xLabel.isEmpty ? 0 : pad + line) + pad
        let plotHeight = max(area.height - top - bottom, 1)
        yTicks = AxisTicks.linear(yRange, maximumCount: max(2, Int(plotHeight / (line * 2.2))))
        let yTickWidth = Double(AxisTicks.labels(for: yTicks).map { PixelFont.width(of: $0, scale: s) }.max() ?? 0)
        let left = pad + (yLabel.isEmpty ? 0 : line + pad) + yTickWidth + tick + pad
        let right = pad + Double(PixelFont.advance * s * 2)
        let plotWidth = max(area.width - left - right, 1)
        plot = PlotRect(x: (area.x + left).rounded(), y: (area.y + top).rounded(), width: plotWidth.rounded(), height: plotHeight.rounded())
        xTicks = Self.fittingTicks(xRange, log: logX, integer: integerX, length: plotWidth, scale: s)
    }

    /// The most x ticks whose labels, with two characters of space between them, fit `length`.
    static func fittingTicks(_ range: ClosedRange<Double>, log: Bool, integer: Bool, length: Double, scale: Int) -> [Double] {
        let space = Double(PixelFont.advance * scale * 2)
        var count = max(2, Int(length / space))
        while true {
            let ticks = log ? AxisTicks.logarithmic(range, maximumCount: count)
                : AxisTicks.linear(range, maximumCount: count, minimumStep: integer ? 1 : 0)
            let widest = Double(AxisTicks.labels(for: ticks).map { PixelFont.width(of: $0, scale: scale) }.max() ?? 0)
            if count <= 2 || Double(ticks.count) * (widest + space) <= length { return ticks }
            count -= 1
        }
    }

    /// The pixel position of the data point (`x`, `y`).
    func point(x: Double, y: Double) -> PlotPoint {
        let fx = logX ? (log10(x) - log10(xRange.lowerBound)) / (log10(xRange.upperBound) - log10(xRange.lowerBound))
            : (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
        let fy = (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
        return PlotPoint(plot.minX + fx * plot.width, plot.maxY - fy * plot.height)
    }

    /// Grid lines, the plot's border, tick marks and labels, the title and the axis labels.
    func drawFrame(on canvas: inout Canvas) {
        let s = scale, line = PixelFont.height(scale: s), pad = 5 * s, tick = 3 * s
        let left = Int(plot.minX), top = Int(plot.minY), right = Int(plot.maxX), bottom = Int(plot.maxY)
        let xPixels = xTicks.map { Int(point(x: $0, y: yRange.lowerBound).x.rounded(.down)) }
        let yPixels = yTicks.map { Int(point(x: xRange.lowerBound, y: $0).y.rounded(.down)) }
        for x in xPixels where x > left && x < right - 1 { canvas.fill(x: x, y: top, width: 1, height: bottom - top, Self.gridColor) }
        for y in yPixels where y > top && y < bottom - 1 { canvas.fill(x: left, y: y, width: right - left, height: 1, Self.gridColor) }
        canvas.strokeRectangle(x: left, y: top, width: right - left, height: bottom - top, Self.axisColor)
        for (x, label) in zip(xPixels, AxisTicks.labels(for: xTicks)) {
            canvas.fill(x: x, y: bottom, width: max(s / 2, 1), height: tick, Self.axisColor)
            canvas.drawText(label, x: x, y: bottom + tick + pad / 2, color: Self.textColor, scale: s, horizontal: .center)
        }
        for (y, label) in zip(yPixels, AxisTicks.labels(for: yTicks)) {
            canvas.fill(x: left - tick, y: y, width: tick, height: max(s / 2, 1), Self.axisColor)
            canvas.drawText(label, x: left - tick - pad, y: y, color: Self.textColor, scale: s, horizontal: .right, vertical: .middle)
        }
        let centreX = Int(plot.minX + plot.width / 2)
        if !title.isEmpty {
            canvas.drawText(title, x: centreX, y: Int(area.minY) + pad, color: .black, scale: s, horizontal: .center, bold: true)
        }
        if !xLabel.isEmpty {
            canvas.drawText(xLabel, x: centreX, y: bottom + tick + pad / 2 + line + pad, color: Self.textColor, scale: s, horizontal: .center)
        }
        if !yLabel.isEmpty {
            canvas.drawText(yLabel, x: Int(area.minX) + pad, y: Int(plot.minY + plot.height / 2), color: Self.textColor, scale: s,
                            horizontal: .left, vertical: .middle, rotated: true)
        }
    }
}
