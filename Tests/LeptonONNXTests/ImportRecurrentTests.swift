import Foundation
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import Testing

/// ONNX `LSTM` and `GRU` nodes that fit Lepton's fused sequence op run on it; the result must
/// equal the step-by-step path (forced here with a `clip` no value reaches).
@Suite struct ImportRecurrentTests {
    typealias B = ModelBuilder

    func model(_ op: String, hidden: Int, extra: [Onnx_AttributeProto], gates: Int, steps: Int = 5) -> Onnx_ModelProto {
        let (features, directions) = (3, 2)
        let w = Onnx_TensorProto(TestSupport.randn([directions, gates * hidden, features], seed: 1, scale: 0.5), name: "W")
        let r = Onnx_TensorProto(TestSupport.randn([directions, gates * hidden, hidden], seed: 2, scale: 0.5), name: "R")
        let b = Onnx_TensorProto(TestSupport.randn([directions, 2 * gates * hidden], seed: 3, scale: 0.5), name: "B")
        let h0 = Onnx_TensorProto(TestSupport.randn([directions, 2, hidden], seed: 4), name: "h0")
        let c0 = Onnx_TensorProto(TestSupport.randn([directions, 2, hidden], seed: 5), name: "c0")
        var attributes = [B.int("hidden_size", hidden)] + extra
        var direction = Onnx_AttributeProto()
        direction.name = "direction"
        direction.type = .string
        direction.s = Data("bidirectional".utf8)
        attributes.append(direction)
        let inputs = op == "LSTM" ? ["x", "W", "R", "B", "", "h0", "c0"] : ["x", "W", "R", "B", "", "h0"]
        let outputs = op == "LSTM" ? ["y", "yh", "yc"] : ["y", "yh"]
        return B.model(nodes: [B.node(op, inputs, outputs, attributes)], inputs: [B.value("x", .float, [steps, 2, features])],
                       outputs: outputs.map { B.value($0) }, initializers: op == "LSTM" ? [w, r, b, h0, c0] : [w, r, b, h0])
    }

    @Test(arguments: ["LSTM", "GRU"])
    func fusedAndStepwisePathsAgree(_ op: String) throws {
        let gates = op == "LSTM" ? 4 : 3
        let extra = op == "GRU" ? [B.int("linear_before_reset", 1)] : []
        let fused = try ONNXImporter.importModel(model(op, hidden: 4, extra: extra, gates: gates))
        let stepwise = try ONNXImporter.importModel(model(op, hidden: 4, extra: extra + [B.float("clip", 1e9)], gates: gates))
        let x = TestSupport.randn([5, 2, 3], seed: 6)
        let (a, b) = (try fused.run([x]), try stepwise.run([x]))
        #expect(a[0].shape == [5, 2, 2, 4] && a[1].shape == [2, 2, 4])
        for (u, v) in zip(a, b) {
            #expect(TestSupport.maxRelativeError(u.tensor.scalars, v.tensor.scalars) < 1e-5, "\(op)")
        }
    }

    /// A sequence of no time steps (a fuzzer's find: the stepwise path stacked an empty list and
    /// stopped the process): no outputs, and the final states are the initial ones.
    @Test(arguments: ["LSTM", "GRU"])
    func zeroTimeStepsGiveEmptyOutputsAndTheInitialStates(_ op: String) throws {
        let gates = op == "LSTM" ? 4 : 3
        for extra in [[], [B.float("clip", 1e9)]] {
            let model = try ONNXImporter.importModel(model(op, hidden: 4, extra: extra, gates: gates, steps: 0))
            let out = try model.run([Tensor.zeros([0, 2, 3])])
            #expect(out[0].shape == [0, 2, 2, 4] && out[1].shape == [2, 2, 4], "\(op) \(extra.count)")
            #expect(out[1].tensor.scalars == TestSupport.randn([2, 2, 4], seed: 4).scalars, "Y_h is initial_h")
        }
    }
}
