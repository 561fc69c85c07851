/// One other framework's figures on a row (Keras or JAX, beside PyTorch).
struct PeerSummary {
    let kind: PeerKind
    let summary: Summary
}

/// The measured result of one benchmark at one thread count.
struct Result {
    let benchmark: Benchmark
    let threads: Int
    let reps: Int
    let lepton: Summary
    /// The reference peer's figures (NumPy or PyTorch): the ratio and the bar are against these.
    let peer: Summary
    /// The other peers that ran this row (model rows only; a peer that failed on it is absent).
    var others: [PeerSummary] = []

    var ratio: Double { benchmark.metric.speedRatio(lepton: lepton.median, peer: peer.median) }
    /// The bar applies to one thread; two-thread rows are shown for information.
    var passes: Bool? { threads == 1 ? ratio >= benchmark.bar : nil }

    /// The fastest peer on this row by median, the reference peer included (it wins ties).
    var best: (name: String, summary: Summary) {
        var best = (name: benchmark.peerName, summary: peer)
        for other in others where benchmark.metric.speedRatio(lepton: other.summary.median, peer: best.summary.median) > 1 {
            best = (other.kind.displayName, other.summary)
        }
        return best
    }

    /// Lepton's speed relative to the fastest peer's (> 1: Lepton is faster).
    var bestRatio: Double { benchmark.metric.speedRatio(lepton: lepton.median, peer: best.summary.median) }
}
