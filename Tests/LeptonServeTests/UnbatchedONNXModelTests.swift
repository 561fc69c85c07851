import Foundation
import LeptonONNX
import LeptonServe
import LeptonTensor
import Testing

/// ONNX graphs without a batch dimension are served as Triton serves them with
/// `max_batch_size: 0`: a fixed `[1, 3]` input and a scalar INT64 sample rate are taken
/// literally, the config endpoint says 0, an INT64 output is answered as INT64 with exact
/// values, and an INT64 input Lepton cannot hold exactly is refused with a 400.
@Suite struct UnbatchedONNXModelTests {
    /// `y = x · float(sr)` over a fixed `[1, 3]` x and a scalar INT64 `sr`; `n = sr + 1` (INT64 scalar).
    static func stateModel() -> Onnx_ModelProto {
        func value(_ name: String, _ type: ONNXElementType, _ shape: [Int]) -> Onnx_ValueInfoProto {
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = type.rawValue
            var s = Onnx_TensorShapeProto()
            s.dim = shape.map { var d = Onnx_TensorShapeProto.Dimension(); d.value = .dimValue(Int64($0)); return d }
            tensor.shape = s
            var info = Onnx_ValueInfoProto()
            info.name = name
            info.type.value = .tensorType(tensor)
            return info
        }
        func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
            var n = Onnx_NodeProto()
            (n.opType, n.input, n.output, n.name, n.attribute) = (op, inputs, [output], output, attributes)
            return n
        }
        var to = Onnx_AttributeProto()
        (to.name, to.type, to.i) = ("to", .int, Int64(ONNXElementType.float.rawValue))
        var graph = Onnx_GraphProto()
        graph.name = "state"
        graph.node = [node("Cast", ["sr"], "rate", [to]), node("Mul", ["x", "rate"], "y"), node("Add", ["sr", "one"], "n")]
        graph.input = [value("x", .float, [1, 3]), value("sr", .int64, [])]
        graph.output = [value("y", .float, [1, 3]), value("n", .int64, [])]
        graph.initializer = [Onnx_TensorProto(Tensor(int32: [1], shape: []), name: "one", as: .int64)]
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return model
    }

    @Test func fixedShapesAndScalarsAreServedWithBatchingOff() async throws {
        let repo = try ServeFixtures.temporaryFolder("unbatched")
        defer { try? FileManager.default.removeItem(at: repo) }
        let version = repo.appendingPathComponent("vad/1")
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        try ONNXModelFile.write(Self.stateModel(), to: version.appendingPathComponent("model.onnx"))
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0)))

        let meta = try await server.send("/v2/models/vad")
        let metadata = try JSONDecoder().decode(ModelMetadata.self, from: meta.body)
        #expect(metadata.inputs == [.init(name: "x", datatype: "FP32", shape: [1, 3]), .init(name: "sr", datatype: "INT64", shape: [])])
        #expect(metadata.outputs == [.init(name: "y", datatype: "FP32", shape: [1, 3]), .init(name: "n", datatype: "INT64", shape: [])])
        let config = try await server.send("/v2/models/vad/config").json
        #expect(config?["max_batch_size"] as? Int == 0 && config?["dynamic_batching"] == nil, "\(config ?? [:])")
        #expect((config?["input"] as? [[String: Any]])?.first?["dims"] as? [Int] == [1, 3])

        let request = #"{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, -2, 0.5]},"#
            + #" {"name": "sr", "shape": [], "datatype": "INT64", "data": [16000]}]}"#
        let answer = try await server.send("/v2/models/vad/infer", json: request)
        #expect(answer.status == 200, "\(answer.error)")
        let outputs = answer.json?["outputs"] as? [[String: Any]] ?? []
        let y = outputs.first { $0["name"] as? String == "y" }, n = outputs.first { $0["name"] as? String == "n" }
        #expect(y?["data"] as? [Double] == [16000, -32000, 8000] && y?["shape"] as? [Int] == [1, 3])
        #expect(n?["datatype"] as? String == "INT64" && n?["data"] as? [Int] == [16001] && n?["shape"] as? [Int] == [], "\(n ?? [:])")

        let batched = request.replacingOccurrences(of: #""shape": [1, 3]"#, with: #""shape": [2, 3]"#)
            .replacingOccurrences(of: "[1, -2, 0.5]", with: "[1, -2, 0.5, 1, 2, 3]")
        let wrongShape = try await server.send("/v2/models/vad/infer", json: batched)
        #expect(wrongShape.status == 400 && wrongShape.error.contains("shapes taken literally"), "\(wrongShape.error)")
        let tooLarge = try await server.send("/v2/models/vad/infer", json: request.replacingOccurrences(of: "[16000]", with: "[4294967296]"))
        #expect(tooLarge.status == 400 && tooLarge.error.contains("refused rather than clamped"), "\(tooLarge.error)")
        #expect(try await server.send("/v2/models/vad/infer", json: request).status == 200)
        await server.stop()
    }

    @Test func batchabilityFollowsTheGraphsFirstDimensions() {
        func spec(_ shape: [Int], _ names: [String?]) -> ONNXTensorSpec {
            var s = ONNXTensorSpec(name: "v", elementType: .float, shape: shape)
            s.dimensionNames = names
            return s
        }
        #expect(ONNXInferenceModel.batchable([spec([-1, 3], ["batch", nil]), spec([-1, 2], ["batch", nil])]))
        #expect(ONNXInferenceModel.batchable([spec([-1, 3], [nil, nil]), spec([-1], ["n"])]))
        #expect(!ONNXInferenceModel.batchable([spec([-1, 3], ["batch", nil]), spec([-1, 1, 32], ["time", nil, nil])]))
        #expect(ONNXInferenceModel.batchable([spec([-1, 2048], ["unk__214", nil]), spec([-1, 214], ["unk__215", nil])]), "tf2onnx's made-up names")
        #expect(ONNXInferenceModel.batchable([spec([-1, 3], ["p2o.DynamicDimension.0", nil]), spec([-1], ["p2o.DynamicDimension.3"])]))
        #expect(!ONNXInferenceModel.batchable([spec([2, -1, 128], [nil, "batch", nil]), spec([-1], ["batch"])]))
        #expect(!ONNXInferenceModel.batchable([spec([], [])]))
    }
}
