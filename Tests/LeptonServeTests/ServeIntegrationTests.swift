import Foundation
import LeptonServe
import LeptonTensor
import Testing
import LeptonTestSupport

/// Starts the built `lepton serve` on a free loopback port and drives it with the PyPI client
/// `tritonclient[http]` (python/serve_client_test.py): health, metadata, JSON and binary
/// inference equal to Lepton's direct predict, repository load/unload, statistics, every bad
/// input (4xx with {"error": ...} followed by a healthy request), auth, limits, and graceful
/// shutdown on SIGTERM with a request in flight (the process then exits 0).
@Suite struct ServeIntegrationTests {
    static var lepton: URL { LeptonExecutable.url }

    static var clientScript: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("python/serve_client_test.py")
    }

    /// Builds the repository and the expected outputs file.
    func makeRepository(_ root: URL) throws -> URL {
        let repo = root.appendingPathComponent("models")
        let x = ServeFixtures.images(8, seed: 11)
        var expected: [String: Any] = [:]
        var mnist: [String: Any] = [:]
        for version in [1, 2] {
            let model = ServeFixtures.cnn(seed: UInt64(version * 100))
            try ServeFixtures.save(model, repo: repo, name: "mnist", version: version, inputShape: [28, 28, 1],
                                   config: #"{"max_batch_size": 8, "version_policy": {"all": {}}, "dynamic_batching": {"max_queue_delay_microseconds": 2000}}"#)
            mnist[String(version)] = ["inputs": x.scalars.map(Double.init), "outputs": ServeFixtures.predict(model, x).map(Double.init)]
        }
        // Nested lists for numpy: reshape on the Python side is avoided by writing shaped arrays.
        expected["mnist"] = mnist.mapValues { value -> [String: Any] in
            let v = value as! [String: [Double]]
            return ["inputs": Self.nest(v["inputs"]!, [8, 28, 28, 1]), "outputs": Self.nest(v["outputs"]!, [8, 10])]
        }
        let embed = ServeFixtures.embedding(seed: 5)
        try ServeFixtures.save(embed, repo: repo, name: "embed", version: 1, inputShape: [5], dtype: .int32)
        let ids: [Int32] = [0, 1, 2, 3, 4, 19, 18, 17, 16, 15, 7, 7, 7, 7, 7, 1, 3, 5, 9, 11]
        let out = ServeFixtures.predict(embed, Tensor(int32: ids, shape: [4, 5]))
        expected["embed"] = ["1": ["inputs": Self.nest(ids.map(Double.init), [4, 5]), "outputs": Self.nest(out.map(Double.init), [4, 3])]]
        let base = ServeFixtures.cnn(seed: 200)
        try ServeFixtures.save(base, repo: repo, name: "slow", version: 1, inputShape: [28, 28, 1],
                               config: #"{"dynamic_batching": {"max_queue_delay_microseconds": 900000}}"#)
        try ServeFixtures.save(base, repo: repo, name: "slower", version: 1, inputShape: [28, 28, 1],
                               config: #"{"dynamic_batching": {"max_queue_delay_microseconds": 12000000}}"#)
        try ServeFixtures.save(base, repo: repo, name: "tiny-queue", version: 1, inputShape: [28, 28, 1],
                               config: #"{"max_queue_size": 1, "dynamic_batching": {"max_queue_delay_microseconds": 3000000}}"#)
        let broken = repo.appendingPathComponent("broken/1")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "{not json".write(to: broken.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let data = try JSONSerialization.data(withJSONObject: expected)
        try data.write(to: root.appendingPathComponent("expected.json"))
        return repo
    }

    static func nest(_ values: [Double], _ shape: [Int]) -> Any {
        if shape.count == 1 { return values }
        let step = values.count / shape[0]
        return (0..<shape[0]).map { nest(Array(values[($0 * step)..<(($0 + 1) * step)]), Array(shape.dropFirst())) }
    }

    @Test func tritonClientDrivesTheServer() throws {
        try LeptonExecutable.requireBuilt()
        let root = try ServeFixtures.temporaryFolder("integration")
        defer { try? FileManager.default.removeItem(at: root) }
        let repo = try makeRepository(root)
        let portFile = root.appendingPathComponent("port")
        let log = root.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        let maxBody = 300_000
        let server = Process()
        server.executableURL = Self.lepton
        server.arguments = ["serve", "--repository", repo.path, "--port", "0", "--port-file", portFile.path,
                            "--max-body-bytes", String(maxBody), "--max-inflated-bytes", String(maxBody), "--request-timeout", "6", "--threads", "1", "--log-format", "json",
                            "--handlers-on-event-loops"]   // the default pool is covered in process (ModelServerTests)
        var environment = ProcessInfo.processInfo.environment
        environment["LEPTON_SERVE_TOKENS"] = "s3cret"
        environment["LEPTON_SERVE_ADMIN_TOKENS"] = "adm1n"
        server.environment = environment
        server.standardOutput = logHandle
        server.standardError = logHandle
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var port: String?
        for _ in 0..<600 where port == nil {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), !text.isEmpty { port = text }
            else { Thread.sleep(forTimeInterval: 0.1) }
        }
        guard let port else {
            Issue.record("server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
            return
        }
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = [ProcessInfo.processInfo.environment["LEPTON_PYTHON"] ?? "python3", Self.clientScript.path,
                            "--url", "127.0.0.1:\(port)", "--expected", root.appendingPathComponent("expected.json").path,
                            "--token", "adm1n", "--inference-token", "s3cret", "--max-body", String(maxBody), "--server-pid", String(server.processIdentifier)]
        let output = Pipe()
        client.standardOutput = output
        client.standardError = output
        try client.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "client failures:\n\(text)")
        // The client sent SIGTERM with a request in flight; the server finishes it and exits 0.
        let deadline = Date().addingTimeInterval(30)
        while server.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!server.isRunning, "server still running 30 s after SIGTERM")
        if !server.isRunning {
            #expect(server.terminationReason == .exit && server.terminationStatus == 0, "server exit status \(server.terminationStatus)")
        }
        let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(logText.contains("\"hb.request.id\""), "structured request logs with request ids")
        #expect(logText.contains("server stopped"), "server log ends with a clean stop:\n\(logText.suffix(2000))")
    }

    @Test func badFlagsGiveOneErrorLineAndExitStatus1() throws {
        try LeptonExecutable.requireBuilt()
        let root = try ServeFixtures.temporaryFolder("flags")
        defer { try? FileManager.default.removeItem(at: root) }
        let cases: [([String], String)] = [
            (["serve", "--repository", "/nonexistent/repo"], "--repository /nonexistent/repo: not a folder (expected <repo>/<model>/<version>/)"),
            (["serve", "--repository", root.path, "--max-batch-size", "70000"], "--max-batch-size: expected an integer in 0...65536, got 70000"),
            (["serve", "--repository", root.path, "--port", "70000"], "--port: expected an integer in 0...65535, got 70000"),
            // Issue 19: values that overflowed the server's arithmetic or allocated without bound.
            (["serve", "--repository", root.path, "--max-queue-delay-us", "10000000000000000"],
             "--max-queue-delay-us: expected an integer in 0...60000000, got 10000000000000000"),
            (["serve", "--repository", root.path, "--instances", "100000000"], "--instances: expected an integer in 1...64, got 100000000"),
            (["serve", "--repository", root.path, "--request-timeout", "1e300"], "--request-timeout: expected seconds in 0...86400 (0: none), got 1e+300"),
            (["serve", "--repository", root.path, "--request-timeout", "nan"], "--request-timeout: expected seconds in 0...86400 (0: none), got nan"),
            (["serve", "--repository", root.path, "--max-request-elements", "0"], "--max-request-elements: expected an integer in 1...268435456, got 0"),
            (["serve", "--repository", root.path, "--threads", "99999999"], "--threads: expected an integer in 1...1024, got 99999999"),
            (["serve", "--repository", root.path, "--admin-token-file", "/nonexistent/admin"], "--admin-token-file /nonexistent/admin: cannot read the file"),
            (["serve", "--repository", root.path, "--token-file", "/nonexistent/tokens"], "--token-file /nonexistent/tokens: cannot read the file"),
            (["serve", "--repository", root.path, "--log-format", "xml"], "--log-format: expected text or json, got xml"),
            (["serve", "--repository", root.path, "--handlers-on-event-loops", "--io-threads", "2"],
             "--handlers-on-event-loops uses the shared event loops; drop --io-threads"),
        ]
        for (arguments, expected) in cases {
            let (status, _, text) = try LeptonExecutable.run(arguments)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(text == "error: \(expected)\n", "\(arguments): \(text)")
        }
    }

    /// `lepton check-model`, which `lepton serve` runs before loading a version in process:
    /// exit 0 for a loadable folder, one `error:` line and exit 1 for one that throws.
    @Test func checkModelLoadsAFolderInAChildProcess() throws {
        let root = try LeptonExecutable.scratchFolder("check-model")
        defer { try? FileManager.default.removeItem(at: root) }
        try ServeFixtures.save(ServeFixtures.cnn(seed: 1), repo: root, name: "good", version: 1, inputShape: [28, 28, 1])
        let good = try LeptonExecutable.run(["check-model", root.appendingPathComponent("good/1").path])
        #expect(good.status == 0, "\(good.stderr)")
        let broken = root.appendingPathComponent("broken/1")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "{not json".write(to: broken.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let bad = try LeptonExecutable.run(["check-model", broken.path])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: ") && bad.stderr.contains("not valid JSON"), "\(bad.stderr)")
    }
}
