import Foundation
import LeptonONNX
import Testing

/// ONNX's operator conformance suite (the node tests shipped in the `onnx` 1.22.0 PyPI
/// package, 1,765 cases): every case the importer accepts ("claims") must produce the
/// expected outputs; the run prints the pass counts over claimed cases and over all cases.
@Suite struct ConformanceTests {
    @Test func everyClaimedCasePasses() throws {
        let cases = try ConformanceCase.all()
        #expect(cases.count >= 1765, "found \(cases.count) conformance cases, expected the 1,765 of onnx 1.22.0")
        let start = Date()
        var passed = 0, claimed = 0
        var failures: [(String, String)] = []
        var report = ""
        var failedOps: [String: Int] = [:]
        let verbose = ProcessInfo.processInfo.environment["LEPTON_CONFORMANCE_VERBOSE"] != nil
        let only = ProcessInfo.processInfo.environment["LEPTON_CONFORMANCE_ONLY"] ?? ""
        for testCase in cases where only.isEmpty || testCase.name.contains(only) {
            if verbose { FileHandle.standardError.write(Data("case \(testCase.name)\n".utf8)) }
            let outcome = testCase.run()
            switch outcome {
            case .unclaimed(let reason):
                report += "\(testCase.name)\tunclaimed\t\(reason)\n"
            case .passed:
                passed += 1
                claimed += 1
                report += "\(testCase.name)\tpassed\t\n"
            case .failed(let reason):
                claimed += 1
                failures.append((testCase.name, reason))
                for op in testCase.opTypes { failedOps[op, default: 0] += 1 }
                report += "\(testCase.name)\tFAILED\t\(reason)\n"
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("ONNX conformance: \(passed) passed of \(claimed) claimed; \(passed) of \(cases.count) total "
              + String(format: "(%.1f s)", seconds))
        if !failedOps.isEmpty {
            print("Claimed failures by op: " + failedOps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        for (name, reason) in failures.prefix(40) { print("  FAILED \(name): \(reason)") }
        if let path = ProcessInfo.processInfo.environment["LEPTON_CONFORMANCE_REPORT"], !path.isEmpty {
            try report.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(failures.isEmpty, "\(failures.count) claimed case(s) failed: \(failures.prefix(10).map(\.0).joined(separator: ", "))")
    }
}
