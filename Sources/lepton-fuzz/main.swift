import CLibFuzzer
import Foundation
import LeptonFuzz

// The libFuzzer driver, built only by `scripts/fuzz.sh` (`LEPTON_FUZZ=1`,
// `-sanitize=fuzzer,address`): `LEPTON_FUZZ_TARGET` names the target; an empty or missing corpus
// folder (the first argument that is not a flag) is filled with the target's seeds; a file argument
// is replayed (`LEPTON_FUZZ_TARGET=onnx lepton-fuzz crash-…`); then libFuzzer runs
// with the usual flags (`-max_total_time`, `-runs`, …).

nonisolated(unsafe) var target: FuzzTarget?
nonisolated(unsafe) var scratch: FuzzScratch?

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(2)
}

let name = ProcessInfo.processInfo.environment["LEPTON_FUZZ_TARGET"] ?? ""
guard let found = FuzzTargets.named(name) else {
    fail("LEPTON_FUZZ_TARGET \"\(name)\" is not a target; expected one of \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
}
target = found
FuzzTargets.useFuzzingLimits()
do {
    let folder = try FuzzScratch()
    scratch = folder
    if let corpus = CommandLine.arguments.dropFirst().first(where: { !$0.hasPrefix("-") }) {
        let url = URL(fileURLWithPath: corpus)
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        // A file argument is an input to replay (`lepton-fuzz crash-…`), not a corpus to seed.
        if !exists || (isFolder.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).isEmpty) {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (i, seed) in try found.seeds(scratch: folder).enumerated() {
                try seed.write(to: url.appendingPathComponent("seed-\(i)"))
            }
        }
    }
} catch {
    fail("\(error)")
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
    guard let target, let scratch else { return 0 }
    _ = target.run(bytes.map { Data(bytes: $0, count: count) } ?? Data(), scratch: scratch)
    return 0
})
