import LeptonTensor

/// CNN inference, batch 256, in samples per second: forward only, evaluation mode, no
/// gradient recording (Lepton `Tensor.withoutGrad`, PyTorch `torch.no_grad()` + `model.eval()`).
func cnnInferenceBenchmarks(batch: Int = 256) -> [Benchmark] {
    [Benchmark(
        group: "cnninfer", name: "CNN inference b\(batch)", peerName: "PyTorch",
        metric: .rate(unit: "samples/s", workPerRep: Double(batch)), bar: 1.0,
        makeLepton: { cnnInference(batch: batch) },
        peerCommand: { "cnn_infer \(batch) \($0)" }, windowFactor: 3, allPeers: true)]
}
