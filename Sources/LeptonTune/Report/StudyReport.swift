import Foundation
import LeptonNN

/// A study as one self-contained HTML page (inline SVG and CSS, no scripts, nothing fetched):
/// the optimisation history (every trial's value and the best so far), the intermediate-value
/// curves (pruned trials in red), parameter importance (``ParameterImportance``) and a table of
/// the trials.
public enum StudyReport {
    /// The page for `trials` of the study `name`.
    public static func html(name: String, direction: StudyDirection, space: SearchSpace?, trials: [FrozenTrial]) -> String {
        let counts = Dictionary(grouping: trials, by: \.state).mapValues(\.count)
        let best = Study.best(of: trials, direction: direction)
        var page = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Study \(escape(name))</title>
        <style>
        body{font-family:sans-serif;margin:2em;color:#222} h2{margin-top:1.5em} svg{background:#fafafa;border:1px solid #ddd}
        table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
        .complete{color:#1565c0}.pruned{color:#c62828}.failed{color:#777}
        </style></head><body>
        <h1>Study \(escape(name))</h1>
        <p>\(trials.count) trials: \(counts[.complete] ?? 0) complete, \(counts[.pruned] ?? 0) pruned, \(counts[.failed] ?? 0) failed, \(counts[.running] ?? 0) running. Direction: \(direction.rawValue).
        """
        if let best { page += " Best value \(format(best.value!)) (trial \(best.number)): \(escape(best.paramsDescription))." }
        page += "</p>\n<h2>Optimisation history</h2>\n" + historyChart(trials, direction: direction)
        page += "\n<h2>Intermediate values</h2>\n" + intermediateChart(trials)
        if let space {
            let importance = ParameterImportance.compute(space: space, trials: trials)
            page += "\n<h2>Parameter importance</h2>\n<p>Correlation ratio η² of the objective grouped by each parameter (choices, or quartiles of a number), normalised to sum to 1; marginal effects only.</p>\n"
            page += importance.isEmpty ? "<p>Needs at least 4 complete trials.</p>" : importanceChart(importance)
        }
        page += "\n<h2>Trials</h2>\n<table><tr><th>#</th><th>state</th><th>value</th><th>duration (s)</th><th>params</th><th>note</th></tr>\n"
        for trial in trials {
            page += "<tr class=\"\(trial.state.rawValue)\"><td>\(trial.number)</td><td>\(trial.state.rawValue)</td>"
            page += "<td>\(trial.value.map(format) ?? "")</td><td>\(trial.duration.map { String(format: "%.1f", $0) } ?? "")</td>"
            page += "<td>\(escape(trial.paramsDescription))</td><td>\(escape(trial.reason ?? (trial.retryOf.map { "reruns trial \($0)" } ?? "")))</td></tr>\n"
        }
        return page + "</table></body></html>\n"
    }

    static let width = 720.0, height = 300.0, margin = 50.0

    /// Maps data ranges to the plot area and draws axes with end labels.
    struct Frame {
        let xRange: (Double, Double), yRange: (Double, Double)
        func x(_ v: Double) -> Double { margin + (v - xRange.0) / max(xRange.1 - xRange.0, 1e-12) * (width - 2 * margin) }
        func y(_ v: Double) -> Double { height - margin - (v - yRange.0) / max(yRange.1 - yRange.0, 1e-12) * (height - 2 * margin) }
        func axes(xLabel: String, yLabel: String) -> String {
            """
            <line x1="\(margin)" y1="\(height - margin)" x2="\(width - margin)" y2="\(height - margin)" stroke="#444"/>
            <line x1="\(margin)" y1="\(margin)" x2="\(margin)" y2="\(height - margin)" stroke="#444"/>
            <text x="\(width / 2)" y="\(height - 12)" text-anchor="middle" font-size="12">\(xLabel)</text>
            <text x="14" y="\(height / 2)" font-size="12" transform="rotate(-90 14 \(height / 2))" text-anchor="middle">\(yLabel)</text>
            <text x="\(margin - 4)" y="\(y(yRange.0))" text-anchor="end" font-size="10">\(format(yRange.0))</text>
            <text x="\(margin - 4)" y="\(y(yRange.1) + 8)" text-anchor="end" font-size="10">\(format(yRange.1))</text>
            <text x="\(x(xRange.0))" y="\(height - margin + 14)" text-anchor="middle" font-size="10">\(format(xRange.0))</text>
            <text x="\(x(xRange.1))" y="\(height - margin + 14)" text-anchor="middle" font-size="10">\(format(xRange.1))</text>
            """
        }
    }

    static func historyChart(_ trials: [FrozenTrial], direction: StudyDirection) -> String {
        let complete = trials.filter { $0.state == .complete && $0.value?.isFinite == true }
        guard !complete.isEmpty else { return "<p>No complete trials yet.</p>" }
        let values = complete.map { $0.value! }
        let frame = Frame(xRange: (0, Double(max(trials.last!.number, 1))), yRange: (values.min()!, values.max()!))
        var svg = svgOpen() + frame.axes(xLabel: "trial", yLabel: "objective value")
        var bestSoFar: Double?
        var path: [String] = []
        for trial in complete {
            let v = trial.value!
            if bestSoFar == nil || direction.isBetter(v, than: bestSoFar!) { bestSoFar = v }
            path.append("\(frame.x(Double(trial.number))),\(frame.y(bestSoFar!))")
            svg += "<circle cx=\"\(frame.x(Double(trial.number)))\" cy=\"\(frame.y(v))\" r=\"3\" fill=\"#1565c0\"><title>trial \(trial.number): \(format(v))</title></circle>\n"
        }
        svg += "<polyline fill=\"none\" stroke=\"#e65100\" stroke-width=\"2\" points=\"\(path.joined(separator: " "))\"/>\n"
        return svg + "<text x=\"\(width - margin)\" y=\"\(margin - 10)\" text-anchor=\"end\" font-size=\"11\" fill=\"#e65100\">best so far</text></svg>"
    }

    static func intermediateChart(_ trials: [FrozenTrial]) -> String {
        let withSteps = trials.filter { !$0.intermediate.isEmpty }
        let points = withSteps.flatMap { $0.intermediate.values }.filter(\.isFinite)
        guard !points.isEmpty else { return "<p>No intermediate values reported.</p>" }
        let steps = withSteps.flatMap { $0.intermediate.keys }
        let frame = Frame(xRange: (Double(steps.min()!), Double(max(steps.max()!, steps.min()! + 1))), yRange: (points.min()!, points.max()!))
        var svg = svgOpen() + frame.axes(xLabel: "step (epoch)", yLabel: "intermediate value")
        for trial in withSteps {
            let coordinates = trial.intermediate.sorted { $0.key < $1.key }.filter { $0.value.isFinite }
                .map { "\(frame.x(Double($0.key))),\(frame.y($0.value))" }
            let colour = trial.state == .pruned ? "#c62828" : trial.state == .complete ? "#1565c0" : "#999"
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-opacity=\"0.7\" points=\"\(coordinates.joined(separator: " "))\"><title>trial \(trial.number) (\(trial.state.rawValue))</title></polyline>\n"
            if coordinates.count == 1 {
                let xy = coordinates[0].split(separator: ",")
                svg += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"2.5\" fill=\"\(colour)\"/>\n"
            }
        }
        return svg + "</svg>"
    }

    static func importanceChart(_ importance: [(name: String, importance: Double)]) -> String {
        let rowHeight = 24.0, labelWidth = 220.0
        let chartHeight = rowHeight * Double(importance.count) + 20
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(chartHeight)\">\n"
        for (i, entry) in importance.enumerated() {
            let y = 10 + Double(i) * rowHeight
            let bar = entry.importance * (width - labelWidth - 80)
            svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(escape(entry.name))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(bar)\" height=\"\(rowHeight - 8)\" fill=\"#1565c0\"/>"
            svg += "<text x=\"\(labelWidth + bar + 6)\" y=\"\(y + 15)\" font-size=\"12\">\(String(format: "%.2f", entry.importance))</text>\n"
        }
        return svg + "</svg>"
    }

    static func svgOpen() -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\">\n"
    }

    static func format(_ v: Double) -> String { String(format: "%.4g", v) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
