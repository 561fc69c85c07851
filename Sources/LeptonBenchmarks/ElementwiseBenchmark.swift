import LeptonTensor

/// `relu(a*b + c)` over 10M floats, forward only; each op allocates its output as usual
/// (Lepton through its caching allocator, PyTorch eager through its CPU allocator).
func elementwiseBenchmarks(count: Int = 10_000_000) -> [Benchmark] {
    [Benchmark(
        group: "elementwise", name: "relu(a*b+c) 10M", peerName: "PyTorch",
        metric: .milliseconds, bar: 1.0,
        makeLepton: {
            var g = RandomGenerator(seed: 0)
            let a = Tensor.normal([count], generator: &g)
            let b = Tensor.normal([count], generator: &g)
            let c = Tensor.normal([count], generator: &g)
            return { _ = (a * b + c).relu() }
        },
        peerCommand: { "elementwise \(count) \($0)" })]
}
