import Foundation
import LeptonServe
import Testing

/// Triton's classification extension through a served model: the best k classes of each row as
/// "value:index" BYTES, best first, ties by lower index, k clamped to the class count, and a 400
/// for outputs without scores.
@Suite struct ClassificationTests {
    /// Serves a model whose output is its input (two rows of five scores).
    func answer(_ scores: [Float], k: Int, binary: Bool = false) async throws -> V2Tensor {
        let served = ServedModel(name: "echo", version: 1, model: EchoModel(), config: ModelConfig())
        let request = InferRequest(inputs: [V2Tensor(name: "x", floats: scores, shape: [2, 5])],
                                   outputs: [RequestedOutput(name: "y", binaryData: binary, classification: k)])
        return try await served.infer(request).outputs[0].tensor
    }

    func strings(_ t: V2Tensor) -> [String] {
        guard case .strings(let s) = t.elements else { return [] }
        return s.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func bestClassesFirstPerRow() async throws {
        let t = try await answer([0.1, 0.7, 0.05, 0.7, 0.2, /* row 2 */ -1, -2, 3.5, 0, -0.5], k: 3)
        #expect(t.datatype == .bytes && t.shape == [2, 3])
        #expect(strings(t) == ["0.7:1", "0.7:3", "0.2:4", "3.5:2", "0.0:3", "-0.5:4"])
    }

    @Test func kBeyondTheClassCountGivesEveryClass() async throws {
        let t = try await answer([5, 4, 3, 2, 1, 1, 2, 3, 4, 5], k: 9)
        #expect(t.shape == [2, 5])
        #expect(strings(t).suffix(5) == ["5.0:4", "4.0:3", "3.0:2", "2.0:1", "1.0:0"])
    }

    @Test func binaryEncodingIsLengthPrefixed() async throws {
        let t = try await answer([0, 1, 0, 0, 0, 0, 0, 0, 0, 2], k: 1, binary: true)
        let response = InferResponse(modelName: "echo", modelVersion: "1", id: nil, outputs: [(t, true)])
        let (body, headerLength) = try InferCodec.encodeResponse(response)
        let binary = Array(body[headerLength!...])
        #expect(binary == [5, 0, 0, 0] + Array("1.0:1".utf8) + [5, 0, 0, 0] + Array("2.0:4".utf8))
    }

    @Test func outputsWithoutScoresAreRefused() async throws {
        let served = ServedModel(name: "echo", version: 1, model: EchoModel(datatype: .bool), config: ModelConfig())
        let request = InferRequest(inputs: [try V2Tensor(name: "x", datatype: .bool, shape: [1, 2], elements: .fixed([1, 0]))],
                                   outputs: [RequestedOutput(name: "y", classification: 1)])
        await #expect(throws: ServeError.badRequest("output 'y': classification needs numeric scores, the output is BOOL")) {
            _ = try await served.infer(request)
        }
    }
}

/// A model whose output `y` is its input `x`.
final class EchoModel: InferenceModel, @unchecked Sendable {
    let platform = "test"
    let inputs: [TensorSpec]
    let outputs: [TensorSpec]

    init(datatype: V2DataType = .fp32) {
        inputs = [TensorSpec(name: "x", datatype: datatype, dims: [-1])]
        outputs = [TensorSpec(name: "y", datatype: datatype, dims: [-1])]
    }

    func infer(_ inputs: [String: V2Tensor]) throws -> [String: V2Tensor] {
        var y = inputs["x"]!
        y.name = "y"
        return ["y": y]
    }
}
