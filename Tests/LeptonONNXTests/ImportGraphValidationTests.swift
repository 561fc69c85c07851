import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// Broken and hostile models are refused with one clear error naming the node or value, and
/// never crash the process or allocate what the file does not hold.
@Suite struct ImportGraphValidationTests {
    typealias B = ModelBuilder

    @Test func aValidModelRuns() throws {
        let model = try ONNXImporter.importModel(B.dense())
        let y = try model.run([Tensor([1, 2, 3, -1, 0, 1], shape: [2, 3])])[0]
        #expect(y.elementType == .float && y.shape == [2, 2])
        let expected: [Float] = [0.6, 5.8, 0, 1.8]
        #expect(zip(y.tensor.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(y.tensor.scalars)")
    }

    @Test func truncatedAndCorruptFilesAreRefused() throws {
        let bytes = try B.dense().serializedData()
        for cut in [1, bytes.count / 3, bytes.count - 1] {
            let message = B.error { _ = try ONNXImporter.importModel(try ONNXModelFile.parse(bytes.prefix(cut), context: "cut.onnx")) }
            #expect(message.contains("cut.onnx") || message.contains("no outputs") || message.contains("not produced"), "\(cut): \(message)")
            #expect(!message.isEmpty)
        }
        var garbage = bytes
        for i in stride(from: 0, to: garbage.count, by: 7) { garbage[i] ^= 0x5a }
        #expect(!B.error { _ = try ONNXImporter.importModel(try ONNXModelFile.parse(garbage, context: "bad.onnx")) }.isEmpty)
    }

    @Test func aTensorWhoseSizeDisagreesWithItsDimsIsRefusedBeforeAllocation() {
        var model = B.dense()
        model.graph.initializer[0].dims = [1 << 30, 1 << 30]
        #expect(B.error { _ = try ONNXImporter.importModel(model) }.contains("initializer 'w': dims [1073741824, 1073741824] declare more than"))
        model.graph.initializer[0].dims = [300_000_000]
        #expect(B.error { _ = try ONNXImporter.importModel(model) }.contains("need 300000000 FLOAT elements but the tensor stores 6"))
    }

    @Test func undefinedValuesCyclesAndDuplicatesAreRefused() {
        var undefined = B.dense()
        undefined.graph.node[1].input[1] = "bias"
        #expect(B.error { _ = try ONNXImporter.importModel(undefined) }
            == "node #1 'add' (Add): reads 'bias', which is not a graph input, an initializer or any node's output")
        var cycle = B.dense()
        cycle.graph.node[0].input[0] = "y"
        #expect(B.error { _ = try ONNXImporter.importModel(cycle) }.contains("the graph has a cycle: 3 node(s)"))
        var twice = B.dense()
        twice.graph.node[1].output[0] = "xw"
        #expect(B.error { _ = try ONNXImporter.importModel(twice) }.contains("writes 'xw', which node #0 'matmul' (MatMul) also writes"))
        var missingOutput = B.dense()
        missingOutput.graph.output[0].name = "nowhere"
        #expect(B.error { _ = try ONNXImporter.importModel(missingOutput) }.contains("graph output 'nowhere': is not produced"))
        var noOpset = B.dense()
        noOpset.opsetImport = []
        #expect(B.error { _ = try ONNXImporter.importModel(noOpset) }.contains("imports no version of the default operator set"))
    }

    @Test func nodesWithoutNamesAreNamedByIndex() {
        var model = B.dense()
        for i in model.graph.node.indices { model.graph.node[i].name = "" }
        model.graph.node[2].input = []
        #expect(B.error { _ = try ONNXImporter.importModel(model) } == "node #2 (Relu): has 0 input(s), expected 1")
    }

    @Test func missingInputsAreRefused() throws {
        var model = B.dense()
        model.graph.node[0].input[0] = ""
        #expect(B.error { _ = try ONNXImporter.importModel(model) } == "node #0 'matmul' (MatMul): input 0 is required but left empty")
        let ok = try ONNXImporter.importModel(B.dense())
        #expect(B.error { _ = try ok.run([]) }.contains("got 0 input tensor(s), the model takes 1: x: FLOAT [-1, 3]"))
        #expect(B.error { _ = try ok.run(named: ["z": Tensor([1, 2, 3], shape: [1, 3])]) }.contains("unknown input(s) z"))
    }

    @Test func attributeTypeMismatchesAndUnknownAttributesAreRefused() {
        let conv = { (attributes: [Onnx_AttributeProto]) in
            B.model(nodes: [B.node("Conv", ["x", "w"], ["y"], name: "conv", attributes)],
                    inputs: [B.value("x", .float, [1, 1, 5, 5])], outputs: [B.value("y")],
                    initializers: [Onnx_TensorProto(Tensor.ones([1, 1, 3, 3]), name: "w")])
        }
        #expect(B.error { _ = try ONNXImporter.importModel(conv([B.float("group", 1)])) }
            == "node #0 'conv' (Conv): attribute 'group' is FLOAT, expected INT")
        #expect(B.error { _ = try ONNXImporter.importModel(conv([B.int("groups", 1)])) }
            == "node #0 'conv' (Conv): attribute 'groups' not supported by Lepton's Conv")
        #expect(B.error { _ = try ONNXImporter.importModel(conv([B.int("group", 1), B.int("group", 2)])) }
            == "node #0 'conv' (Conv): attribute 'group' is given twice")
    }

    @Test func unsupportedOperatorsAreListedByNameAndNode() {
        let model = B.model(nodes: [B.node("Relu", ["x"], ["a"]), B.node("FancyOp", ["a"], ["b"], name: "f1"),
                                    B.node("Relu", ["b"], ["c"]), B.node("OtherOp", ["c"], ["d"]), B.node("FancyOp", ["d"], ["y"])],
                            inputs: [B.value("x")], outputs: [B.value("y")])
        let message = B.error { _ = try ONNXImporter.importModel(model) }
        #expect(message.hasPrefix("unsupported operators: FancyOp (node #1 'f1', node #4); OtherOp (node #3)"), "\(message)")
    }

    @Test func typeErrorsAreFoundAtImport() {
        let model = B.model(nodes: [B.node("Conv", ["x", "w"], ["y"], name: "conv")],
                            inputs: [B.value("x", .int64, [1, 1, 5, 5])], outputs: [B.value("y", .int64)],
                            initializers: [Onnx_TensorProto(Tensor(int32: Array(repeating: 1, count: 9), shape: [1, 1, 3, 3]), name: "w")])
        #expect(B.error { _ = try ONNXImporter.importModel(model) }
            == "node #0 'conv' (Conv): input 0 'x' is INT64; Lepton's Conv supports FLOAT, FLOAT16, DOUBLE and BFLOAT16")
        let declared = B.model(nodes: [B.node("Shape", ["x"], ["y"])], inputs: [B.value("x")], outputs: [B.value("y", .float)])
        #expect(B.error { _ = try ONNXImporter.importModel(declared) } == "graph output 'y': is declared FLOAT but is computed as INT64")
    }

    @Test func shapeErrorsAtRunTimeNameTheNodeInsteadOfCrashing() throws {
        let model = try ONNXImporter.importModel(B.dense())
        #expect(B.error { _ = try model.run([Tensor.ones([2, 4])]) } == "input 'x': has shape [2, 4], expected [-1, 3] (-1: any size)")
        #expect(B.error { _ = try model.run([Tensor(int32: [1, 2, 3], shape: [1, 3])]) } == "input 'x': is a int32 tensor, expected float32 (FLOAT)")
        let add = try ONNXImporter.importModel(B.model(nodes: [B.node("Add", ["a", "b"], ["y"], name: "sum")],
                                                       inputs: [B.value("a"), B.value("b")], outputs: [B.value("y")]))
        #expect(B.error { _ = try add.run([Tensor.ones([2, 3]), Tensor.ones([4])]) }
            == "node #0 'sum' (Add): shapes [2, 3], [4] do not broadcast (each dimension must match or be 1)")
        let matmul = try ONNXImporter.importModel(B.model(nodes: [B.node("MatMul", ["a", "b"], ["y"])],
                                                          inputs: [B.value("a"), B.value("b")], outputs: [B.value("y")]))
        #expect(B.error { _ = try matmul.run([Tensor.ones([2, 3]), Tensor.ones([4, 5])]) }
            == "node #0 (MatMul): inner dimensions differ: [2, 3] and [4, 5] (expected a.shape[-1] == b.shape[-2])")
    }

    @Test func hugeShapesFromDataAreRefusedBeforeAllocation() throws {
        let shape = Onnx_TensorProto(Tensor(int32: [100_000, 100_000, 100_000], shape: [3]), name: "shape")
        let model = try ONNXImporter.importModel(B.model(nodes: [B.node("ConstantOfShape", ["shape"], ["y"], name: "fill")],
                                                         inputs: [], outputs: [B.value("y")], initializers: [shape]))
        #expect(B.error { _ = try model.run([]) }.contains("node #0 'fill' (ConstantOfShape): ConstantOfShape shape [100000, 100000, 100000] has more than"))
        let reshape = try ONNXImporter.importModel(B.model(nodes: [B.node("Reshape", ["x", "shape"], ["y"])],
                                                           inputs: [B.value("x")], outputs: [B.value("y")], initializers: [shape]))
        #expect(B.error { _ = try reshape.run([Tensor.ones([4])]) } == "node #0 (Reshape): cannot reshape [4] (4 elements) to [100000, 100000, 100000]")
    }
}
