import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonPlatform
import LeptonPlatformServer
import Testing

/// The data plane over real `lepton serve` replicas: JSON and binary KServe V2 requests pass
/// through unchanged, tokens are the deployment's own, public deployments need none.
@Suite("Deployment router", .serialized)
struct DeploymentRouterTests {
    @Test("JSON and binary inference through the router; missing, wrong or platform tokens → 401; public deployments open")
    func inferenceThroughTheRouter() async throws {
        let fixture = try await DeploymentFixture.start("router")
        let token = try #require(try await fixture.create(#"{"name": "tiny", "model": "tiny:1"}"#))
        // The first request is held until the replica is ready.
        let first = try await fixture.infer("tiny", token: token)
        #expect(first.status == 200 && first.version == 1, "\(first.status) \(String(decoding: first.answer.body, as: UTF8.self))")

        for (label, wrong) in [("none", nil), ("wrong", "lepd_" + String(repeating: "0", count: 64)), ("platform key", fixture.server.admin.token),
                               ("malformed", "not-a-token")] {
            let refused = try await fixture.infer("tiny", token: wrong)
            #expect(refused.status == 401, "\(label): \(refused.status)")
            #expect(String(decoding: refused.answer.body, as: UTF8.self).contains("token"), "\(label)")
        }
        // Other V2 routes and the replica's own status codes pass through.
        #expect(try await fixture.call("tiny", "/v2/health/ready", token: token, method: "GET").status == 200)
        let metadata = try await fixture.call("tiny", "/v2/models/tiny", token: token, method: "GET")
        #expect(metadata.status == 200 && String(decoding: metadata.body, as: UTF8.self).contains("\"tiny\""))
        let unknownModel = try await fixture.call("tiny", "/v2/models/nope/infer", token: token, body: DeploymentFixture.jsonRequest)
        #expect(unknownModel.status == 404, "\(unknownModel.status)")
        #expect(try await fixture.call("tiny", "/other", token: token, method: "GET").status == 404)
        #expect(try await fixture.infer("nothing", token: token).status == 404)

        // Binary tensors (tritonclient's extension): the header length travels both ways.
        let header = #"{"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}], "#
            + #""outputs": [{"name": "output", "parameters": {"binary_data": true}}]}"#
        var body = Data(header.utf8)
        for value in DeploymentFixture.input { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        let binary = try await fixture.call("tiny", token: token, body: body,
                                            headers: ["Inference-Header-Content-Length": "\(header.utf8.count)", "Content-Type": "application/octet-stream"])
        #expect(binary.status == 200, "\(String(decoding: binary.body, as: UTF8.self))")
        let headerLength = try #require(binary.headers["inference-header-content-length"].flatMap { Int($0) }, "\(binary.headers)")
        let tail = [UInt8](binary.body.dropFirst(headerLength))
        let outputs = stride(from: 0, to: tail.count, by: 4).map { i in
            Float(bitPattern: UInt32(tail[i]) | UInt32(tail[i + 1]) << 8 | UInt32(tail[i + 2]) << 16 | UInt32(tail[i + 3]) << 24)
        }
        #expect(outputs.count == 2 && zip(outputs, fixture.expected[1]!).allSatisfy { abs($0 - $1) < 1e-5 }, "\(outputs)")

        // A public deployment of the latest version needs no token.
        #expect(try await fixture.create(#"{"name": "open", "model": "tiny", "public": true}"#) == nil)
        let open = try await fixture.infer("open", token: nil)
        #expect(open.status == 200 && open.version == 2)

        // Pipelined requests on one connection are answered in order, whichever path answers each:
        // inference (the data plane's fast path), the API's health check (Hummingbird), a token refusal.
        let json = String(decoding: DeploymentFixture.jsonRequest, as: UTF8.self)
        let infer = "POST /deployments/open/v2/models/\(DeploymentFixture.model)/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        let refused = "POST /deployments/tiny/v2/models/\(DeploymentFixture.model)/infer HTTP/1.1\r\nHost: x\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        let health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        let answers = try RawHTTPConnection.pipeline(port: fixture.server.port, [infer, health, infer, refused, infer, infer, health])
        #expect(answers.map(\.status) == [200, 200, 200, 401, 200, 200, 200], "\(answers.map(\.status))")
        #expect(answers.count == 7 && [0, 2, 4, 5].allSatisfy { answers[$0].body.contains("outputs") } && [1, 6].allSatisfy { answers[$0].body.contains("status") },
                "\(answers.map(\.body))")

        // Router overhead: p50 through the router vs straight to the replica, sequential requests.
        let status = try await fixture.status("tiny")
        let port = try #require((status["replicas"] as? [[String: Any]])?.first?["port"] as? Int)
        #expect((status["endpoint"] as? String)?.hasSuffix("/deployments/tiny") == true && status["ready_replicas"] as? Int == 1)
        var direct: [Double] = [], routed: [Double] = []
        for _ in 0..<200 {
            var start = Date()
            _ = try await fixture.call("tiny", token: token, body: DeploymentFixture.jsonRequest)
            routed.append(Date().timeIntervalSince(start))
            start = Date()
            _ = try await Self.direct(port: port, body: DeploymentFixture.jsonRequest)
            direct.append(Date().timeIntervalSince(start))
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] * 1000 }
        print("router p50 \(String(format: "%.3f", median(routed))) ms, direct p50 \(String(format: "%.3f", median(direct))) ms")
        let metrics = try await fixture.server.send("GET", "/api/v1/deployments/tiny/metrics", token: fixture.server.admin.token).json ?? [:]
        #expect((metrics["requests"] as? Int ?? 0) >= 200 && metrics["latency_p50_ms"] is Double, "\(metrics)")
        let prometheus = String(decoding: try await fixture.server.send("GET", "/metrics", token: fixture.server.admin.token).body, as: UTF8.self)
        #expect(prometheus.contains(#"lepton_deployment_requests_total{deployment="tiny",status="200"}"#), "\(prometheus.prefix(2000))")

        // Removing a deployment stops its replicas.
        let pids = fixture.server.deployments.readyReplicaPIDs("tiny")
        #expect(pids.count == 1)
        #expect(try await fixture.server.send("DELETE", "/api/v1/deployments/tiny", token: fixture.server.admin.token).status == 200)
        #expect(try await fixture.infer("tiny", token: token).status == 404)
        try await Self.waitDead(pids)
        // Stopping the server stops every replica: no orphans.
        let openPIDs = fixture.server.deployments.readyReplicaPIDs("open")
        await fixture.server.stop()
        try await Self.waitDead(openPIDs)
    }

    /// Sends a JSON request straight to a replica.
    static func direct(port: Int, body: Data) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v2/models/\(DeploymentFixture.model)/infer")!)
        request.httpMethod = "POST"
        request.httpBody = body
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Waits (at most 15 s) for every process of `pids` to be gone.
    static func waitDead(_ pids: [Int32]) async throws {
        for _ in 0..<150 where pids.contains(where: DeploymentFixture.isAlive) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!pids.contains(where: DeploymentFixture.isAlive), "replicas still running: \(pids.filter(DeploymentFixture.isAlive))")
    }
}
