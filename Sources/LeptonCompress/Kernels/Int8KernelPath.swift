import CInt8
import Foundation

/// Which int8 kernels run. Chosen once per process from the CPU's features — AVX-512 VNNI
/// (`vpdpbusd`) where present, else AVX2 + FMA, else plain loops — unless `LEPTON_INT8_KERNEL`
/// (`vnni`, `avx2`, `portable`) asks for one this CPU can run. All paths give the same sums.
///
/// ```swift
/// print(Int8KernelPath.selected)   // "avx512-vnni" on a Zen 4 or Ice Lake server
/// ```
public enum Int8KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
    case portable
    case avx2
    case avx512VNNI = "avx512-vnni"

    /// The C kernels' number for this path.
    var code: Int32 {
        switch self {
        case .portable: return Int32(LEPTON_INT8_PORTABLE.rawValue)
        case .avx2: return Int32(LEPTON_INT8_AVX2.rawValue)
        case .avx512VNNI: return Int32(LEPTON_INT8_AVX512_VNNI.rawValue)
        }
    }

    /// Whether this CPU (and its operating system) can run the path.
    public var isSupported: Bool { lepton_int8_path_supported(code) != 0 }

    public var description: String { rawValue }

    /// The fastest path this CPU runs.
    public static var best: Int8KernelPath {
        [.avx512VNNI, .avx2].first { $0.isSupported } ?? .portable
    }

    /// The path quantised layers use: `LEPTON_INT8_KERNEL` when set to a path this CPU runs
    /// (`vnni` is accepted for `avx512-vnni`), otherwise ``best``.
    public static let selected: Int8KernelPath = {
        guard let text = ProcessInfo.processInfo.environment["LEPTON_INT8_KERNEL"]?.lowercased() else { return best }
        let asked = text == "vnni" ? .avx512VNNI : Int8KernelPath(rawValue: text)
        if let asked, asked.isSupported { return asked }
        FileHandle.standardError.write(Data(
            "warning: LEPTON_INT8_KERNEL=\(text) is not a path this CPU runs (expected one of \(allCases.filter(\.isSupported).map(\.rawValue).joined(separator: ", "))); using \(best)\n".utf8))
        return best
    }()
}
