import Foundation
import LeptonData
import LeptonServe
import Testing

/// Hostile requests and model folders (issue 19), each answered with a 4xx naming what was wrong
/// while the server keeps serving: model configurations with out-of-range numbers, model files
/// that fail to load, out-of-range request values, admin-only repository routes, bodies cut off
/// mid-stream, bodies that inflate or hold too much.
@Suite struct ServeHardeningTests {
    static let delayRange = "0...\(ModelConfig.Limits.maxQueueDelayMicroseconds.upperBound)"

    func request(_ values: String, datatype: String = "FP32", shape: [Int] = [1, 28, 28, 1], parameters: String = "{}") -> String {
        #"{"parameters": \#(parameters), "inputs": [{"name": "input", "shape": \#(shape), "datatype": "\#(datatype)", "data": \#(values)}]}"#
    }

    var goodImage: String { "[" + Array(repeating: "0.5", count: 784).joined(separator: ", ") + "]" }

    /// A repository with a good CNN and models that cannot load: out-of-range config numbers,
    /// a model.json that is not JSON, one naming an unknown layer type, one of the wrong shape.
    func hostileRepository() throws -> URL {
        let repo = try ServeFixtures.temporaryFolder("hostile")
        let model = ServeFixtures.cnn(seed: 3)
        try ServeFixtures.save(model, repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        try ServeFixtures.save(model, repo: repo, name: "slow-config", version: 1, inputShape: [28, 28, 1],
                               config: #"{"dynamic_batching": {"max_queue_delay_microseconds": 1e16}}"#)
        try ServeFixtures.save(model, repo: repo, name: "many-instances", version: 1, inputShape: [28, 28, 1],
                               config: #"{"instance_count": 100000000}"#)
        let edits: [(String, (String) -> String)] = [
            ("not-json", { _ in "{not json" }), ("unknown-layer", { $0.replacingOccurrences(of: "Conv2D", with: "NoSuchLayer") }),
            ("wrong-format", { _ in #"{"format": "lepton", "layers": 3}"# }),
            ("layers-not-list", { text in
                guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return text }
                object["layers"] = 3
                return (try? JSONSerialization.data(withJSONObject: object)).map { String(decoding: $0, as: UTF8.self) } ?? text
            }),
            ("top-level-list", { _ in "[1, 2]" }),
        ]
        for (name, edit) in edits {
            try ServeFixtures.save(model, repo: repo, name: name, version: 1, inputShape: [28, 28, 1])
            let file = repo.appendingPathComponent("\(name)/1/model.json")
            try edit(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
        }
        return repo
    }

    @Test func hostileConfigsAndModelFilesLeaveTheServerServing() async throws {
        let repo = try hostileRepository()
        defer { try? FileManager.default.removeItem(at: repo) }
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0)))
        let infer = { try await server.send("/v2/models/cnn/infer", json: request(goodImage)) }
        #expect(try await infer().status == 200)

        // Startup: every broken model is in the index with its reason; the server serves the good one.
        let index = try await server.send("/v2/repository/index", method: "POST", json: "{}")
        let entries = try JSONDecoder().decode([ModelRepository.IndexEntry].self, from: index.body)
        func reason(_ name: String) -> String { entries.filter { $0.name == name }.map(\.reason).joined(separator: "; ") }
        #expect(entries.contains(.init(name: "cnn", version: "1", state: .ready, reason: "")))
        #expect(reason("slow-config").contains("dynamic_batching.max_queue_delay_microseconds must be an integer in \(Self.delayRange), got"))
        #expect(reason("many-instances").contains("instance_count must be an integer in 1...64, got 100000000"))
        #expect(reason("not-json").contains("not valid JSON"), "\(reason("not-json"))")
        #expect(reason("unknown-layer").contains("NoSuchLayer"), "\(reason("unknown-layer"))")
        #expect(reason("wrong-format").contains("has format \"lepton\""), "\(reason("wrong-format"))")
        #expect(reason("layers-not-list").contains("'layers' must be a list"), "\(reason("layers-not-list"))")
        #expect(!reason("top-level-list").isEmpty)
        for name in ["slow-config", "many-instances", "not-json", "unknown-layer", "wrong-format", "layers-not-list", "top-level-list"] {
            #expect(entries.filter { $0.name == name }.allSatisfy { $0.state == .unavailable }, "\(name)")
            // Loading through the API: 400 with the reason, nothing else changes.
            let load = try await server.send("/v2/repository/models/\(name)/load", json: "{}")
            #expect(load.status == 400 && load.error.contains("failed to load"), "\(name): \(load.status) \(load.error)")
            #expect(try await infer().status == 200, "\(name)")
        }

        // Load requests with out-of-range numbers: 400 naming the field, value and range; the model keeps serving.
        let hostile: [(String, String)] = [
            (#"{\"dynamic_batching\": {\"max_queue_delay_microseconds\": 1e16}}"#,
             "parameters.config: dynamic_batching.max_queue_delay_microseconds must be an integer in \(Self.delayRange), got "),
            (#"{\"instance_count\": 100000000}"#, "parameters.config: instance_count must be an integer in 1...64, got 100000000"),
            (#"{\"max_batch_size\": 1e300}"#, "parameters.config: max_batch_size must be an integer in 0...65536, got 1e+300"),
            (#"{\"max_queue_size\": -1}"#, "parameters.config: max_queue_size must be an integer in 1...100000, got -1"),
            (#"{\"version_policy\": {\"latest\": {\"num_versions\": 9223372036854775807}}}"#,
             "version_policy.latest.num_versions must be an integer in 1...1000000"),
        ]
        for (config, expected) in hostile {
            let load = try await server.send("/v2/repository/models/cnn/load", json: #"{"parameters": {"config": "\#(config)"}}"#)
            #expect(load.status == 400 && load.error.contains(expected), "\(config): \(load.status) \(load.error)")
            #expect(try await infer().status == 200, "after \(config)")
        }
        let index2 = try JSONDecoder().decode([ModelRepository.IndexEntry].self, from: try await server.send("/v2/repository/index", method: "POST", json: "{}").body)
        #expect(index2.contains(.init(name: "cnn", version: "1", state: .ready, reason: "")))
        await server.stop()
    }

    @Test func outOfRangeRequestValuesAre400() async throws {
        let repo = try ServeFixtures.temporaryFolder("values")
        defer { try? FileManager.default.removeItem(at: repo) }
        try ServeFixtures.save(ServeFixtures.cnn(seed: 4), repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0, requestTimeout: nil)))
        let huge = "[1e39" + String(repeating: ", 0", count: 783) + "]"
        let cases: [(String, String)] = [
            (request(goodImage, parameters: #"{"timeout": 9000000000000000000}"#),
             "parameters.timeout must be in 1...3600000000 microseconds (one hour), got 9000000000000000000"),
            (request(huge), "input 'input': data must be a nested or flat list of FP32 values; element 0 is 1e39, outside the FP32 range"),
            (request(huge.replacingOccurrences(of: "1e39", with: "-1e400")), "element 0 is -1e400, outside the FP32 range"),
        ]
        for (body, expected) in cases {
            let reply = try await server.send("/v2/models/cnn/infer", json: body)
            #expect(reply.status == 400 && reply.error.contains(expected), "\(reply.status) \(reply.error)")
        }
        #expect(try await server.send("/v2/models/cnn/infer", json: request(goodImage, parameters: #"{"timeout": 3600000000}"#)).status == 200)
        await server.stop()
    }

    @Test func theRepositoryAPINeedsAnAdminToken() async throws {
        let repo = try ServeFixtures.temporaryFolder("admin")
        defer { try? FileManager.default.removeItem(at: repo) }
        try ServeFixtures.save(ServeFixtures.cnn(seed: 5), repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0, tokens: ["user"], adminTokens: ["boss"])))
        for path in ["/v2/repository/index", "/v2/repository/models/cnn/load", "/v2/repository/models/cnn/unload"] {
            let asUser = try await server.send(path, token: "user", json: "{}")
            #expect(asUser.status == 403 && asUser.error.contains("needs an admin token"), "\(path): \(asUser.status) \(asUser.error)")
            #expect(try await server.send(path, token: nil, json: "{}").status == 401, "\(path)")
            #expect(try await server.send(path, token: "nope", json: "{}").status == 403, "\(path)")
        }
        #expect(try await server.send("/v2/repository/index", token: "boss", json: "{}").status == 200)
        #expect(try await server.send("/v2/repository/models/cnn/load", token: "boss", json: "{}").status == 200)
        #expect(try await server.send("/v2/models/cnn/infer", token: "user", json: request(goodImage)).status == 200)
        #expect(try await server.send("/v2/models/cnn/infer", token: "boss", json: request(goodImage)).status == 200)
        await server.stop()

        // Inference tokens without an admin token: the repository API is closed.
        let closed = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0, tokens: ["user"])))
        #expect(try await closed.send("/v2/repository/index", token: "user", json: "{}").status == 403)
        #expect(try await closed.send("/v2/models/cnn", token: "user").status == 200)
        await closed.stop()

        // An admin token alone: inference stays open, the repository API needs the token.
        let adminOnly = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0, adminTokens: ["boss"])))
        #expect(try await adminOnly.send("/v2/models/cnn").status == 200)
        #expect(try await adminOnly.send("/v2/repository/index", json: "{}").status == 401)
        #expect(try await adminOnly.send("/v2/repository/index", token: "boss", json: "{}").status == 200)
        await adminOnly.stop()
    }

    @Test func cutOffInflatingAndOversizedBodiesAre4xx() async throws {
        let repo = try ServeFixtures.temporaryFolder("bodies")
        defer { try? FileManager.default.removeItem(at: repo) }
        try ServeFixtures.save(ServeFixtures.cnn(seed: 6), repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        let options = ServeOptions(repository: repo, port: 0, maxInflatedBytes: 200_000, maxRequestElements: 2_000)
        let server = try await RunningServer.start(ModelServer(options: options))

        // Content-Length 1000, 100 bytes sent, then the client closes its side.
        let head = "POST /v2/models/cnn/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        let answer = try server.raw(Array(head.utf8) + Array(request(goodImage).utf8.prefix(100)))
        #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(300))")
        #expect(!answer.hasPrefix("HTTP/1.1 5"))

        // 5 MB of numbers in a 10 KB gzip body: refused while inflating.
        let bomb = Data(("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 28, 28, 1], \"datatype\": \"FP32\", \"data\": ["
                         + String(repeating: "0,", count: 2_500_000) + "0]}]}").utf8)
        let gzip = try await server.send("/v2/models/cnn/infer", method: "POST", body: Gzip.compress(bomb, format: .gzip),
                                         headers: ["Content-Encoding": "gzip"])
        #expect(gzip.status == 413 && gzip.error.contains("inflates past the limit of 200000 bytes"), "\(gzip.status) \(gzip.error)")

        // More elements than --max-request-elements: by count of JSON values, or by declared shape.
        let many = try await server.send("/v2/models/cnn/infer", json: request("[" + String(repeating: "0,", count: 100_000) + "0]"))
        #expect(many.status == 413 && many.error.contains("at most 2000 tensor elements per request"), "\(many.status) \(many.error)")
        let twoImages = try await server.send("/v2/models/cnn/infer", json: request("[" + goodImage + "," + goodImage + "," + goodImage + "]", shape: [3, 28, 28, 1]))
        #expect(twoImages.status == 413 && twoImages.error.contains("shapes hold more than 2000 elements"), "\(twoImages.status) \(twoImages.error)")
        #expect(try await server.send("/v2/models/cnn/infer", json: request(goodImage)).status == 200)
        await server.stop()
    }

    @Test func aModelThatCrashesItsLoadCheckIsUnavailableAndOthersServe() async throws {
        let repo = try ServeFixtures.temporaryFolder("crash")
        defer { try? FileManager.default.removeItem(at: repo) }
        let model = ServeFixtures.cnn(seed: 7)
        for name in ["cnn", "crashes", "refused"] { try ServeFixtures.save(model, repo: repo, name: name, version: 1, inputShape: [28, 28, 1]) }
        // Stands in for `lepton check-model`: the folder is $0; one folder traps, one is refused.
        let script = #"case "$0" in *crashes*) echo 'Fatal error: simulated trap in a layer' >&2; kill -TRAP $$;; *refused*) echo 'error: bad layer config' >&2; exit 1;; esac"#
        let check = ProcessLoadCheck(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script])
        let repository = ModelRepository(root: repo, loadCheck: check)
        await repository.loadAll()
        let index = repository.index()
        #expect(index.contains(.init(name: "cnn", version: "1", state: .ready, reason: "")))
        let crashed = index.first { $0.name == "crashes" }
        #expect(crashed?.state == .unavailable && crashed?.reason.contains("crashed the load check (signal 5): Fatal error: simulated trap in a layer") == true,
                "\(String(describing: crashed))")
        #expect(index.first { $0.name == "refused" }?.reason == "failed to load: bad layer config")
        let x = ServeFixtures.images(1, seed: 1)
        let answer = try await repository.served("cnn").infer(InferRequest(inputs: [V2Tensor(name: "input", floats: x.scalars, shape: [1, 28, 28, 1])]))
        #expect(answer.outputs[0].tensor.shape == [1, 10])
        let slow = ProcessLoadCheck(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "sleep 30"], timeout: .milliseconds(300))
        #expect(slow.check(repo.appendingPathComponent("cnn/1"))?.contains("did not finish within") == true)
    }
}
