import LeptonTensor

/// One side-by-side comparison: a Lepton workload and the peer command that does the same.
struct Benchmark {
    /// Group (`sgemm`, `conv`, `elementwise`, `cnn32`, `cnn128`, `cnninfer`, `latency`, `mlp`,
    /// `lstm`, `transformer`), for `--only`.
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
    /// The peer command for a window of `reps` repetitions. For ``Metric/latency`` the peer
    /// replies with every call's time in milliseconds, space-separated.
    let peerCommand: (Int) -> String
    /// Window length relative to ``RunSettings/windowSeconds`` (the model benchmarks take a few
    /// steps per window rather than a single one).
    var windowFactor: Double = 1
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
    /// Single calls timed per side for ``Metric/latency`` benchmarks, over all windows.
    var latencyCalls = 1000
}

/// Times one benchmark: windows alternate Lepton, peer, Lepton, peer, … with the same number
/// of repetitions on both sides, chosen so that a Lepton window takes about `windowSeconds ×
/// windowFactor`.
func run(_ b: Benchmark, threads: Int, peer: PeerProcess, settings: RunSettings) throws -> Result {
    if case .latency = b.metric { return try runLatency(b, threads: threads, peer: peer, settings: settings) }
    Lepton.threadCount = threads
    let step = b.makeLepton()
    // Warm up both sides (allocator caches, OpenBLAS buffers, lazy imports).
    step()
    let once = time(step)
    _ = try peer.timeWindow(b.peerCommand(1))
    let reps = max(1, Int((settings.windowSeconds * b.windowFactor / max(once, 1e-6)).rounded()))
    var leptonValues: [Double] = [], peerValues: [Double] = []
    for _ in 0..<settings.windows {
        let seconds = time { for _ in 0..<reps { step() } }
        leptonValues.append(b.metric.value(seconds: seconds, reps: reps))
        let peerSeconds = try peer.timeWindow(b.peerCommand(reps))
        peerValues.append(b.metric.value(seconds: peerSeconds, reps: reps))
    }
    return Result(benchmark: b, threads: threads, reps: reps, lepton: Summary(leptonValues), peer: Summary(peerValues))
}

/// Times single calls: windows of `latencyCalls / windows` calls alternate Lepton, peer, …;
/// every call is timed on its own (the peer returns its calls' times). The summary is over all
/// calls of all windows: median, 10th and 90th percentiles.
func runLatency(_ b: Benchmark, threads: Int, peer: PeerProcess, settings: RunSettings) throws -> Result {
    Lepton.threadCount = threads
    let step = b.makeLepton()
    for _ in 0..<20 { step() }
    _ = try peer.command(b.peerCommand(20))
    let perWindow = max(1, settings.latencyCalls / settings.windows)
    var leptonValues: [Double] = [], peerValues: [Double] = []
    leptonValues.reserveCapacity(perWindow * settings.windows)
    for _ in 0..<settings.windows {
        for _ in 0..<perWindow {
            let t0 = now()
            step()
            leptonValues.append((now() - t0) * 1e3)
        }
        let reply = try peer.command(b.peerCommand(perWindow))
        let times = reply.split(separator: " ").compactMap { Double($0) }
        guard times.count == perWindow else {
            throw BenchError("peer replied \(times.count) times to '\(b.peerCommand(perWindow))', expected \(perWindow)")
        }
        peerValues += times
    }
    return Result(benchmark: b, threads: threads, reps: perWindow, lepton: Summary(leptonValues), peer: Summary(peerValues))
}
