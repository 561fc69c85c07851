import Foundation
import LeptonONNX
import LeptonServe
import LeptonTensor
import Testing

/// ONNX models in the repository: a version folder holding `model.onnx` is served through the
/// ONNX importer with the graph's own names and types, answers like the Lepton model it was
/// exported from (batched: its graph names one batch dimension), and a broken `.onnx` file is
/// reported in the index while the rest keep serving.
@Suite struct ONNXInferenceModelTests {
    @Test func servesAnExportedModelLikeTheOriginal() async throws {
        let repo = try ServeFixtures.temporaryFolder("onnx-repo")
        defer { try? FileManager.default.removeItem(at: repo) }
        let model = ServeFixtures.cnn(seed: 3)
        let version = repo.appendingPathComponent("digits/1")
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        try ONNXExporter.export(model: model, inputShape: [28, 28, 1], to: version.appendingPathComponent("model.onnx"))
        let broken = repo.appendingPathComponent("broken/1")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07]).write(to: broken.appendingPathComponent("model.onnx"))

        let repository = ModelRepository(root: repo)
        await repository.loadAll()
        let served = try repository.served("digits")
        #expect(served.metadata.platform == "onnx" && served.model.batched && served.config.maxBatchSize == 64)
        #expect(served.metadata.inputs == [.init(name: "input", datatype: "FP32", shape: [-1, 28, 28, 1])])
        #expect(served.metadata.outputs == [.init(name: "output", datatype: "FP32", shape: [-1, 10])])
        let x = ServeFixtures.images(4, seed: 9)
        let answer = try await served.infer(InferRequest(inputs: [V2Tensor(name: "input", floats: x.scalars, shape: [4, 28, 28, 1])]))
        let got = try #require(answer.outputs[0].tensor.floats())
        let expected = ServeFixtures.predict(model, x)
        #expect(got.count == expected.count)
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(got.prefix(5)) vs \(expected.prefix(5))")

        let index = repository.index()
        #expect(index.contains { $0.name == "broken" && $0.state == .unavailable && $0.reason.contains("protobuf") }, "\(index)")
        #expect(index.contains(.init(name: "digits", version: "1", state: .ready, reason: "")))
    }

    @Test func datatypesFollowTheGraph() throws {
        #expect(V2DataType(ONNXElementType.int64) == .int64 && V2DataType(ONNXElementType.float16) == .fp16)
        #expect(V2DataType(ONNXElementType.string) == nil)
        let int64 = try V2Tensor(name: "ids", datatype: .int64, shape: [3], elements: .fixed(V2Tensor.bytes(of: [Int64(4), -2, Int64(Int32.min)])))
        #expect(try ONNXInferenceModel.leptonTensor(int64, as: .int32).int32Scalars == [4, -2, Int32.min])
        let huge = try V2Tensor(name: "ids", datatype: .int64, shape: [2], elements: .fixed(V2Tensor.bytes(of: [Int64(4), Int64.max])))
        #expect(throws: ServeError.self) { try ONNXInferenceModel.leptonTensor(huge, as: .int32) }
    }
}
