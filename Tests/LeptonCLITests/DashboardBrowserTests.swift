import Foundation
import LeptonTestSupport
import Testing

/// The web dashboard in a real browser: starts the built `lepton platform serve` on a fresh data
/// folder and runs python/ui_test.py (Selenium, headless Chromium), which signs in, submits a
/// small MNIST job, watches its curve grow, opens the datasets, registry and audit pages and
/// saves screenshots (into `$LEPTON_UI_SCREENSHOTS` when set, else a temporary folder). The job
/// may take `$LEPTON_UI_JOB_TIMEOUT` seconds (ui_test.py's default, 240, when unset).
@Suite struct DashboardBrowserTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `$LEPTON_DATA_DIR`, else `../shared/datasets` beside the repository.
    static var datasets: URL {
        ProcessInfo.processInfo.environment["LEPTON_DATA_DIR"].map { URL(fileURLWithPath: $0) }
            ?? root.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    }

    @Test(.timeLimit(.minutes(10))) func signInSubmitWatchTheCurveAndBrowse() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-dashboard")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        let initialised = try LeptonExecutable.run(["platform", "init", "--data", data.path])
        let admin = try #require(initialised.stdout.split(separator: "\n").first { $0.hasPrefix("admin key: ") }).dropFirst(11)
        let (server, port) = try await PlatformCommandTests.serve(data, portFile: dir.appendingPathComponent("port"))
        defer { server.terminate(); server.waitUntilExit() }
        let shots = ProcessInfo.processInfo.environment["LEPTON_UI_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? dir.appendingPathComponent("screenshots")

        let arguments = [ProcessInfo.processInfo.environment["LEPTON_PYTHON"] ?? "python3", Self.root.appendingPathComponent("python/ui_test.py").path,
                         "--url", "http://127.0.0.1:\(port)", "--token", String(admin),
                         "--mnist", Self.datasets.appendingPathComponent("mnist").path, "--screenshots", shots.path]
            // The seconds the job may take; scripts/sanitize.sh tsan gives its slower instrumented build more.
            + (ProcessInfo.processInfo.environment["LEPTON_UI_JOB_TIMEOUT"].map { ["--timeout", $0] } ?? [])
        let (status, text) = try await Self.run(arguments)
        #expect(status == 0, "python/ui_test.py failed (needs chromium, chromium-driver and selenium: scripts/setup.sh):\n\(text)")
        let saved = (try? FileManager.default.contentsOfDirectory(atPath: shots.path)) ?? []
        #expect(saved.filter { $0.hasSuffix(".png") }.count >= 8, "screenshots: \(saved)")
    }

    /// Runs `body` on a thread of its own, so that waiting for a program (a minute here) holds none
    /// of the few threads the suite's other tests, and their in-process servers, run on.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Runs a program to its end (off the pool).
    /// - Returns: its exit status and its output (standard output and error together).
    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }
}
