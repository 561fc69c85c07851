import Foundation

/// A small inline-SVG chart of a deployment over time: ready and running replicas as steps
/// (left axis) and requests/s as a line (right axis), in the style of ``TrainingCurveChart``.
struct DeploymentChart {
    let samples: [ReplicaCountSample]

    static let width = 560.0, height = 220.0
    static let left = 40.0, right = 48.0, top = 30.0, bottom = 30.0

    /// The chart as an `<svg>` element.
    func svg() -> String {
        let w = Self.width, h = Self.height
        let plotW = w - Self.left - Self.right, plotH = h - Self.top - Self.bottom
        let start = samples.first?.time ?? Date(), end = samples.last?.time ?? Date()
        let span = max(end.timeIntervalSince(start), 1)
        let maxReplicas = Double(max(samples.map(\.replicas).max() ?? 1, 1))
        let maxRate = Self.niceCeiling(samples.map(\.requestsPerSecond).max() ?? 0)
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func px(_ time: Date) -> Double { Self.left + time.timeIntervalSince(start) / span * plotW }
        func pyReplicas(_ n: Int) -> Double { Self.top + (1 - Double(n) / maxReplicas) * plotH }
        func pyRate(_ r: Double) -> Double { Self.top + (1 - r / maxRate) * plotH }
        func steps(_ value: (ReplicaCountSample) -> Int) -> String {
            var points: [String] = []
            for (index, sample) in samples.enumerated() {
                let y = pyReplicas(value(sample))
                if index > 0 { points.append("\(f(px(sample.time))),\(f(pyReplicas(value(samples[index - 1]))))") }
                points.append("\(f(px(sample.time))),\(f(y))")
            }
            return points.joined(separator: " ")
        }
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"replicas and requests per second\">",
                     "<text x=\"\(f(Self.left))\" y=\"18\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2330\">replicas &amp; requests/s</text>"]
        for tick in 0...Int(maxReplicas) where maxReplicas <= 8 || tick % Int((maxReplicas / 4).rounded(.up)) == 0 {
            let y = pyReplicas(tick)
            parts.append("<line x1=\"\(f(Self.left))\" x2=\"\(f(w - Self.right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e3e6ec\"/>")
            parts.append("<text x=\"\(f(Self.left - 6))\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#3158d4\">\(tick)</text>")
        }
        for fraction in [0.0, 0.5, 1.0] {
            parts.append("<text x=\"\(f(w - Self.right + 6))\" y=\"\(f(pyRate(maxRate * fraction) + 4))\" font-size=\"11\" fill=\"#b7791f\">\(HTML.escape(DeploymentLiveStatus.format(maxRate * fraction)))</text>")
        }
        let seconds = Int(span.rounded())
        parts.append("<text x=\"\(f(Self.left))\" y=\"\(f(h - 8))\" font-size=\"11\" fill=\"#6b7385\">−\(seconds / 60 > 0 ? "\(seconds / 60) min" : "\(seconds) s")</text>")
        parts.append("<text x=\"\(f(w - Self.right))\" y=\"\(f(h - 8))\" font-size=\"11\" text-anchor=\"end\" fill=\"#6b7385\">now</text>")
        if samples.isEmpty {
            parts.append("<text x=\"\(f(w / 2))\" y=\"\(f(h / 2))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#6b7385\">no samples yet</text>")
        } else {
            parts.append("<polyline fill=\"none\" stroke=\"#9db0e8\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\" points=\"\(steps(\.replicas))\"/>")
            parts.append("<polyline fill=\"none\" stroke=\"#3158d4\" stroke-width=\"2\" points=\"\(steps(\.ready))\"/>")
            let rate = samples.map { "\(f(px($0.time))),\(f(pyRate($0.requestsPerSecond)))" }.joined(separator: " ")
            parts.append("<polyline fill=\"none\" stroke=\"#b7791f\" stroke-width=\"1.5\" points=\"\(rate)\"/>")
        }
        let legend = [("ready", "#3158d4"), ("running", "#9db0e8"), ("req/s", "#b7791f")]
        for (index, (name, color)) in legend.enumerated() {
            let x = w - Self.right - 210 + Double(index) * 72
            parts.append("<rect x=\"\(f(x))\" y=\"9\" width=\"12\" height=\"3\" fill=\"\(color)\"/><text x=\"\(f(x + 16))\" y=\"14\" font-size=\"11\" fill=\"#4a5266\">\(name)</text>")
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n")
    }

    /// 1, 2 or 5 × 10ⁿ at or above `value` (1 for 0).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }
}
