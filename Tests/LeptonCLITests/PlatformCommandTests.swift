import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonSQL
import LeptonTestSupport
import Testing

/// `lepton platform`: init prints the admin key once; serve answers with it and stops on
/// SIGTERM; audit verify passes, then fails after an edit behind the store's back; rotate-key;
/// the job runner options are checked before anything is served.
@Suite struct PlatformCommandTests {
    /// Starts `lepton platform serve` on a free port and waits for its port file.
    static func serve(_ data: URL, portFile: URL, database: String? = nil) async throws -> (Process, Int) {
        try? FileManager.default.removeItem(at: portFile)
        let process = Process()
        process.executableURL = LeptonExecutable.url
        process.arguments = ["platform", "serve", "--data", data.path, "--port", "0", "--port-file", portFile.path]
            + (database.map { ["--database", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw ServerDidNotStart()
    }

    /// `lepton platform serve` wrote no port file within 15 s.
    struct ServerDidNotStart: Error {}

    static func request(_ method: String, _ url: String, token: String, body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func initServeVerifyTamperAndRotate() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-platform")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        let initialised = try LeptonExecutable.run(["platform", "init", "--data", data.path])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let keyLine = try #require(initialised.stdout.split(separator: "\n").first { $0.hasPrefix("admin key: ") })
        let token = String(keyLine.dropFirst("admin key: ".count))
        #expect(token.wholeMatch(of: #/lep_[0-9a-f]{16}_[0-9a-f]{64}/#) != nil, "\(token)")
        let again = try LeptonExecutable.run(["platform", "init", "--data", data.path])
        #expect(again.status == 1 && again.stderr.contains("holds a platform already"), "\(again.stderr)")

        let (server, port) = try await Self.serve(data, portFile: dir.appendingPathComponent("port"))
        let base = "http://127.0.0.1:\(port)"
        let (created, body) = try await Self.request("POST", "\(base)/api/v1/keys", token: token, body: #"{"role": "viewer", "name": "cli"}"#)
        #expect(created == 201 && body.contains("\"token\":\"lep_"), "\(body)")
        let (denied, _) = try await Self.request("GET", "\(base)/api/v1/keys", token: "lep_0000000000000000_" + String(repeating: "1", count: 64))
        #expect(denied == 401)
        server.terminate()
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)

        let verified = try LeptonExecutable.run(["platform", "audit", "verify", "--data", data.path])
        #expect(verified.status == 0 && verified.stdout.contains("audit log intact: 3 rows verified"), "\(verified.stdout)\(verified.stderr)")
        let rotated = try LeptonExecutable.run(["platform", "rotate-key", "--data", data.path])
        #expect(rotated.status == 0 && rotated.stdout.contains("master key rotated to mk-"), "\(rotated.stderr)")

        let db = try SQLiteConnection(path: data.appendingPathComponent("platform.db").path)
        try db.execute("DROP TRIGGER audit_log_no_update")
        try db.execute("UPDATE audit_log SET result = '200' WHERE sequence = 3")
        let broken = try LeptonExecutable.run(["platform", "audit", "verify", "--data", data.path])
        #expect(broken.status == 1 && broken.stderr.contains("audit row 3"), "\(broken.stderr)")

        let missing = try LeptonExecutable.run(["platform", "serve", "--data", dir.appendingPathComponent("nothing").path])
        #expect(missing.status == 1 && missing.stderr.contains("lepton platform init"), "\(missing.stderr)")
    }

    @Test func aPlatformKeepsItsStateInPostgreSQLAcrossRestarts() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-platform-pg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data"), database = try TestDatabase(.postgresql).url
        let initialised = try LeptonExecutable.run(["platform", "init", "--data", data.path, "--database", database])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("platform.db").path), "no SQLite file beside PostgreSQL")
        let token = try #require(initialised.stdout.split(separator: "\n").first { $0.hasPrefix("admin key: ") }).dropFirst("admin key: ".count)
        let again = try LeptonExecutable.run(["platform", "init", "--data", dir.appendingPathComponent("other").path, "--database", database])
        #expect(again.status == 1 && again.stderr.contains("holds a platform already (it has workspaces)"), "\(again.stderr)")

        let portFile = dir.appendingPathComponent("port")
        for round in 0..<2 {  // the key created in round 0 is listed after the restart
            let (server, port) = try await Self.serve(data, portFile: portFile, database: database)
            if round == 0 {
                let (created, body) = try await Self.request("POST", "http://127.0.0.1:\(port)/api/v1/keys", token: String(token),
                                                            body: #"{"role": "viewer", "name": "kept"}"#)
                #expect(created == 201, "\(body)")
            }
            let (listed, keys) = try await Self.request("GET", "http://127.0.0.1:\(port)/api/v1/keys", token: String(token))
            #expect(listed == 200 && keys.contains("\"kept\""), "round \(round): \(keys)")
            server.terminate()
            server.waitUntilExit()
        }
        // The workspace's creation and the key's: reads are not audited.
        let verified = try LeptonExecutable.run(["platform", "audit", "verify", "--data", data.path, "--database", database])
        #expect(verified.status == 0 && verified.stdout.contains("audit log intact: 2 rows verified"), "\(verified.stdout)\(verified.stderr)")
        let withoutURL = try LeptonExecutable.run(["platform", "audit", "verify", "--data", data.path])
        #expect(withoutURL.status == 1 && withoutURL.stderr.contains("no platform.db"), "\(withoutURL.stderr)")
        let notPostgres = try LeptonExecutable.run(["platform", "serve", "--data", data.path, "--database", "mysql://x/y"])
        #expect(notPostgres.status != 0 && notPostgres.stderr.contains("expected a postgresql://"), "\(notPostgres.stderr)")
    }

    @Test func runnerOptionsAreCheckedBeforeServing() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-platform-runner")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], [String: String], String)] = [
            (["--slurm-partition", "cpu"], [:], "error: --slurm-partition: only with --runner slurm"),
            (["--runner", "slurm", "--slurm-partition", "a b"], [:], "error: --slurm-partition: expected a partition name"),
            (["--runner", "cluster"], [:], "error: The value 'cluster' is invalid for '--runner <runner>'"),
            (["--runner", "slurm"], ["PATH": "/nonexistent"], "error: --runner slurm: the Slurm runner needs `sbatch`"),
        ]
        for (arguments, environment, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(["platform", "serve", "--data", dir.path] + arguments, environment: environment)
            #expect(status == 1 && stderr.hasPrefix(expected), "\(arguments): exit status \(status): \(stderr)")
        }
    }
}
