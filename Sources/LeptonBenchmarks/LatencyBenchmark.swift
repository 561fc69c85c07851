import LeptonTensor

/// CNN latency at batch 1: single-sample forward passes (evaluation mode, no gradients), each
/// timed on its own; median over all calls (1,000 per side by default) with p10–p90.
func latencyBenchmarks() -> [Benchmark] {
    [Benchmark(
        group: "latency", name: "CNN latency b1", peerName: "PyTorch",
        metric: .latency, bar: 1.0,
        makeLepton: { cnnInference(batch: 1) },
        peerCommand: { "cnn_latency \($0)" }, allPeers: true)]
}
