/// A chart's legend: a boxed list of line samples and names, placed in the corner of the plot
/// that hides the fewest data points.
struct ChartLegend {
    struct Entry {
        let name: String
        let color: RGB
        let dashed: Bool
        let marker: MarkerShape?
    }

    let entries: [Entry]
    let lineWidth: Double

    func draw(on canvas: inout Canvas, layout: ChartLayout, avoiding points: [PlotPoint]) {
        guard !entries.isEmpty else { return }
        let s = layout.scale, pad = 4 * s, line = PixelFont.height(scale: s), rowHeight = line + 3 * s
        let sample = 7 * PixelFont.advance * s / 2
        let width = pad + sample + pad + (entries.map { PixelFont.width(of: $0.name, scale: s) }.max() ?? 0) + pad
        let height = pad + entries.count * rowHeight - 3 * s + pad
        let plot = layout.plot, margin = Double(3 * s)
        guard Double(width) + 2 * margin <= plot.width, Double(height) + 2 * margin <= plot.height else { return }
        let candidates = [
            PlotRect(x: plot.maxX - margin - Double(width), y: plot.minY + margin, width: Double(width), height: Double(height)),
            PlotRect(x: plot.minX + margin, y: plot.minY + margin, width: Double(width), height: Double(height)),
            PlotRect(x: plot.maxX - margin - Double(width), y: plot.maxY - margin - Double(height), width: Double(width), height: Double(height)),
            PlotRect(x: plot.minX + margin, y: plot.maxY - margin - Double(height), width: Double(width), height: Double(height)),
        ]
        // Points hidden by a box, counting the segments between points by sampling them.
        let samples = zip(points, points.dropFirst()).flatMap { a, b in
            (0..<4).map { PlotPoint(a.x + (b.x - a.x) * Double($0) / 4, a.y + (b.y - a.y) * Double($0) / 4) }
        } + points
        let box = candidates.min { a, b in
            samples.filter { a.insetBy(-margin).contains($0) }.count < samples.filter { b.insetBy(-margin).contains($0) }.count
        } ?? candidates[0]
        let x = Int(box.minX), y = Int(box.minY)
        canvas.fill(x: x, y: y, width: width, height: height, .white, alpha: 0.88)
        canvas.strokeRectangle(x: x, y: y, width: width, height: height, RGB(200, 200, 200))
        for (row, entry) in entries.enumerated() {
            let middle = Double(y + pad + row * rowHeight) + Double(line) / 2 - Double(s) / 2
            let start = PlotPoint(Double(x + pad), middle), end = PlotPoint(Double(x + pad + sample), middle)
            canvas.strokeLine(from: start, to: end, color: entry.color, width: lineWidth,
                              dash: entry.dashed ? Canvas.dashPattern(width: lineWidth * 0.75) : [])
            if let marker = entry.marker {
                canvas.drawMarker(marker, at: PlotPoint((start.x + end.x) / 2, middle), size: 3.2 * lineWidth, color: entry.color)
            }
            canvas.drawText(entry.name, x: x + pad + sample + pad, y: y + pad + row * rowHeight, color: ChartLayout.textColor, scale: s)
        }
    }
}
