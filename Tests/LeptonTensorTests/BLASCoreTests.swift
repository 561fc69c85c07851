import LeptonTensor
import Testing

@Suite("BLASCore")
struct BLASCoreTests {
    @Test("a fallback core is replaced by the best one the CPU's features allow; a known core or a user's choice is kept")
    func choosesByFeatures() {
        let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]
        #expect(BLASCore.betterCore(current: "Prescott", flags: avx512) == "SkylakeX")
        #expect(BLASCore.betterCore(current: "Sandybridge", flags: ["avx", "avx2", "fma"]) == "Haswell")
        #expect(BLASCore.betterCore(current: "Prescott", flags: ["sse3"]) == nil)
        #expect(BLASCore.betterCore(current: "Zen", flags: avx512) == nil)
        #expect(BLASCore.betterCore(current: "SkylakeX", flags: avx512) == nil)
    }

    @Test("after the first product OpenBLAS runs the kernels the CPU's features allow, and they compute the same")
    func kernelsAreSettled() {
        let (m, n, k) = (64, 32, 48)
        let a = (0..<(m * k)).map { Float($0 % 13) / 7 }, b = (0..<(k * n)).map { Float($0 % 11) / 5 }
        var c = [Float](repeating: 0, count: m * n), expected = c
        CPUBackend.shared.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a, lda: k, b, ldb: n, beta: 0, &c, ldc: n)
        ReferenceBackend.shared.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a, lda: k, b, ldb: n, beta: 0, &expected, ldc: n)
        #expect(zip(c, expected).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(BLASCore.cpuFlags().contains) {
            #expect(BLASCore.betterCore(current: BLASCore.name, flags: BLASCore.cpuFlags()) == nil, "\(BLASCore.name)")
        }
    }
}
