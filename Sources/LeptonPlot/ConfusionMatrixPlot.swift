/// A confusion matrix as a heatmap: row = true class, column = predicted class, each cell
/// coloured by its count (``Colormap/viridis`` by default) with the counts written in when the
/// largest fits a cell, class names on both axes and a colour bar.
///
/// ```swift
/// let plot = ConfusionMatrixPlot(counts: [[50, 2], [5, 43]], classNames: ["cat", "dog"])
/// try plot.render().write(to: URL(fileURLWithPath: "confusion-matrix.png"))
/// ```
public struct ConfusionMatrixPlot: Sendable {
    /// `counts[true][predicted]`.
    public var counts: [[Int]]
    /// One name per class, by index.
    public var classNames: [String]
    /// The text above the matrix.
    public var title: String
    /// The colours from no samples (0) to the largest count (1).
    public var colormap: Colormap = .viridis

    /// The most classes drawn; the image stays under about 1,700 pixels a side.
    public static let maximumClasses = 500
    /// Class names longer than this are cut (with "…" as "..") so labels keep their room.
    public static let maximumNameLength = 16

    /// A plot of `counts`; class names default to the indices "0", "1", ….
    public init(counts: [[Int]], classNames: [String]? = nil, title: String = "Confusion matrix") {
        self.counts = counts
        self.classNames = classNames ?? counts.indices.map(String.init)
        self.title = title
    }

    /// The side of a cell in pixels for `classes` classes: 64 for up to 10, shrinking so the
    /// matrix stays about 640 pixels wide, never under 3.
    public static func cellSize(classes: Int) -> Int { min(64, max(3, 640 / max(classes, 1))) }

    /// The colour of a cell holding `count` when the largest count is `maximum`.
    public func color(count: Int, maximum: Int) -> RGB { colormap.color(Double(count) / Double(max(maximum, 1))) }

    /// The heatmap image.
    /// - Throws: ``PlotError`` when the matrix is empty, not square, has a negative count, has
    ///   more than ``maximumClasses`` classes, or the names are not one per class.
    public func render() throws -> Canvas {
        try validate()
        let n = counts.count, cell = Self.cellSize(classes: n), maximum = counts.joined().max() ?? 0
        let s = n <= 20 ? 2 : 1, line = PixelFont.height(scale: s), pad = 6 * s
        let names = classNames.map { $0.count > Self.maximumNameLength ? String($0.prefix(Self.maximumNameLength - 2)) + ".." : $0 }
        let nameWidth = names.map { PixelFont.width(of: $0, scale: s) }.max() ?? 0
        let labelEvery = max(1, (line + 2 + cell - 1) / cell)
        let columnNamesFlat = nameWidth + 2 * s <= cell * labelEvery
        let grid = n * cell
        let left = pad + line + pad + nameWidth + pad, top = pad + line + pad
        let columnNamesHeight = columnNamesFlat ? line : nameWidth
        let bottom = pad + columnNamesHeight + pad + line + pad
        let barWidth = 10 * s, barLabels = [0, maximum / 2, maximum].map(String.init)
        let right = 2 * pad + barWidth + pad + (barLabels.map { PixelFont.width(of: $0, scale: s) }.max() ?? 0) + pad
        var canvas = try Canvas(width: left + grid + right, height: top + grid + bottom)
        let text = ChartLayout.textColor
        // One text size for every count: the largest at which the largest count fits a cell.
        let countScale = [2, 1].first { PixelFont.width(of: String(maximum), scale: $0) + 4 <= cell && PixelFont.height(scale: $0) + 4 <= cell }

        canvas.drawText(title, x: left + grid / 2, y: pad, color: .black, scale: s, horizontal: .center, bold: true)
        for (row, counts) in counts.enumerated() {
            for (column, count) in counts.enumerated() {
                let fillColor = color(count: count, maximum: maximum)
                canvas.fill(x: left + column * cell, y: top + row * cell, width: cell, height: cell, fillColor)
                if let countScale {
                    drawCount(count, scale: countScale, in: cell, at: (left + column * cell, top + row * cell), on: &canvas, over: fillColor)
                }
            }
        }
        for (index, name) in names.enumerated() where index % labelEvery == 0 {
            let middle = index * cell + cell / 2
            canvas.drawText(name, x: left - pad, y: top + middle, color: text, scale: s, horizontal: .right, vertical: .middle)
            canvas.drawText(name, x: left + middle, y: top + grid + pad, color: text, scale: s,
                            horizontal: .center, vertical: .top, rotated: !columnNamesFlat)
        }
        canvas.drawText("true class", x: pad, y: top + grid / 2, color: text, scale: s, vertical: .middle, rotated: true)
        canvas.drawText("predicted class", x: left + grid / 2, y: top + grid + pad + columnNamesHeight + pad, color: text, scale: s, horizontal: .center)
        drawColorBar(on: &canvas, x: left + grid + 2 * pad, top: top, height: grid, width: barWidth, labels: barLabels, scale: s)
        return canvas
    }

    /// Writes `count` centred in its cell, in black or white, whichever stands out on `background`.
    private func drawCount(_ count: Int, scale: Int, in cell: Int, at origin: (x: Int, y: Int), on canvas: inout Canvas, over background: RGB) {
        let label = String(count)
        let color: RGB = Self.luminance(background) > 0.5 ? RGB(20, 20, 20) : .white
        canvas.drawText(label, x: origin.x + cell / 2, y: origin.y + cell / 2 + scale / 2, color: color, scale: scale,
                        horizontal: .center, vertical: .middle)
    }

    private func drawColorBar(on canvas: inout Canvas, x: Int, top: Int, height: Int, width: Int, labels: [String], scale: Int) {
        guard height > 1 else { return }
        for row in 0..<height {
            canvas.fill(x: x, y: top + row, width: width, height: 1, colormap.color(1 - Double(row) / Double(height - 1)))
        }
        canvas.strokeRectangle(x: x, y: top, width: width, height: height, ChartLayout.axisColor)
        for (index, label) in labels.enumerated() {
            let y = top + height - 1 - index * (height - 1) / 2
            canvas.fill(x: x + width, y: y, width: 2 * scale, height: 1, ChartLayout.axisColor)
            canvas.drawText(label, x: x + width + 4 * scale, y: y, color: ChartLayout.textColor, scale: scale, vertical: .middle)
        }
    }

    /// Relative luminance (0…1) of an sRGB colour, by the Rec. 709 weights on the 8-bit values.
    static func luminance(_ c: RGB) -> Double { (0.2126 * Double(c.r) + 0.7152 * Double(c.g) + 0.0722 * Double(c.b)) / 255 }

    private func validate() throws {
        let n = counts.count
        guard n > 0 else { throw PlotError("confusion matrix: no classes; expected counts[true][predicted] for at least one class") }
        guard n <= Self.maximumClasses else {
            throw PlotError("confusion matrix: \(n) classes; at most \(Self.maximumClasses) can be drawn")
        }
        if let row = counts.firstIndex(where: { $0.count != n }) {
            throw PlotError("confusion matrix: row \(row) has \(counts[row].count) counts; expected \(n) (a square matrix)")
        }
        if let row = counts.firstIndex(where: { $0.contains { $0 < 0 } }) {
            throw PlotError("confusion matrix: row \(row) has a negative count; expected counts of samples")
        }
        guard classNames.count == n else {
            throw PlotError("confusion matrix: \(classNames.count) class names for \(n) classes; expected one name per class")
        }
    }
}
