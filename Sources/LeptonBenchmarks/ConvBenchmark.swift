import LeptonTensor

/// The reference CNN's first layer, forward and backward: input 128×1×28×28 (no gradient),
/// 32 filters 3×3 with bias (both requiring gradients), and a fixed output gradient.
/// PyTorch side: `torch.nn.functional.conv2d(x, w, b).backward(gy)`.
func convBenchmarks() -> [Benchmark] {
    [Benchmark(
        group: "conv", name: "conv2d 32×3×3 fwd+bwd b128", peerName: "PyTorch",
        metric: .milliseconds, bar: 1.0,
        makeLepton: {
            var g = RandomGenerator(seed: 0)
            let x = Tensor.normal([128, 1, 28, 28], generator: &g)
            let w = Tensor.normal([32, 1, 3, 3], std: 0.3, generator: &g).requiringGrad()
            let b = Tensor.zeros([32]).requiringGrad()
            let gy = Tensor.normal([128, 32, 26, 26], generator: &g)
            return {
                let y = x.conv2d(w, bias: b)
                y.backward(gy)
                w.grad = nil
                b.grad = nil
            }
        },
        peerCommand: { "conv \($0)" })]
}
