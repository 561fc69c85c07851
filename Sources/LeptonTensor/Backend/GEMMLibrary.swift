import CBLAS
import CDNNL
import Foundation

/// Which library runs a float32 matrix product on the CPU backend: OpenBLAS (`cblas_sgemm`) or
/// oneDNN (`dnnl_sgemm`). Both are called single-threaded on row-major matrices; the backend
/// splits larger products over its own threads (``CPUBackend/gemm(transposeA:transposeB:m:n:k:alpha:_:lda:_:ldb:beta:_:ldc:)``).
///
/// Measured side by side (`scripts/bench_blas.sh`, docs/BENCHMARKS.md): on an AVX-512 Xeon,
/// Debian's oneDNN 2.6.3 ran the MLP's and the Transformer's training products 1.12–1.29× as
/// fast as Debian's OpenBLAS 0.3.21 at one thread, and the attention's 64-token per-head
/// products 0.78–0.86× as fast. So products whose `n · k` (the shape of `op(B)`, the weights
/// in a dense layer) reaches ``minimumDNNLWeights`` go to oneDNN, the others to OpenBLAS, except
/// tiny ones (under ``minimumDNNLWork`` multiply-adds, such as one recurrent step of one
/// sequence), where oneDNN's cost per call outweighs its speed: a batch-1 pass of the sentiment
/// LSTM took 144 µs with every step on oneDNN and 115 on OpenBLAS. `LEPTON_GEMM=openblas` (or
/// `onednn`) sends every product to one library.
public enum GEMMLibrary: String, CaseIterable, Sendable {
    case openblas
    case onednn

    /// `n · k` from which products run on oneDNN.
    public static let minimumDNNLWeights = 4096
    /// Multiply-adds (`m · n · k`) from which products run on oneDNN.
    public static let minimumDNNLWork = 1 << 17

    /// The library forced by `LEPTON_GEMM`, or nil to choose per product.
    public static let forced: GEMMLibrary? = {
        guard let text = ProcessInfo.processInfo.environment["LEPTON_GEMM"]?.lowercased(), !text.isEmpty else { return nil }
        guard let library = GEMMLibrary(rawValue: text) else {
            fatalError("LEPTON_GEMM must be openblas or onednn, got '\(text)'")
        }
        return library
    }()

    /// The library for an `m × n` product over `k`.
    public static func choose(m: Int, n: Int, k: Int) -> GEMMLibrary {
        override ?? forced ?? (n * k >= minimumDNNLWeights && m * n * k >= minimumDNNLWork ? .onednn : .openblas)
    }

    /// Runs `body` with every product of this task on `library` (tests compare the two).
    public static func with<R>(_ library: GEMMLibrary, _ body: () throws -> R) rethrows -> R {
        try $override.withValue(library, operation: body)
    }

    @TaskLocal private static var override: GEMMLibrary?

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, on the calling thread.
    @inline(__always)
    func sgemm(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
               _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
               _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        guard m > 0, n > 0 else { return }
        if self == .onednn {
            Self.singleOpenMPThread()
            let status = dnnl_sgemm(transposeA ? 0x54 : 0x4E, transposeB ? 0x54 : 0x4E, Int64(m), Int64(n), Int64(k), alpha,
                                    a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
            if status == dnnl_success { return }
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Debian builds oneDNN on OpenMP, which would start a team of one thread per core inside
    /// every call; the backend runs its own threads, so each calling thread asks OpenMP for one
    /// (`omp_set_num_threads(1)`, a per-thread setting, found where oneDNN loaded libgomp).
    private static func singleOpenMPThread() {
        if let set = setNumThreads { set(1) }
    }

    private static let setNumThreads: (@convention(c) (Int32) -> Void)? = {
        guard let symbol = dlsym(nil, "omp_set_num_threads") else { return nil }   // nil: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
    }()
}
