import Foundation
import LeptonTestSupport
import Testing

/// `lepton platform serve` killed with SIGKILL mid-upload and mid-job: after a restart no partial
/// version is visible, the job is re-adopted and finishes in its first attempt, and the audit
/// chain verifies.
@Suite struct PlatformCrashTests {
    @Test func killDuringUploadAndJobThenRestart() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-platform-crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data"), files = dir.appendingPathComponent("mnist")
        try PlatformClientTests.writeMNIST(into: files, count: 256)
        let initialised = try LeptonExecutable.run(["platform", "init", "--data", data.path])
        let admin = String(try #require(initialised.stdout.split(separator: "\n").first { $0.hasPrefix("admin key: ") }).dropFirst(11))
        var (server, port) = try await PlatformCommandTests.serve(data, portFile: dir.appendingPathComponent("port-1"))
        var environment = ["LEPTON_URL": "http://127.0.0.1:\(port)", "LEPTON_TOKEN": admin]
        func lepton(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try LeptonExecutable.run(arguments, environment: environment)
        }
        let stems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        for stem in stems { #expect(try lepton(["dataset", "push", files.appendingPathComponent(stem).path, "--name", stem]).status == 0) }
        let config = dir.appendingPathComponent("long.yaml")
        try PlatformClientTests.config.replacingOccurrences(of: "epochs: 1", with: "epochs: 10000").write(to: config, atomically: true, encoding: .utf8)
        let datasetID = try #require(try lepton(["dataset", "ls"]).stdout.split(separator: "\n").first { $0.contains("t10k-labels") }?
            .split(separator: " ").first.map(String.init))
        let submitted = try lepton(["job", "submit", config.path] + stems.flatMap { ["--input", "mnist/\($0)=\($0)"] })
        let jobID = try #require(submitted.stdout.split(separator: " ").dropFirst().first.map(String.init), "\(submitted.stderr)")
        // Wait for the job's attempt to start (its shell writes attempt.pid; the trainer's output is
        // block-buffered, so the log is no signal), then start an upload and kill the server mid-body.
        let pidFile = data.appendingPathComponent("jobs/\(jobID)/attempt.pid")
        for _ in 0..<400 where !FileManager.default.fileExists(atPath: pidFile.path) {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(FileManager.default.fileExists(atPath: pidFile.path), "the job's attempt did not start within 20 s")
        // 64 kB of the 5 MB body: it fits the socket's buffer, so the write cannot wait for the server.
        let upload = try LoopbackConnection(port: port)
        upload.write(Array("POST /api/v1/datasets/\(datasetID)/versions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(admin)\r\nContent-Length: 5000000\r\n\r\n".utf8)
                     + [UInt8](repeating: 7, count: 64_000))
        try await Task.sleep(for: .milliseconds(100))
        // The crash must hit a running attempt, or this test would not test re-adoption.
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("jobs/\(jobID)/exit-status").path),
                "\((try? String(contentsOf: data.appendingPathComponent("jobs/\(jobID)/log.txt"), encoding: .utf8))?.suffix(800) ?? "no log")")
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        upload.close()

        (server, port) = try await PlatformCommandTests.serve(data, portFile: dir.appendingPathComponent("port-2"))
        defer { server.terminate(); server.waitUntilExit() }
        environment["LEPTON_URL"] = "http://127.0.0.1:\(port)"
        let followed = try lepton(["job", "logs", jobID, "--follow"])
        #expect(followed.stdout.contains("job \(jobID) succeeded"), "\(followed.stdout.suffix(600))\(followed.stderr)")
        #expect(followed.stdout.contains("attempt 1 ended: succeeded") && !followed.stdout.contains("attempt 2"), "\(followed.stdout.suffix(600))")
        let listed = try lepton(["job", "ls"]).stdout
        #expect(listed.contains(jobID) && listed.contains("succeeded"), "\(listed)")
        let shown = try lepton(["model", "ls", jobID]).stdout
        #expect(shown.contains(jobID), "\(shown)")
        // The upload cut off by the crash left no version and no file.
        let uploads = (try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("uploads").path)) ?? []
        #expect(uploads.isEmpty, "\(uploads)")
        let pulled = dir.appendingPathComponent("labels")
        #expect(try lepton(["dataset", "pull", datasetID, "--output", pulled.path]).stdout.contains("version 1 "))
        server.terminate()
        server.waitUntilExit()
        let verified = try LeptonExecutable.run(["platform", "audit", "verify", "--data", data.path])
        #expect(verified.status == 0 && verified.stdout.contains("audit log intact"), "\(verified.stdout)\(verified.stderr)")
    }
}
