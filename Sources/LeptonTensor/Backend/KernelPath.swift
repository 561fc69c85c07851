import CKernels
import Foundation

/// Which build of the float32 C kernels (the direct convolution's inner loops, the recurrent
/// cells' sigmoid and tanh) runs. Swift compiles LeptonTensor for the baseline x86-64 (SSE2: no
/// FMA, 16 vector registers), so the hottest loops live in C and are compiled for AVX-512, for
/// AVX2 + FMA and for any CPU; one is
/// chosen once per process from the CPU's features, unless `LEPTON_KERNELS` (`avx512`, `avx2`,
/// `portable`) asks for one this CPU can run. The paths differ only in rounding (FMA).
///
/// ```swift
/// print(KernelPath.selected)   // "avx512" on a Zen 4 or a Sapphire Rapids Xeon
/// ```
public enum KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
    case portable
    case avx2
    case avx512

    /// The C kernels' number for this path.
    var code: Int32 {
        switch self {
        case .portable: return Int32(LEPTON_KERNELS_PORTABLE.rawValue)
        case .avx2: return Int32(LEPTON_KERNELS_AVX2.rawValue)
        case .avx512: return Int32(LEPTON_KERNELS_AVX512.rawValue)
        }
    }

    /// Whether this CPU (and its operating system) can run the path.
    public var isSupported: Bool { lepton_kernels_path_supported(code) != 0 }

    public var description: String { rawValue }

    /// The fastest path this CPU runs.
    public static var best: KernelPath {
        [.avx512, .avx2].first { $0.isSupported } ?? .portable
    }

    /// The path the kernels use: `LEPTON_KERNELS` when set to a path this CPU runs, otherwise ``best``.
    public static let selected: KernelPath = {
        guard let text = ProcessInfo.processInfo.environment["LEPTON_KERNELS"]?.lowercased() else { return best }
        if let asked = KernelPath(rawValue: text), asked.isSupported { return asked }
        FileHandle.standardError.write(Data(
            "warning: LEPTON_KERNELS=\(text) is not a path this CPU runs (expected one of \(allCases.filter(\.isSupported).map(\.rawValue).joined(separator: ", "))); using \(best)\n".utf8))
        return best
    }()

    /// The path the kernels run now: ``selected``, or the one ``with(_:_:)`` set for this task.
    public static var current: KernelPath { override ?? selected }

    @TaskLocal private static var override: KernelPath?

    /// Runs `body` with the kernels it calls on `path` (tests and benchmarks compare paths in one
    /// process; other tasks keep theirs); a path this CPU cannot run is a programming error.
    public static func with<R>(_ path: KernelPath, _ body: () throws -> R) rethrows -> R {
        require(path.isSupported, "KernelPath.with", "\(path) is not a path this CPU runs")
        return try $override.withValue(path, operation: body)
    }
}
