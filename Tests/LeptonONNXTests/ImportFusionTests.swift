import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// The importer's peephole fusions compute what the unfused nodes compute, and only where the
/// intermediate value is not needed elsewhere.
@Suite struct ImportFusionTests {
    typealias B = ModelBuilder

    @Test func sigmoidTimesItsInputRunsAsOneSiLU() throws {
        // y1 = x · sigmoid(x); y2 = sigmoid(y1) · y1 (operands swapped); z = sigmoid(x) is also
        // an output, so its product with x stays two nodes.
        let model = try ONNXImporter.importModel(B.model(
            nodes: [B.node("Sigmoid", ["x"], ["s1"]), B.node("Mul", ["x", "s1"], ["y1"]),
                    B.node("Sigmoid", ["y1"], ["s2"]), B.node("Mul", ["s2", "y1"], ["y2"]),
                    B.node("Sigmoid", ["x"], ["z"]), B.node("Mul", ["z", "x"], ["w"])],
            inputs: [B.value("x", .float, [2, 70_000])],
            outputs: [B.value("y2", .float), B.value("z", .float), B.value("w", .float)]))
        var g = RandomGenerator(seed: 5)
        let x = Tensor.normal([2, 70_000], generator: &g) * 6
        var ops: [String] = []
        let outputs = try model.trace([x]) { label, _ in ops.append(label) }
        #expect(ops.filter { $0.contains("(SiLU") }.count == 2, "\(ops)")
        #expect(ops.filter { $0.contains("(Sigmoid)") && !$0.contains("SiLU") }.count == 1, "the sigmoid that is an output stays: \(ops)")
        let xs = x.scalars
        func silu(_ v: Float) -> Float { v / (1 + exp(-v)) }
        let y1 = xs.map(silu), y2 = y1.map(silu)
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) <= 2e-6 * max(1, abs($1)) } }
        #expect(close(outputs[0].tensor.scalars, y2))
        #expect(close(outputs[2].tensor.scalars, xs.map(silu)))
    }
}

/// Conv + BatchNormalization folded for inference: the same outputs, one node fewer; not folded
/// where the convolution's map is needed elsewhere, nor for a model imported to train.
@Suite struct BatchNormFoldingTests {
    typealias B = ModelBuilder

    static func model(convOutputIsAlsoAnOutput: Bool = false, statisticsAsConstants: Bool = false) -> Onnx_ModelProto {
        var g = RandomGenerator(seed: 11)
        let w = Onnx_TensorProto(Tensor.normal([4, 3, 3, 3], generator: &g), name: "w")
        let b = Onnx_TensorProto(Tensor.normal([4], generator: &g), name: "b")
        let stats = [("scale", Tensor.uniform([4], low: 0.5, high: 2, generator: &g)), ("shift", Tensor.normal([4], generator: &g)),
                     ("mean", Tensor.normal([4], generator: &g)), ("var", Tensor.uniform([4], low: 0.1, high: 3, generator: &g))]
        let statTensors = stats.map { Onnx_TensorProto($0.1, name: $0.0) }
        let constants = statisticsAsConstants ? statTensors.map { B.node("Constant", [], [$0.name], [B.tensor("value", $0)]) } : []
        return B.model(nodes: constants + [B.node("Conv", ["x", "w", "b"], ["c"], [B.ints("pads", [1, 1, 1, 1])]),
                                           B.node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["y"], [B.float("epsilon", 1e-3)]),
                                           B.node("Relu", ["y"], ["z"])],
                       inputs: [B.value("x", .float, [-1, 3, 9, 9])],
                       outputs: [B.value("z", .float)] + (convOutputIsAlsoAnOutput ? [B.value("c", .float)] : []),
                       initializers: [w, b] + (statisticsAsConstants ? [] : statTensors))
    }

    @Test(arguments: [false, true]) func foldsForInferenceWithTheSameOutputs(statisticsAsConstants: Bool) throws {
        let proto = Self.model(statisticsAsConstants: statisticsAsConstants)
        let trained = try ONNXImporter.importModel(proto), served = try ONNXImporter.importModel(proto, forInference: true)
        #expect(trained.nodes.contains { $0.opType == "BatchNormalization" })
        #expect(!served.nodes.contains { $0.opType == "BatchNormalization" }, "\(served.nodes)")
        var g = RandomGenerator(seed: 3)
        let x = Tensor.normal([2, 3, 9, 9], generator: &g)
        let a = try trained.run([x])[0].tensor.scalars, b = try served.run([x])[0].tensor.scalars
        let scale = a.map(abs).max()!
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "largest difference \(zip(a, b).map { abs($0 - $1) }.max()!)")
    }

    @Test func aMapNeededElsewhereIsNotFolded() throws {
        let served = try ONNXImporter.importModel(Self.model(convOutputIsAlsoAnOutput: true), forInference: true)
        #expect(served.nodes.contains { $0.opType == "BatchNormalization" })
    }
}
