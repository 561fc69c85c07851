import Foundation
import CBLAS
import LeptonTensor

/// OpenBLAS environment overrides: some machines set `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE`
/// because old OpenBLAS builds misbehave on their processors. OpenBLAS reads them once, when
/// the library loads, so the benchmark can only drop them for itself by re-executing itself
/// without them (tests and every other process keep them). `--keep-openblas-env` (or
/// `LEPTON_BENCH_KEEP_OPENBLAS_ENV=1`) measures with them in place.
enum BenchEnvironment {
    static let overrideNames = PeerProcess.removedVariables
    static let marker = "LEPTON_BENCH_REEXEC_DROPPED"

    /// Re-executes this process without the OpenBLAS overrides when any is set; returns only
    /// when nothing needs dropping (or the user asked to keep them, or exec failed).
    static func dropOpenBLASOverridesByReexec(keep: Bool) {
        let env = ProcessInfo.processInfo.environment
        let set = overrideNames.filter { env[$0] != nil }
        if keep || set.isEmpty || env["LEPTON_BENCH_KEEP_OPENBLAS_ENV"] == "1" || env[marker] != nil { return }
        let dropped = set.map { "\($0)=\(env[$0]!)" }.joined(separator: " ")
        for name in set { unsetenv(name) }
        setenv(marker, dropped, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // exec failed: carry on with the environment as it is now (the library already loaded).
        fputs("lepton-bench: re-exec without \(set) failed (errno \(errno)); measuring as is\n", stderr)
    }

    /// A line describing Lepton's OpenBLAS, the overrides in force, which library runs which
    /// products, and which C kernels run.
    static func leptonBLASDescription() -> String {
        let core = BLASCore.name
        let config = openblas_get_config().map { String(cString: $0) } ?? "?"
        let env = ProcessInfo.processInfo.environment
        var note = overrideNames.map { "\($0)=\(env[$0] ?? "unset")" }.joined(separator: ", ")
        if let dropped = env[marker] { note += " (re-executed without \(dropped))" }
        let kernels = "C kernels \(KernelPath.selected), subnormals \(Lepton.flushesDenormals ? "flushed to zero" : "kept")"
        let gemm = GEMMLibrary.forced.map { "every product on \($0) (LEPTON_GEMM)" }
            ?? "products with n·k ≥ \(GEMMLibrary.minimumDNNLWeights) and m·n·k ≥ \(GEMMLibrary.minimumDNNLWork) on oneDNN, others on OpenBLAS"
        return "OpenBLAS \(config), core \(core); \(note); \(gemm); \(kernels)"
    }

    /// The 1-, 5- and 15-minute load averages from /proc/loadavg.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
