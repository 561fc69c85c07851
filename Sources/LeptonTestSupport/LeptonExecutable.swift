import Foundation

/// The built `lepton` command, which SwiftPM places beside the test bundle, run as a user runs
/// it: tests of the command line check its output and exit status.
public enum LeptonExecutable {
    /// Where the executable sits (next to the test bundle).
    public static var url: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lepton")
    }

    /// Whether the executable has been built.
    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: url.path) }

    /// The executable is missing: a test of the command line cannot run (and fails).
    public struct NotBuilt: Error, CustomStringConvertible {
        public var description: String { "lepton executable not found at \(LeptonExecutable.url.path)" }
    }

    /// Throws ``NotBuilt`` unless the executable has been built.
    public static func requireBuilt() throws {
        guard isBuilt else { throw NotBuilt() }
    }

    /// A fresh, empty folder `<tmp>/<prefix>-<uuid>` for one test of the command (the caller
    /// removes it).
    /// - Throws: ``NotBuilt`` when the executable has not been built.
    public static func scratchFolder(_ prefix: String) throws -> URL {
        try requireBuilt()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `lepton` with `arguments` to completion, in `directory` (default: the current folder),
    /// with `environment` added to this process's environment.
    /// - Returns: the exit status and everything written to standard output and standard error.
    public static func run(_ arguments: [String], in directory: URL? = nil,
                           environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
