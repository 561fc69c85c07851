import Foundation
import LeptonONNX
import LeptonTensor

/// Small ONNX models built in Swift, for the importer's tests.
enum ModelBuilder {
    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
                     _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name
        n.attribute = attributes
        return n
    }

    // Attributes: the exporter's constructors (Onnx_AttributeProto+Export), under short names.
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto { .int(name, value) }
    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto { .ints(name, values) }
    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto { .float(name, value) }

    static func tensor(_ name: String, _ value: Onnx_TensorProto) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .tensor
        a.t = value
        return a
    }

    /// A value info; `shape` nil for no shape, `-1` for a symbolic dimension.
    static func value(_ name: String, _ type: ONNXElementType = .float, _ shape: [Int]? = nil) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = type.rawValue
        if let shape {
            var s = Onnx_TensorShapeProto()
            s.dim = shape.map { d in
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.value = d < 0 ? .dimParam("batch") : .dimValue(Int64(d))
                return dim
            }
            tensorType.shape = s
        }
        var type = Onnx_TypeProto()
        type.value = .tensorType(tensorType)
        info.type = type
        return info
    }

    static func model(nodes: [Onnx_NodeProto], inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto],
                      initializers: [Onnx_TensorProto] = [], opset: Int = 17) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.input = inputs
        graph.output = outputs
        graph.initializer = initializers
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var set = Onnx_OperatorSetIdProto()
        set.domain = ""
        set.version = Int64(opset)
        model.opsetImport = [set]
        model.graph = graph
        return model
    }

    /// `y = relu(x · w + b)` over `[batch, 3]` inputs, w `[3, 2]`.
    static func dense() -> Onnx_ModelProto {
        let w = Onnx_TensorProto(Tensor([1, -1, 0.5, 2, -0.5, 1], shape: [3, 2]), name: "w")
        let b = Onnx_TensorProto(Tensor([0.1, -0.2], shape: [2]), name: "b")
        return model(nodes: [node("MatMul", ["x", "w"], ["xw"], name: "matmul"), node("Add", ["xw", "b"], ["z"], name: "add"),
                             node("Relu", ["z"], ["y"], name: "relu")],
                     inputs: [value("x", .float, [-1, 3])], outputs: [value("y", .float, [-1, 2])], initializers: [w, b])
    }

    /// The error thrown by `body`, as text ("" when nothing was thrown).
    static func error(_ body: () throws -> Void) -> String {
        do { try body(); return "" } catch { return "\(error)" }
    }
}
