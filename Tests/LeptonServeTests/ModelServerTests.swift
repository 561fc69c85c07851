import Foundation
import Hummingbird
import HummingbirdTesting
import LeptonServe
import Testing

/// The HTTP routes in-process (Hummingbird's router test client): health, metadata, JSON
/// inference, and errors as {"error": ...} for auth, unknown routes and oversize bodies.
@Suite struct ModelServerTests {
    @Test func routesAnswerAndErrorsAreJSON() async throws {
        let repo = try ServeFixtures.temporaryFolder("server")
        defer { try? FileManager.default.removeItem(at: repo) }
        let model = ServeFixtures.cnn(seed: 9)
        try ServeFixtures.save(model, repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        let server = ModelServer(options: ServeOptions(repository: repo, tokens: ["t0k"], maxBodyBytes: 20_000))
        await server.loadRepository()
        let app = Application(router: server.buildRouter())
        let x = ServeFixtures.images(1, seed: 2)
        let expected = ServeFixtures.predict(model, x)
        try await app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer t0k"]
            try await client.execute(uri: "/v2/health/ready", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v2/models/cnn", method: .get, headers: auth) { response in
                let meta = try JSONDecoder().decode(ModelMetadata.self, from: Data(response.body.readableBytesView))
                #expect(meta.inputs[0].shape == [-1, 28, 28, 1] && meta.versions == ["1"] && meta.platform == "lepton")
            }
            let body = #"{"id": "7", "inputs": [{"name": "input", "shape": [1, 28, 28, 1], "datatype": "FP32", "data": \#(x.scalars)}]}"#
            try await client.execute(uri: "/v2/models/cnn/infer", method: .post, headers: auth, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
                let data = ((object["outputs"] as! [[String: Any]])[0]["data"] as! [Double]).map(Float.init)
                #expect(object["id"] as? String == "7")
                #expect(zip(data, expected).allSatisfy { abs($0 - $1) < 1e-6 })
            }
            let errors: [(String, HTTPRequest.Method, HTTPFields, String, Int, String)] = [
                ("/v2/models/cnn", .get, [:], "", 401, "missing Authorization"),
                ("/v2/models/cnn", .get, [.authorization: "Bearer nope"], "", 403, "not valid"),
                ("/nowhere", .get, auth, "", 404, "no route for GET /nowhere"),
                ("/v2/models/cnn/infer", .post, auth, String(repeating: " ", count: 30_000), 413, "exceeds the limit of 20000 bytes"),
                ("/v2/models/cnn/infer", .post, auth, "{", 400, "malformed inference request"),
            ]
            for (uri, method, headers, body, status, fragment) in errors {
                try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(Int(response.status.code) == status, "\(uri): \(response.status)")
                    let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                    #expect(object?["error"]?.contains(fragment) == true, "\(uri): \(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/metrics", method: .get, headers: auth) { response in
                #expect(String(buffer: response.body).contains("lepton_inference_requests_total"))
            }
        }
    }
}
