import LeptonTensor

/// MLP training (784 → 256 → 256 → 10, ReLU, softmax cross-entropy on logits, Adam lr 1e-3),
/// batch 128, in samples per second.
func mlpBenchmarks(batch: Int = 128) -> [Benchmark] {
    [Benchmark(
        group: "mlp", name: "MLP train b\(batch)", peerName: "PyTorch",
        metric: .rate(unit: "samples/s", workPerRep: Double(batch)), bar: 1.0,
        makeLepton: { mlpTrainingStep(batch: batch) },
        peerCommand: { "mlp_train \(batch) \($0)" }, windowFactor: 3, allPeers: true)]
}
