import Foundation
import LeptonTensor

/// Collects the nodes and initializers of an ONNX graph while layers are converted, with unique
/// names scoped by layer (`layers.3/Conv`, initializer `layers.3.kernel`).
///
/// ``finish(input:inputType:inputShape:output:outputType:outputShape:name:)`` drops nodes whose
/// results are never used, and ``transpose(_:_:)`` folds a transpose of a transpose, so the
/// channels-last ↔ channels-first pairs between consecutive image layers cancel out.
///
/// ```swift
/// let graph = ONNXGraphBuilder()
/// let y = graph.node("Relu", [graph.node("MatMul", ["input", graph.initializer(kernel, name: "kernel")])])
/// ```
public final class ONNXGraphBuilder {
    /// The prefix of node, value and initializer names (`layers.3`); set per layer by the exporter.
    public var scope = ""
    /// The opset of the default domain the graph is built for (the exporter sets it before
    /// converting layers; ``reduce(_:_:axes:keepDims:)`` writes the form it takes).
    public var opsetVersion: Int64 = ONNXExporter.opsetVersion
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = []
    /// Values produced by a `Transpose`: the transposed value and the permutation.
    private var transposes: [String: (source: String, perm: [Int])] = [:]

    /// An empty graph; `reservedNames` (the graph's input and output) are never generated.
    public init(reservedNames: Set<String> = ["input", "output"]) {
        usedNames = reservedNames
    }

    /// A name not used yet, `scope` + separator + `base` (with `_1`, `_2`… when taken).
    func uniqueName(_ base: String, separator: String) -> String {
        let stem = scope.isEmpty ? base : scope + separator + base
        var name = stem, k = 0
        while usedNames.contains(name) { k += 1; name = "\(stem)_\(k)" }
        usedNames.insert(name)
        return name
    }

    /// Appends a node and returns the names of its `outputs` results.
    /// - Parameters:
    ///   - op: the ONNX operator (`"Conv"`).
    ///   - inputs: names of its inputs (`""` for an omitted optional input).
    ///   - outputs: how many results it produces.
    ///   - domain: the operator's domain (`""`, the default, or `"ai.onnx.ml"`).
    ///   - attributes: its attributes (see ``Attribute``).
    @discardableResult
    public func nodeOutputs(_ op: String, _ inputs: [String], outputs: Int, domain: String = "",
                            attributes: [Onnx_AttributeProto] = []) -> [String] {
        var node = Onnx_NodeProto()
        node.opType = op
        node.domain = domain
        node.name = uniqueName(op, separator: "/")
        node.input = inputs
        node.output = (0..<outputs).map { uniqueName(outputs == 1 ? "\(op)_output" : "\(op)_output\($0)", separator: "/") }
        node.attribute = attributes
        nodes.append(node)
        return node.output
    }

    /// Appends a single-result node and returns its result's name.
    public func node(_ op: String, _ inputs: [String], _ attributes: Onnx_AttributeProto...) -> String {
        nodeOutputs(op, inputs, outputs: 1, attributes: attributes)[0]
    }

    /// Adds a weight; returns its name (`scope.name`).
    /// - Parameter elementType: the stored ONNX type (default `FLOAT` for float32, `INT64` for int32).
    public func initializer(_ tensor: Tensor, name: String, as elementType: ONNXElementType? = nil) -> String {
        let unique = uniqueName(name, separator: ".")
        initializers.append(Onnx_TensorProto(tensor, name: unique, as: elementType))
        return unique
    }

    /// Adds an `INT64` constant (a 1-D list, or a scalar when `scalar` is set): shapes, axes, indices.
    public func int64s(_ values: [Int64], name: String, scalar: Bool = false) -> String {
        var proto = Onnx_TensorProto()
        proto.name = uniqueName(name, separator: ".")
        proto.dataType = ONNXElementType.int64.rawValue
        proto.dims = scalar ? [] : [Int64(values.count)]
        proto.int64Data = values
        initializers.append(proto)
        return proto.name
    }

    /// ``int64s(_:name:scalar:)`` for `Int` values.
    public func ints(_ values: [Int], name: String) -> String {
        int64s(values.map(Int64.init), name: name)
    }

    /// Adds a `STRING` scalar constant.
    public func string(_ value: String, name: String) -> String {
        var proto = Onnx_TensorProto()
        proto.name = uniqueName(name, separator: ".")
        proto.dataType = ONNXElementType.string.rawValue
        proto.stringData = [Data(value.utf8)]
        initializers.append(proto)
        return proto.name
    }

    /// `ReduceMean`, `ReduceProd`, `ReduceMax`… of `x` over `axes`: the axes as an attribute before
    /// opset 18 and as an input from 18 on (``opsetVersion``).
    public func reduce(_ op: String, _ x: String, axes: [Int], keepDims: Bool) -> String {
        if opsetVersion >= 18 { return node(op, [x, ints(axes, name: "axes")], .int("keepdims", keepDims ? 1 : 0)) }
        return node(op, [x], .ints("axes", axes), .int("keepdims", keepDims ? 1 : 0))
    }

    /// Adds a `FLOAT` scalar constant.
    public func scalar(_ value: Float, name: String) -> String {
        initializer(Tensor([value], shape: []), name: name)
    }

    /// `Transpose(x, perm)`; a transpose of a transpose becomes one transpose of the original
    /// (or the original itself when the two cancel).
    public func transpose(_ x: String, _ perm: [Int]) -> String {
        var source = x, combined = perm
        if let previous = transposes[x] {
            source = previous.source
            combined = perm.map { previous.perm[$0] }
        }
        if combined == Array(0..<combined.count) { return source }
        let y = node("Transpose", [source], .ints("perm", combined))
        transposes[y] = (source, combined)
        return y
    }

    /// `Reshape(x, shape)` with `shape` as an `INT64` constant (-1 for the one inferred axis).
    public func reshape(_ x: String, _ shape: [Int]) -> String {
        node("Reshape", [x, ints(shape, name: "shape")])
    }

    /// Runs `body` with `name` appended to ``scope`` (`layers.3.selfAttention`).
    public func withScope<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let saved = scope
        scope = scope.isEmpty ? name : "\(scope).\(name)"
        defer { scope = saved }
        return try body()
    }

    /// The finished graph: the nodes that contribute to `output` (the last value renamed to
    /// `output`, or an `Identity` when it is the input itself) and the initializers they use.
    /// - Parameters:
    ///   - input: the graph input's name (`"input"`), its element type and shape (`nil` for the
    ///     dynamic batch axis, named `batch`).
    ///   - output: the name of the value to return; it is renamed `"output"`.
    public func finish(input: String, inputType: ONNXElementType, inputShape: [Int?], output: String,
                       outputType: ONNXElementType, outputShape: [Int?], name: String) -> Onnx_GraphProto {
        var nodes = self.nodes
        if let producer = nodes.lastIndex(where: { $0.output.contains(output) }), output != input {
            nodes[producer].output = nodes[producer].output.map { $0 == output ? "output" : $0 }
        } else {
            var identity = Onnx_NodeProto()
            identity.opType = "Identity"
            identity.name = "Identity_output"
            identity.input = [output]
            identity.output = ["output"]
            nodes.append(identity)
        }
        // Keep only the nodes the output depends on (a cancelled transpose leaves a dead one).
        var needed: Set<String> = ["output"]
        var kept: [Onnx_NodeProto] = []
        for node in nodes.reversed() where node.output.contains(where: needed.contains) {
            kept.append(node)
            needed.formUnion(node.input.filter { !$0.isEmpty })
            // A subgraph (a Loop's body) may read values of this graph by name.
            for attribute in node.attribute where attribute.type == .graph {
                needed.formUnion(attribute.g.node.flatMap(\.input).filter { !$0.isEmpty })
            }
        }
        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = kept.reversed()
        graph.initializer = initializers.filter { needed.contains($0.name) }
        graph.input = [Self.valueInfo(input, inputType, inputShape)]
        graph.output = [Self.valueInfo("output", outputType, outputShape)]
        return graph
    }

    /// A graph input or output description; `nil` dimensions are the symbolic `batch`.
    static func valueInfo(_ name: String, _ type: ONNXElementType, _ shape: [Int?]) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = type.rawValue
        var shapeProto = Onnx_TensorShapeProto()
        shapeProto.dim = shape.map { dim in
            var d = Onnx_TensorShapeProto.Dimension()
            if let dim { d.dimValue = Int64(dim) } else { d.dimParam = "batch" }
            return d
        }
        tensorType.shape = shapeProto
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensorType
        return info
    }
}
