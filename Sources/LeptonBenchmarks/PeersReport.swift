/// The table of every peer's median on the rows the other frameworks ran (the model rows): Lepton,
/// PyTorch, Keras and JAX side by side, with Lepton's speed ratio to each.
extension Report {
    /// The frameworks with a column: PyTorch and those that ran at least one row.
    static func peerColumns(_ results: [Result]) -> [PeerKind] {
        [.torch] + PeerKind.allCases.filter { kind in kind != .torch && results.contains { $0.others.contains { $0.kind == kind } } }
    }

    static func peersHeader(_ kinds: [PeerKind]) -> [String] {
        ["benchmark", "thr", "unit", "Lepton"] + kinds.map { $0.displayName } + kinds.map { "vs \($0.displayName)" }
    }

    static func peersRows(_ results: [Result], kinds: [PeerKind]) -> [[String]] {
        results.filter { $0.benchmark.allPeers }.map { r in
            let medians: [Double?] = kinds.map { kind in
                kind == .torch ? r.peer.median : r.others.first { $0.kind == kind }?.summary.median
            }
            return [r.benchmark.name, "\(r.threads)", r.benchmark.metric.unit, fmt(r.lepton.median)]
                + medians.map { $0.map(fmt) ?? "–" }
                + medians.map { m in m.map { String(format: "%.2f×", r.benchmark.metric.speedRatio(lepton: r.lepton.median, peer: $0)) } ?? "–" }
        }
    }

    /// Nil when no row ran another peer than PyTorch.
    static func peersText(_ results: [Result]) -> String? {
        let kinds = peerColumns(results)
        guard kinds.count > 1 else { return nil }
        return table([peersHeader(kinds)] + peersRows(results, kinds: kinds), leftColumns: [0, 2])
    }

    static func peersMarkdown(_ results: [Result]) -> String? {
        let kinds = peerColumns(results)
        guard kinds.count > 1 else { return nil }
        return markdownTable(header: peersHeader(kinds), rows: peersRows(results, kinds: kinds), leftColumns: [0, 2])
    }
}
