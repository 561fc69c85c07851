import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonIO
import LeptonNN
import LeptonPlatform
import LeptonPlatformServer
import LeptonTensor
import Testing

/// A platform with a tiny registered model (Dense 3 → 2, versions 1 and 2 with different weights)
/// whose deployments run real `lepton serve` replicas.
struct DeploymentFixture {
    let server: PlatformTestServer
    let workspace: String
    /// The model's name in the registry.
    static let model = "tiny"
    /// The input every test sends.
    static let input: [Float] = [0.5, -1, 2]
    /// What each version answers for ``input``.
    let expected: [Int: [Float]]

    static func start(_ name: String) async throws -> DeploymentFixture {
        let server = try await PlatformTestServer.start(name)
        let workspace = server.admin.key.workspaceID
        var expected: [Int: [Float]] = [:]
        for version in 1...2 {
            GlobalRandom.seed(UInt64(version * 7))
            let model = Sequential([Dense(units: 2)])
            model.build(inputShape: [3])
            model.eval()
            expected[version] = Tensor.withoutGrad { model(Tensor(input, shape: [1, 3])) }.scalars
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-deploy-model-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try LeptonIO.ModelFile.save(model, to: folder, inputShape: [3])
            _ = try await server.platform.models.register(modelFolder: folder, name: Self.model, workspaceID: workspace,
                                                          lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        }
        return DeploymentFixture(server: server, workspace: workspace, expected: expected)
    }

    /// Creates a deployment through the API; returns its token (nil when public).
    func create(_ json: String) async throws -> String? {
        let reply = try await server.send("POST", "/api/v1/deployments", token: server.admin.token, json: json)
        try #require(reply.status == 201, "\(reply.status) \(reply.error)")
        return reply.json?["token"] as? String
    }

    /// One answer of the data plane.
    struct Answer: Sendable {
        let status: Int
        let body: Data
        let headers: [String: String]
        var outputs: [Float]? {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                  let first = (object["outputs"] as? [[String: Any]])?.first, let data = first["data"] as? [Double] else { return nil }
            return data.map(Float.init)
        }
    }

    /// Sends `body` to `/deployments/<name><path>`.
    func call(_ name: String, _ path: String = "/v2/models/\(Self.model)/infer", token: String?, body: Data? = nil,
              headers: [String: String] = [:], method: String = "POST") async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/deployments/\(name)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 180
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (field, value) in headers { request.setValue(value, forHTTPHeaderField: field) }
        request.httpBody = body
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                let http = response as? HTTPURLResponse
                var fields: [String: String] = [:]
                for (field, value) in http?.allHeaderFields ?? [:] { fields["\(field)".lowercased()] = "\(value)" }
                continuation.resume(returning: Answer(status: http?.statusCode ?? 0, body: data ?? Data(), headers: fields))
            }.resume()
        }
    }

    /// A KServe V2 JSON inference request for ``input``.
    static var jsonRequest: Data {
        Data(#"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "data": [0.5, -1, 2]}]}"#.utf8)
    }

    /// Infers ``input`` as JSON; returns the status and which version answered (nil if neither).
    func infer(_ name: String, token: String?) async throws -> (status: Int, version: Int?, answer: Answer) {
        let answer = try await call(name, token: token, body: Self.jsonRequest, headers: ["Content-Type": "application/json"])
        let version = answer.outputs.flatMap { outputs in
            expected.first { zip($0.value, outputs).allSatisfy { abs($0 - $1) < 1e-4 } && $0.value.count == outputs.count }?.key
        }
        return (answer.status, version, answer)
    }

    /// The deployment's status document.
    func status(_ name: String) async throws -> [String: Any] {
        try await server.send("GET", "/api/v1/deployments/\(name)", token: server.admin.token).json ?? [:]
    }

    /// Polls the status until `condition` holds (at most `seconds`).
    func wait(_ name: String, seconds: Double = 60, _ what: String, until condition: ([String: Any]) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any] = [:]
        while Date() < deadline {
            last = try await status(name)
            if condition(last) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("\(name): not \(what) within \(seconds) s; status: \(last)")
        throw PlatformError(.internalError, "timed out waiting for \(what)")
    }

    /// The replicas of a status document: (version, phase).
    static func replicas(_ status: [String: Any]) -> [(version: Int, phase: String)] {
        (status["replicas"] as? [[String: Any]] ?? []).map { ($0["version"] as? Int ?? 0, $0["phase"] as? String ?? "") }
    }

    /// The kinds of a deployment's events.
    func eventKinds(_ name: String) async throws -> [String] {
        try await server.platform.deployments.events(name, workspaceID: workspace, limit: 1000).map(\.kind)
    }

    /// Sends requests from `clients` concurrent loops until `stop` is set; returns every status and version seen.
    final class Load: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [(Int, Int?)] = []
        private var stopped = false
        private var tasks: [Task<Void, Never>] = []

        init(_ fixture: DeploymentFixture, name: String, token: String?, clients: Int) {
            tasks = (0..<clients).map { _ in
                Task {
                    while !self.isStopped {
                        let result = (try? await fixture.infer(name, token: token)).map { ($0.status, $0.version) } ?? (0, nil)
                        self.append(result)
                    }
                }
            }
        }

        private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

        private func append(_ result: (Int, Int?)) { lock.lock(); results.append(result); lock.unlock() }

        private func stop() { lock.lock(); stopped = true; lock.unlock() }

        private var seen: [(status: Int, version: Int?)] {
            lock.lock(); defer { lock.unlock() }
            return results.map { (status: $0.0, version: $0.1) }
        }

        /// Stops the loops and returns what they saw.
        func finish() async -> [(status: Int, version: Int?)] {
            stop()
            for task in tasks { await task.value }
            return seen
        }
    }

    /// Whether process `pid` is alive (not a zombie).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
