import Testing
import LeptonTensor
import LeptonTestSupport

/// `GEMMLibrary` (Backend/GEMMLibrary.swift): OpenBLAS and oneDNN give the same products (to
/// float rounding), on every transpose, with leading dimensions wider than the matrices and
/// with alpha and beta, split over threads or not; and which library a product goes to.
@Suite struct GEMMLibraryTests {
    /// `C = alpha · op(A) · op(B) + beta · C` in Double, row-major.
    static func reference(_ ta: Bool, _ tb: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                          b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = ta ? a[p * lda + i] : a[i * lda + p], y = tb ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(x) * Double(y)
                }
                out[i * ldc + j] = Float(Double(alpha) * s + Double(beta) * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)],
          [(3, 70, 90), (64, 64, 32), (130, 96, 200), (257, 300, 129)])
    func bothLibrariesGiveTheProduct(transposes: (Bool, Bool), size: (Int, Int, Int)) {
        let (ta, tb) = transposes, (m, n, k) = size
        let lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2
        let a = TestSupport.randn([(ta ? k : m) * lda], seed: 1).scalars
        let b = TestSupport.randn([(tb ? n : k) * ldb], seed: 2).scalars
        let c = TestSupport.randn([m * ldc], seed: 3).scalars
        let expected = Self.reference(ta, tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb, beta: 0.3, c: c, ldc: ldc)
        for library in GEMMLibrary.allCases {
            var out = c
            GEMMLibrary.with(library) {
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        out.withUnsafeMutableBufferPointer { pc in
                            CPUBackend.shared.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7,
                                                   pa.baseAddress!, lda: lda, pb.baseAddress!, ldb: ldb, beta: 0.3,
                                                   pc.baseAddress!, ldc: ldc)
                        }
                    }
                }
            }
            let worst = zip(out, expected).map { abs($0 - $1) / (1 + abs($1)) }.max()!
            #expect(worst < 1e-4, "\(library) \(transposes) \(size): \(worst)")
            // The padding between rows of C is left alone.
            for i in 0..<m { for j in n..<ldc { #expect(out[i * ldc + j] == c[i * ldc + j]) } }
        }
    }

    @Test func theShapeChoosesTheLibrary() {
        if GEMMLibrary.forced == nil {
            #expect(GEMMLibrary.choose(m: 64, n: 64, k: 32) == .openblas)     // an attention head
            #expect(GEMMLibrary.choose(m: 128, n: 256, k: 784) == .onednn)    // a dense layer
            #expect(GEMMLibrary.choose(m: 1, n: 256, k: 64) == .openblas)     // one LSTM step of one sequence
            #expect(GEMMLibrary.choose(m: 1, n: 128, k: 5408) == .onednn)     // the MNIST CNN's dense layer at batch 1
        }
        #expect(GEMMLibrary.with(.openblas) { GEMMLibrary.choose(m: 128, n: 256, k: 784) } == .openblas)
        #expect(GEMMLibrary.with(.onednn) { GEMMLibrary.choose(m: 1, n: 4, k: 4) } == .onednn)
    }
}
