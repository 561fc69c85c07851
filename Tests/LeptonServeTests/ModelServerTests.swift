import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonServe
import Testing

/// The HTTP routes in-process: a ``ModelServer`` on a free loopback port, driven with URLSession:
/// health, metadata, JSON inference, and errors as {"error": ...} for auth, unknown routes,
/// malformed and oversize bodies.
@Suite struct ModelServerTests {
    struct Reply {
        let status: Int
        let body: Data
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
    }

    func send(_ port: Int, _ path: String, method: String = "GET", token: String? = "t0k", body: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                continuation.resume(returning: Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data ?? Data()))
            }.resume()
        }
    }

    @Test func routesAnswerAndErrorsAreJSON() async throws {
        let repo = try ServeFixtures.temporaryFolder("server")
        defer { try? FileManager.default.removeItem(at: repo) }
        let model = ServeFixtures.cnn(seed: 9)
        try ServeFixtures.save(model, repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        let server = ModelServer(options: ServeOptions(repository: repo, port: 0, tokens: ["t0k"], adminTokens: ["adm"], maxBodyBytes: 20_000))
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let running = Task { try await server.run { listening.yield($0) } }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { Issue.record("server did not start"); return }

        #expect(try await send(port, "/v2/health/ready", token: nil).status == 200)
        let meta = try await send(port, "/v2/models/cnn")
        let decoded = try JSONDecoder().decode(ModelMetadata.self, from: meta.body)
        #expect(decoded.inputs[0].shape == [-1, 28, 28, 1] && decoded.versions == ["1"] && decoded.platform == "lepton")

        let x = ServeFixtures.images(1, seed: 2)
        let expected = ServeFixtures.predict(model, x)
        let body = #"{"id": "7", "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32", "data": \#(x.scalars)}]}"#
        let answer = try await send(port, "/v2/models/cnn/infer", method: "POST", body: body)
        #expect(answer.status == 200)
        let outputs = answer.json?["outputs"] as? [[String: Any]]
        let data = (outputs?.first?["data"] as? [Double] ?? []).map(Float.init)
        #expect(answer.json?["id"] as? String == "7")
        #expect(data.count == 10 && zip(data, expected).allSatisfy { abs($0 - $1) < 1e-6 })

        let errors: [(String, String, String?, String?, Int, String)] = [
            ("/v2/models/cnn", "GET", nil, nil, 401, "missing Authorization"),
            ("/v2/models/cnn", "GET", "nope", nil, 403, "not valid"),
            ("/nowhere", "GET", "t0k", nil, 404, "no route for GET /nowhere"),
            ("/v2/models/cnn/infer", "POST", "t0k", String(repeating: " ", count: 30_000), 413, "exceeds the limit of 20000 bytes"),
            ("/v2/models/cnn/infer", "POST", "t0k", "{", 400, "malformed inference request"),
            ("/v2/repository/models/cnn/load", "POST", "adm", "[]", 400, "expected a JSON object"),
            ("/v2/repository/models/cnn/load", "POST", "t0k", "{}", 403, "needs an admin token"),
        ]
        for (path, method, token, body, status, fragment) in errors {
            let reply = try await send(port, path, method: method, token: token, body: body)
            #expect(reply.status == status, "\(path): \(reply.status)")
            #expect((reply.json?["error"] as? String)?.contains(fragment) == true, "\(path): \(String(decoding: reply.body, as: UTF8.self))")
        }
        let metrics = try await send(port, "/metrics")
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("lepton_inference_requests_total"))
        let openapi = try await send(port, "/openapi.json")
        #expect((openapi.json?["paths"] as? [String: Any])?["/v2/models/{name}/infer"] != nil)
        running.cancel()
        _ = await running.result
    }
}
