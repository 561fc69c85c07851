import Testing
import LeptonTensor
import LeptonTestSupport

/// The CPU backend's matrix product (`Backend/CPUBackend.swift`), which splits large products
/// over its threads along the rows or the columns of C, against the reference backend's naive
/// loops: every transpose combination, padded leading dimensions, alpha and beta, with 2 and 3
/// threads (uneven parts).
@Suite struct CPUBackendGemmTests {
    /// (m, n, k): tall (split along rows), wide (split along columns), and a ragged size; each
    /// above the 3-thread splitting threshold (2²¹ multiply-adds per thread).
    static let shapes: [(Int, Int, Int)] = [(600, 40, 300), (24, 1030, 300), (131, 131, 400)]

    @Test(arguments: [2, 3])
    func splitProductsMatchReference(threads: Int) {
        let saved = Lepton.threadCount
        Lepton.threadCount = threads
        defer { Lepton.threadCount = saved }
        var rng = RandomGenerator(seed: 5)
        for (m, n, k) in Self.shapes {
            for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
                // Leading dimensions 3 wider than the matrices, to catch offset mistakes.
                let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 3, ldc = n + 3
                let a = (0..<((transposeA ? k : m) * lda)).map { _ in rng.nextFloat() - 0.5 }
                let b = (0..<((transposeB ? n : k) * ldb)).map { _ in rng.nextFloat() - 0.5 }
                let c0 = (0..<(m * ldc)).map { _ in rng.nextFloat() - 0.5 }
                var expected = c0, actual = c0
                ReferenceBackend.shared.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                             alpha: 0.75, a, lda: lda, b, ldb: ldb, beta: 0.5, &expected, ldc: ldc)
                CPUBackend.shared.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                       alpha: 0.75, a, lda: lda, b, ldb: ldb, beta: 0.5, &actual, ldc: ldc)
                let error = TestSupport.maxRelativeError(actual, expected)
                #expect(error <= 1e-5, "gemm \(m)×\(n)×\(k) tA \(transposeA) tB \(transposeB), \(threads) threads: error \(error)")
            }
        }
    }
}
