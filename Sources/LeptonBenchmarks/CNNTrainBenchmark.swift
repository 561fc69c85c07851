import LeptonNN
import LeptonTensor

/// CNN training steps (forward, loss, zeroGrad, backward, Adam step) at batch 32 (`cnn32`) and
/// 128 (`cnn128`), in samples per second. PyTorch side: the same model as an `nn.Sequential`
/// on `[N, 1, 28, 28]`, `F.cross_entropy`, `torch.optim.Adam(lr=1e-3)`.
func cnnTrainBenchmarks(batches: [Int] = [32, 128]) -> [Benchmark] {
    batches.map { batch in
        Benchmark(
            group: "cnn\(batch)", name: "CNN train b\(batch)", peerName: "PyTorch",
            metric: .rate(unit: "samples/s", workPerRep: Double(batch)), bar: 1.0,
            makeLepton: { cnnTrainingStep(batch: batch) },
            peerCommand: { "cnn_train \(batch) \($0)" }, windowFactor: 3, allPeers: true)
    }
}
