import CBLAS
import Foundation

/// OpenBLAS's kernels for this CPU. Debian's OpenBLAS 0.3.21 picks its kernels by CPU model at
/// load time, and a CPU newer than it knows (seen here: a Sapphire Rapids-class Xeon in a virtual
/// machine) gets its oldest x86-64 kernels, `Prescott` (SSE3): a 1024² `sgemm` at 13.6 GFLOP/s
/// instead of 52.8 with its AVX-512 ones. When OpenBLAS settled on such a fallback although the CPU
/// has AVX-512 (or AVX2 + FMA), its kernel table is chosen again, once, before the first product,
/// by the features the CPU reports — what `OPENBLAS_CORETYPE=SkylakeX` (or `Haswell`) would do.
/// A user's own `OPENBLAS_CORETYPE` is left alone, and so is an OpenBLAS built without run-time
/// kernel choice.
public enum BLASCore {
    /// The kernels OpenBLAS runs (its `openblas_get_corename`), after ``ensureBestKernels()``.
    public static var name: String {
        ensureBestKernels()
        return openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// Cores OpenBLAS falls back to for CPUs it does not know, older than the features they have.
    static let fallbacks: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "sandybridge", "katmai", "northwood"]

    /// The core to ask for given the CPU's feature flags, or nil to keep OpenBLAS's choice.
    public static func betterCore(current: String, flags: Set<String>) -> String? {
        guard fallbacks.contains(current.lowercased()) else { return nil }
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// Chooses OpenBLAS's kernels again when it fell back (see the type's description); once.
    public static func ensureBestKernels() { _ = chosen }

    private static let chosen: Bool = {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let current = openblas_get_corename().map({ String(cString: $0) }),
              let core = betterCore(current: current, flags: cpuFlags()),
              let quit = dlsym(nil, "gotoblas_dynamic_quit"),  // nil: RTLD_DEFAULT, the symbols already loaded
              let initialise = dlsym(nil, "gotoblas_dynamic_init") else { return false }
        typealias Call = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", core, 1)
        unsafeBitCast(quit, to: Call.self)()
        unsafeBitCast(initialise, to: Call.self)()
        unsetenv("OPENBLAS_CORETYPE")
        return true
    }()

    /// The CPU's feature flags from `/proc/cpuinfo` (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
}
