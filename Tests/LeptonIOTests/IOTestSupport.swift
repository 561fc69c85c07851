import Foundation
import LeptonIO
import LeptonNN
import LeptonTensor

/// A fresh temporary folder path (not created), removed by `cleanUp`.
func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("lepton-io-\(name)-\(UUID().uuidString)")
}

/// Runs `body` with a fresh temporary folder that is removed afterwards.
func withTemporaryDirectory<R>(_ name: String, _ body: (URL) throws -> R) throws -> R {
    let url = temporaryURL(name)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Overwrites every parameter and buffer with seeded noise, so that zero-initialised biases and
/// unit norms are checked by round trips too.
func randomizeState(_ module: Module, seed: UInt64 = 7) {
    var g = RandomGenerator(seed: seed)
    for (_, t) in module.namedParameters() where t.dtype == .float32 {
        t.assign(Tensor.normal(t.shape, std: 0.5, generator: &g))
    }
    // Buffers (batch-norm statistics) stay positive, as a variance must.
    for (_, t) in module.namedBuffers() where t.dtype == .float32 {
        t.assign(Tensor.normal(t.shape, std: 0.5, generator: &g).abs() + 0.01)
    }
}

/// The thrown error's description ("no error" when nothing was thrown).
func errorMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return "no error"
}

/// Runs `python3 -c script` with the arguments; returns standard output, throws with standard error.
@discardableResult
func runPython(_ script: String, _ arguments: [String] = []) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile(), errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw IOError("python3 failed: \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: output, as: UTF8.self)
}
