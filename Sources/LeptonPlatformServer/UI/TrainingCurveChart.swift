import Foundation
import LeptonJobs

/// A line chart of training curves as inline SVG (no script, no fonts fetched): x in epochs,
/// one polyline per series, dots on epoch ends, axes with ticks and a legend.
public struct TrainingCurveChart {
    /// One line of the chart.
    public struct Series {
        public let name: String
        public let color: String
        /// (epochs, value) pairs, in order of x.
        public let points: [(x: Double, y: Double)]
        /// The points marked with a dot (epoch ends; running values within an epoch have none).
        public let dots: [(x: Double, y: Double)]
    }

    public let title: String
    public let series: [Series]
    /// The epochs planned, if known (the x axis spans at least these).
    public let epochs: Int?

    static let width = 560.0, height = 260.0
    static let left = 52.0, right = 14.0, top = 30.0, bottom = 34.0

    /// The loss chart and (when the job has metrics) the metrics chart of a job's points.
    public static func charts(for points: [TrainingMetricPoint], epochs: Int?) -> [TrainingCurveChart] {
        let names = Set(points.flatMap { $0.values.keys })
        let metrics = names.filter { $0 != "loss" && !$0.hasPrefix("val_") }.sorted()
        let palette = ["#3158d4", "#1f8a4c", "#b7791f", "#8a3fd1", "#c2362b"]
        func lines(_ name: String, color: String) -> [Series] {
            var result: [Series] = []
            let running = points.compactMap { point in point.values[name].map { (x: point.position, y: $0) } }
            let ends = points.filter(\.isEpoch).compactMap { point in point.values[name].map { (x: point.position, y: $0) } }
            if !running.isEmpty { result.append(Series(name: name, color: color, points: running, dots: ends)) }
            let validation = points.filter(\.isEpoch).compactMap { point in point.values["val_" + name].map { (x: point.position, y: $0) } }
            if !validation.isEmpty { result.append(Series(name: "val_" + name, color: "#c2362b", points: validation, dots: validation)) }
            return result
        }
        var charts = [TrainingCurveChart(title: "loss", series: lines("loss", color: palette[0]), epochs: epochs)]
        for (index, metric) in metrics.prefix(4).enumerated() {
            charts.append(TrainingCurveChart(title: metric, series: lines(metric, color: palette[(index + 1) % palette.count]), epochs: epochs))
        }
        return charts
    }

    /// The chart as an `<svg>` element (every text escaped).
    public func svg() -> String {
        let all = series.flatMap(\.points)
        let maxX = max(Double(epochs ?? 1), all.map(\.x).max() ?? 1, 1)
        var (low, high) = (all.map(\.y).min() ?? 0, all.map(\.y).max() ?? 1)
        if title != "loss" && low >= 0 && high <= 1 {
            (low, high) = (low >= 0.5 ? 0.5 : 0, 1)   // a fraction (accuracy): a fixed scale
        } else {
            if high - low < 1e-9 { (low, high) = (low - 0.5, high + 0.5) }
            let pad = (high - low) * 0.06
            (low, high) = (low >= 0 ? max(0, low - pad) : low - pad, high + pad)
        }
        let w = Self.width, h = Self.height
        let plotW = w - Self.left - Self.right, plotH = h - Self.top - Self.bottom
        func px(_ x: Double) -> Double { Self.left + x / maxX * plotW }
        func py(_ y: Double) -> Double { Self.top + (1 - (y - low) / (high - low)) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"curve\" "
            + "data-points=\"\(all.count)\" aria-label=\"\(HTML.escape(title)) per epoch\">"
        svg += "<text x=\"\(f(Self.left))\" y=\"18\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2330\">\(HTML.escape(title))</text>"
        for i in 0...4 {
            let value = low + (high - low) * Double(i) / 4, y = py(value)
            svg += "<line x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#eceff4\"/>"
            svg += "<text x=\"\(f(Self.left - 6))\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#6b7385\">\(HTML.escape(Self.format(value)))</text>"
        }
        let step = max(1, Int((maxX / 8).rounded(.up)))
        for epoch in stride(from: 0, through: Int(maxX.rounded(.down)), by: step) {
            let x = px(Double(epoch))
            svg += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(h - Self.bottom))\" y2=\"\(f(h - Self.bottom + 4))\" stroke=\"#9aa2b1\"/>"
            svg += "<text x=\"\(f(x))\" y=\"\(f(h - Self.bottom + 16))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#6b7385\">\(epoch)</text>"
        }
        svg += "<text x=\"\(f(w - Self.right))\" y=\"\(f(h - 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#6b7385\">epoch</text>"
        svg += "<line x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(h - Self.bottom))\" y2=\"\(f(h - Self.bottom))\" stroke=\"#9aa2b1\"/>"
        if all.isEmpty {
            svg += "<text x=\"\(f(Self.left + plotW / 2))\" y=\"\(f(Self.top + plotH / 2))\" font-size=\"13\" text-anchor=\"middle\" fill=\"#6b7385\">waiting for the first points…</text>"
        }
        var legendX = w - Self.right
        for line in series.reversed() {
            let label = HTML.escape(line.name), width = Double(line.name.count) * 6.6 + 22
            legendX -= width
            svg += "<rect x=\"\(f(legendX))\" y=\"9\" width=\"12\" height=\"3\" fill=\"\(HTML.escape(line.color))\"/>"
            svg += "<text x=\"\(f(legendX + 16))\" y=\"15\" font-size=\"11\" fill=\"#4a5266\">\(label)</text>"
        }
        for line in series where !line.points.isEmpty {
            let color = HTML.escape(line.color)
            let coordinates = line.points.map { "\(f(px($0.x))),\(f(py(min(max($0.y, low), high))))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(coordinates)\"/>"
            for point in line.dots {
                svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(min(max(point.y, low), high))))\" r=\"3\" fill=\"\(color)\"/>"
            }
        }
        return svg + "</svg>"
    }

    /// A tick label: few significant digits.
    static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 1 || magnitude == 0 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }
}
