import LeptonTensor

/// One side-by-side comparison: a Lepton workload and the peer command that does the same.
struct Benchmark {
    /// Group (`sgemm`, `conv`, `elementwise`), for `--only`.
    let group: String
    /// Row label, e.g. `sgemm n=512`.
    let name: String
    /// The peer's name in the table (`NumPy`, `PyTorch`).
    let peerName: String
    let metric: Metric
    /// Required `Lepton speed / peer speed` at one thread.
    let bar: Double
    /// Prepares the Lepton workload (allocations, inputs) and returns a closure that runs it once.
    let makeLepton: () -> () -> Void
    /// The peer command for a window of `reps` repetitions.
    let peerCommand: (Int) -> String
}

/// The measured result of one benchmark at one thread count.
struct Result {
    let benchmark: Benchmark
    let threads: Int
    let reps: Int
    let lepton: Summary
    let peer: Summary

    var ratio: Double { benchmark.metric.speedRatio(lepton: lepton.median, peer: peer.median) }
    /// The bar applies to one thread; two-thread rows are shown for information.
    var passes: Bool? { threads == 1 ? ratio >= benchmark.bar : nil }
}

/// Settings of a run.
struct RunSettings {
    var windows = 5
    var windowSeconds = 0.3
}

/// Times one benchmark: windows alternate Lepton, peer, Lepton, peer, … with the same number
/// of repetitions on both sides, chosen so that a Lepton window takes about `windowSeconds`.
func run(_ b: Benchmark, threads: Int, peer: PeerProcess, settings: RunSettings) throws -> Result {
    Lepton.threadCount = threads
    let step = b.makeLepton()
    // Warm up both sides (allocator caches, OpenBLAS buffers, lazy imports).
    step()
    let once = time(step)
    _ = try peer.timeWindow(b.peerCommand(1))
    let reps = max(1, Int((settings.windowSeconds / max(once, 1e-6)).rounded()))
    var leptonValues: [Double] = [], peerValues: [Double] = []
    for _ in 0..<settings.windows {
        let seconds = time { for _ in 0..<reps { step() } }
        leptonValues.append(b.metric.value(seconds: seconds, reps: reps))
        let peerSeconds = try peer.timeWindow(b.peerCommand(reps))
        peerValues.append(b.metric.value(seconds: peerSeconds, reps: reps))
    }
    return Result(benchmark: b, threads: threads, reps: reps, lepton: Summary(leptonValues), peer: Summary(peerValues))
}
