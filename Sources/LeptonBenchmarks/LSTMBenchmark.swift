import LeptonTensor

/// LSTM training (Embedding(10,000, 64) → LSTM(128) over 100 steps → Dense(1), sigmoid
/// cross-entropy on the logit, Adam lr 1e-3), batch 64, in samples per second. PyTorch side:
/// `nn.Embedding`, `nn.LSTM(batch_first=True)` (last output), `nn.Linear`, `BCEWithLogitsLoss`.
func lstmBenchmarks(batch: Int = 64) -> [Benchmark] {
    [Benchmark(
        group: "lstm", name: "LSTM train b\(batch)", peerName: "PyTorch",
        metric: .rate(unit: "samples/s", workPerRep: Double(batch)), bar: 1.0,
        makeLepton: { lstmTrainingStep(batch: batch) },
        peerCommand: { "lstm_train \(batch) \($0)" }, windowFactor: 3, allPeers: true)]
}
