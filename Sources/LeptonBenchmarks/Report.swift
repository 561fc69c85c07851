import Foundation

/// Formats results as an aligned text table or as Markdown.
enum Report {
    static let header = ["benchmark", "thr", "unit", "Lepton median", "Lepton min–max", "peer", "peer median",
                         "peer min–max", "reps", "speed ratio", "bar", "1-thr bar"]

    static func rows(_ results: [Result]) -> [[String]] {
        results.map { r in
            let (l, p) = (r.lepton, r.peer)
            let verdict: String
            switch r.passes {
            case .some(true): verdict = "met"
            case .some(false): verdict = "MISSED"
            case .none: verdict = "(info)"
            }
            return [r.benchmark.name, "\(r.threads)", r.benchmark.metric.unit,
                    fmt(l.median), "\(fmt(l.min))–\(fmt(l.max))",
                    r.benchmark.peerName, fmt(p.median), "\(fmt(p.min))–\(fmt(p.max))",
                    "\(r.reps)", String(format: "%.2f×", r.ratio), String(format: "≥ %.1f×", r.benchmark.bar), verdict]
        }
    }

    /// Three significant figures, without exponent for the ranges seen here.
    static func fmt(_ v: Double) -> String {
        if v >= 100 { return String(format: "%.0f", v) }
        if v >= 10 { return String(format: "%.1f", v) }
        if v >= 1 { return String(format: "%.2f", v) }
        return String(format: "%.3f", v)
    }

    static func text(_ results: [Result]) -> String {
        let all = [header] + rows(results)
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var lines: [String] = []
        for (n, row) in all.enumerated() {
            let cells = row.enumerated().map { i, cell -> String in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                // Left-align text columns, right-align numbers.
                return [0, 2, 5, 11].contains(i) ? cell + pad : pad + cell
            }
            lines.append(cells.joined(separator: "  "))
            if n == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ results: [Result]) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "|" + header.enumerated().map { i, _ in [0, 2, 5, 11].contains(i) ? "---" : "---:" }
                         .joined(separator: "|") + "|"]
        for row in rows(results) { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }
}
