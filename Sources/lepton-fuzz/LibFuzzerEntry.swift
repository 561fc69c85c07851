import Foundation
import LeptonFuzz

// The libFuzzer driver (built only by `scripts/fuzz.sh`, with `-sanitize=fuzzer,address`):
// libFuzzer supplies `main`, calls `LLVMFuzzerInitialize` once and `LLVMFuzzerTestOneInput` for
// every input. `LEPTON_FUZZ_TARGET` names the target; an empty corpus folder (the first
// argument that is not a flag) is filled with the target's seeds first.

nonisolated(unsafe) private var target: FuzzTarget!
nonisolated(unsafe) private var scratch: FuzzScratch!

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["LEPTON_FUZZ_TARGET"] ?? ""
    guard let found = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("error: LEPTON_FUZZ_TARGET \"\(name)\" is not a target; expected one of \(names)\n".utf8))
        exit(2)
    }
    target = found
    FuzzTargets.useFuzzingLimits()
    do {
        scratch = try FuzzScratch()
        let arguments = (1..<Int(argc.pointee)).compactMap { argv.pointee[$0].map { String(cString: $0) } }
        if let corpus = arguments.first(where: { !$0.hasPrefix("-") }) {
            try writeSeeds(to: URL(fileURLWithPath: corpus))
        }
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(2)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    _ = target.run(Data(bytes: bytes, count: count), scratch: scratch)
    return 0
}

/// Writes the target's seeds into an empty (or missing) corpus folder.
private func writeSeeds(to folder: URL) throws {
    let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    guard existing.isEmpty else { return }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (i, seed) in try target.seeds(scratch: scratch).enumerated() {
        try seed.write(to: folder.appendingPathComponent("seed-\(i)"))
    }
}
