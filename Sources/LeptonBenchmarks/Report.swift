import Foundation

/// Formats results as an aligned text table or as Markdown. The ratio and the bar are against
/// the reference peer (NumPy or PyTorch); the last three columns name the fastest peer of the row
/// (Keras and JAX included) and Lepton's ratio to it.
enum Report {
    static let header = ["benchmark", "thr", "unit", "Lepton median", "Lepton min–max", "peer", "peer median",
                         "peer min–max", "reps", "speed ratio", "bar", "1-thr bar", "best peer", "best median", "vs best"]
    static let leftColumns: Set<Int> = [0, 2, 5, 11, 12]

    static func rows(_ results: [Result]) -> [[String]] {
        results.map { r in
            let (l, p) = (r.lepton, r.peer)
            let verdict: String
            switch r.passes {
            case .some(true): verdict = "met"
            case .some(false): verdict = "MISSED"
            case .none: verdict = "(info)"
            }
            // Latency rows show the 10th–90th percentiles of single calls as their range.
            let latency: Bool
            if case .latency = r.benchmark.metric { latency = true } else { latency = false }
            func range(_ s: Summary) -> String { latency ? "\(fmt(s.p10))–\(fmt(s.p90))" : "\(fmt(s.min))–\(fmt(s.max))" }
            return [r.benchmark.name, "\(r.threads)", r.benchmark.metric.unit,
                    fmt(l.median), range(l),
                    r.benchmark.peerName, fmt(p.median), range(p),
                    "\(r.reps)", String(format: "%.2f×", r.ratio), String(format: "≥ %.1f×", r.benchmark.bar), verdict,
                    r.best.name, fmt(r.best.summary.median), String(format: "%.2f×", r.bestRatio)]
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
        table([header] + rows(results), leftColumns: leftColumns)
    }

    static func markdown(_ results: [Result]) -> String {
        markdownTable(header: header, rows: rows(results), leftColumns: leftColumns)
    }

    /// An aligned text table (first row is the header); text columns left-aligned, numbers right.
    static func table(_ all: [[String]], leftColumns: Set<Int>) -> String {
        var widths = [Int](repeating: 0, count: all[0].count)
        for row in all { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var lines: [String] = []
        for (n, row) in all.enumerated() {
            let cells = row.enumerated().map { i, cell -> String in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return leftColumns.contains(i) ? cell + pad : pad + cell
            }
            lines.append(cells.joined(separator: "  "))
            if n == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }

    static func markdownTable(header: [String], rows: [[String]], leftColumns: Set<Int>) -> String {
        var lines = ["| " + header.joined(separator: " | ") + " |",
                     "|" + header.indices.map { leftColumns.contains($0) ? "---" : "---:" }.joined(separator: "|") + "|"]
        for row in rows { lines.append("| " + row.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }
}
