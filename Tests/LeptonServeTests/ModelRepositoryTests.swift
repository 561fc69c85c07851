import Foundation
import LeptonServe
import LeptonTensor
import Testing

/// The model repository: loading Lepton model folders by version policy, the index with reasons
/// for models that fail, unload and reload, and lookups that say what is missing.
@Suite struct ModelRepositoryTests {
    @Test func loadsVersionsReportsFailuresAndUnloads() async throws {
        let repo = try ServeFixtures.temporaryFolder("repo")
        defer { try? FileManager.default.removeItem(at: repo) }
        let v1 = ServeFixtures.cnn(seed: 1), v2 = ServeFixtures.cnn(seed: 2)
        try ServeFixtures.save(v1, repo: repo, name: "cnn", version: 1, inputShape: [28, 28, 1])
        try ServeFixtures.save(v2, repo: repo, name: "cnn", version: 2, inputShape: [28, 28, 1])
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("nomodel/1"), withIntermediateDirectories: true)
        let repository = ModelRepository(root: repo)
        await repository.loadAll()

        let served = try repository.served("cnn")
        #expect(served.version == 2)
        #expect(served.metadata.inputs == [.init(name: "input", datatype: "FP32", shape: [-1, 28, 28, 1])])
        #expect(served.metadata.outputs == [.init(name: "output", datatype: "FP32", shape: [-1, 10])])
        let x = ServeFixtures.images(3, seed: 4)
        let answer = try await served.infer(InferRequest(inputs: [V2Tensor(name: "input", floats: x.scalars, shape: [3, 28, 28, 1])]))
        #expect(answer.outputs[0].tensor.floats() == ServeFixtures.predict(v2, x))

        let index = repository.index()
        #expect(index.contains(.init(name: "cnn", version: "2", state: .ready, reason: "")))
        #expect(index.contains(.init(name: "cnn", version: "1", state: .unavailable, reason: "not selected by the version policy")))
        #expect(index.contains { $0.name == "empty" && $0.reason.contains("no version folders") })
        #expect(index.contains { $0.name == "nomodel" && $0.version == "1" && $0.reason.contains("no model file recognised") })

        #expect(throws: ServeError.notFound("model 'cnn' version 1 is not available: not selected by the version policy")) {
            try repository.served("cnn", version: "1")
        }
        #expect(throws: ServeError.notFound("model 'cnn' has no version 9 (versions: 1, 2)")) { try repository.served("cnn", version: "9") }
        #expect(throws: ServeError.notFound("unknown model 'zzz' (the repository has: cnn, empty, nomodel)")) { try repository.served("zzz") }

        try await repository.unload("cnn")
        #expect(throws: ServeError.notFound("model 'cnn' is not available: version 1: not selected by the version policy; version 2: unloaded")) {
            try repository.served("cnn")
        }
        try await repository.load("cnn", override: .object(["version_policy": .object(["all": .object([:])])]))
        #expect(try repository.served("cnn", version: "1").version == 1)
        await #expect(throws: ServeError.self) { try await repository.load("nomodel") }
        await #expect(throws: ServeError.notFound("the repository \(repo.path) has no model folder 'ghost'")) { try await repository.load("ghost") }
    }

    @Test func requestsThatDoNotFitTheModelAreRefused() async throws {
        let repo = try ServeFixtures.temporaryFolder("fit")
        defer { try? FileManager.default.removeItem(at: repo) }
        try ServeFixtures.save(ServeFixtures.embedding(seed: 3), repo: repo, name: "ids", version: 1, inputShape: [5], dtype: .int32,
                               config: #"{"max_batch_size": 2, "input": [{"name": "ids"}], "output": [{"name": "scores"}]}"#)
        let repository = ModelRepository(root: repo)
        try await repository.load("ids")
        let model = try repository.served("ids")
        #expect(model.metadata.inputs == [.init(name: "ids", datatype: "INT32", shape: [-1, 5])])
        let good = V2Tensor(name: "ids", int32s: [1, 2, 3, 4, 5], shape: [1, 5])
        #expect(try await model.infer(InferRequest(inputs: [good])).outputs[0].tensor.shape == [1, 3])
        let cases: [(InferRequest, String)] = [
            (InferRequest(inputs: [V2Tensor(name: "ids", floats: [1, 2, 3, 4, 5], shape: [1, 5])]), "datatype FP32 does not match the model's INT32"),
            (InferRequest(inputs: [V2Tensor(name: "ids", int32s: [1, 2, 3, 4], shape: [1, 4])]), "shape [1, 4] does not match the model's [-1, 5]"),
            (InferRequest(inputs: [V2Tensor(name: "x", int32s: [1, 2, 3, 4, 5], shape: [1, 5])]), "unknown input 'x' (model 'ids' takes: ids)"),
            (InferRequest(inputs: []), "missing input 'ids'"),
            (InferRequest(inputs: [good], outputs: [RequestedOutput(name: "y")]), "unknown output 'y'"),
            (InferRequest(inputs: [V2Tensor(name: "ids", int32s: [1, 2, 3, 4, 20], shape: [1, 5])]), "id 20 at element 4 is outside 0...19"),
            (InferRequest(inputs: [V2Tensor(name: "ids", int32s: Array(repeating: 1, count: 15), shape: [3, 5])]), "exceeds the model's max_batch_size 2"),
        ]
        for (request, expected) in cases {
            do {
                _ = try await model.infer(request)
                Issue.record("accepted: \(expected)")
            } catch let error as ServeError {
                #expect(error.status == 400 && error.message.contains(expected), "\(error.message)")
            }
        }
    }
}
