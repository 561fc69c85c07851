import LeptonTensor

/// `C = A·B` for square float32 matrices: Lepton's `matmul` (OpenBLAS sgemm underneath)
/// against NumPy's `a @ b` (NumPy's own OpenBLAS). Both allocate their result as usual.
func sgemmBenchmarks(sizes: [Int]) -> [Benchmark] {
    sizes.map { n in
        Benchmark(
            group: "sgemm", name: "sgemm n=\(n)", peerName: "NumPy",
            metric: .rate(unit: "GFLOP/s", workPerRep: 2 * Double(n) * Double(n) * Double(n) / 1e9),
            bar: 0.9,
            makeLepton: {
                var g = RandomGenerator(seed: 0)
                let a = Tensor.normal([n, n], generator: &g), b = Tensor.normal([n, n], generator: &g)
                return { _ = a.matmul(b) }
            },
            peerCommand: { "sgemm \(n) \($0)" })
    }
}
