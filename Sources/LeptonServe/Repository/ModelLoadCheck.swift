import Foundation
import LeptonFiles

/// A check run on a model version folder before the server loads it in its own process.
public protocol ModelLoadCheck: Sendable {
    /// Why the folder cannot be loaded, or nil when it can.
    func check(_ versionFolder: URL) -> String?
}

/// Loads a model version in a child process first (`lepton check-model FOLDER`): a model file
/// that makes its loader stop the process (a trap in a layer's setup, an allocation that fails)
/// then ends the child, and the version is reported unavailable with the child's last words,
/// while the server keeps serving. Errors the loader throws are reported the same way.
///
/// The child must exit 0 when the folder loads and non-zero, with its reason on standard error,
/// when it does not; it is killed after `timeout`.
public struct ProcessLoadCheck: ModelLoadCheck {
    /// The program run.
    public let executable: URL
    /// Its arguments before the version folder's path.
    public let arguments: [String]
    /// How long a load may take.
    public let timeout: Duration

    /// Creates a check that runs `executable arguments… FOLDER`.
    public init(executable: URL, arguments: [String], timeout: Duration = .seconds(300)) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    /// Runs the child and reads its verdict.
    public func check(_ versionFolder: URL) -> String? {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + [versionFolder.path]
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-load-check-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: errors.path, contents: nil), let handle = try? FileHandle(forWritingTo: errors) else {
            return "could not create a log file for the load check"
        }
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: errors)
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch { return "could not start the load check \(executable.path): \(error)" }
        if done.wait(timeout: .now() + timeout.dispatchInterval) == .timedOut {
            process.terminate()
            done.wait()
            return "loading did not finish within \(timeout) (the load check was stopped)"
        }
        if process.terminationReason == .exit && process.terminationStatus == 0 { return nil }
        let text = (FileContents.text(errors)) ?? ""
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let said = lines.first { $0.contains("Fatal error") || $0.hasPrefix("error:") } ?? lines.last ?? "no message"
        let shown = said.count > 500 ? String(said.prefix(500)) + "…" : said
        if process.terminationReason == .uncaughtSignal {
            return "loading the model crashed the load check (signal \(process.terminationStatus)): \(shown)"
        }
        return shown.hasPrefix("error: ") ? String(shown.dropFirst(7)) : shown
    }
}
