/// Learning curves of a training run: one panel per metric (loss, accuracy, …) with the
/// training values solid and the validation values (`val_…`) dashed in the same colour.
///
/// ```swift
/// let history = try TrainingHistory.load(URL(fileURLWithPath: "history.csv"))
/// try TrainingCurves(history: history).render().write(to: URL(fileURLWithPath: "curves.png"))
/// ```
public struct TrainingCurves: Sendable {
    /// The run's logs.
    public var history: TrainingHistory
    /// Panels side by side before a new row starts.
    public var columns: Int = 2

    /// The curves of `history`.
    public init(history: TrainingHistory) { self.history = history }

    /// The default image size for `panels` panels: 560 × 420 pixels each.
    public func defaultSize() -> (width: Int, height: Int) {
        let (cols, rows) = grid()
        return (560 * cols, 420 * rows)
    }

    /// The curves as one image; `width` and `height` default to ``defaultSize()``.
    /// - Throws: ``PlotError`` when the history has no metric with a value, or a panel would be
    ///   smaller than ``LineChart/minimumSize``.
    public func render(width: Int? = nil, height: Int? = nil) throws -> Canvas {
        let metrics = plottedMetrics
        guard !metrics.isEmpty else { throw PlotError("training history: no metric has a value; expected columns such as loss, val_loss") }
        let (cols, rows) = grid()
        let size = defaultSize()
        let w = width ?? size.width, h = height ?? size.height
        let panelWidth = w / cols, panelHeight = h / rows
        guard panelWidth >= LineChart.minimumSize.width, panelHeight >= LineChart.minimumSize.height else {
            throw PlotError("image \(w)×\(h): \(metrics.count) panels of \(panelWidth)×\(panelHeight) pixels; expected at least \(LineChart.minimumSize.width)×\(LineChart.minimumSize.height) each")
        }
        var canvas = try Canvas(width: w, height: h)
        for (index, metric) in metrics.enumerated() {
            let area = PlotRect(x: Double(index % cols * panelWidth), y: Double(index / cols * panelHeight),
                                width: Double(panelWidth), height: Double(panelHeight))
            try chart(metric, color: RGB.series[index % RGB.series.count]).draw(on: &canvas, in: area)
        }
        return canvas
    }

    /// The panel of `metric`: its training and validation series.
    public func chart(_ metric: String, color: RGB) -> LineChart {
        var chart = LineChart(title: metric, xLabel: "epoch", yLabel: "")
        let train = history.points(metric), validation = history.points("val_" + metric)
        if !train.x.isEmpty { chart.series.append(.init(name: "train", x: train.x, y: train.y, color: color)) }
        if !validation.x.isEmpty { chart.series.append(.init(name: "validation", x: validation.x, y: validation.y, color: color, dashed: true)) }
        if chart.series.count == 2 { chart.series[1].marker = .square }
        return chart
    }

    /// The metrics with a training or validation value: one panel each.
    public var plottedMetrics: [String] {
        history.metrics.filter { !history.points($0).x.isEmpty || !history.points("val_" + $0).x.isEmpty }
    }

    /// Columns and rows of panels.
    private func grid() -> (columns: Int, rows: Int) {
        let count = max(plottedMetrics.count, 1), cols = min(max(columns, 1), count)
        return (cols, (count + cols - 1) / cols)
    }
}
