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
    /// Whether the Keras and JAX peers run it too (the model rows, whose peer commands they
    /// answer the same way); the kernel rows compare against NumPy / PyTorch only.
    var allPeers = false
}

/// Settings of a run.
struct RunSettings {
    var windows = 5
    var windowSeconds = 0.3
    /// Single calls timed per side for ``Metric/latency`` benchmarks, over all windows.
    var latencyCalls = 1000
    /// Pause before each window at more than one thread, so that worker threads one side left
    /// spinning after its window (OpenBLAS's, OpenMP's, Eigen's: up to ~0.1 s) have gone to sleep
    /// and do not take cores from the next side's window.
    var settleSeconds = 0.25
}
