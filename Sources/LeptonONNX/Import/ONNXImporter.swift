import Foundation
import LeptonTensor

/// Imports ONNX models as runnable Lepton models (``ONNXGraphModel``).
///
/// Import checks the whole model before anything runs: the graph's structure (``ONNXGraph``),
/// that every operator is implemented (one error lists every unsupported operator with its
/// nodes), and each node's attributes and input element types against what Lepton's kernel
/// for it supports. A model that imports is one Lepton claims to run.
///
/// ```swift
/// let model = try ONNXImporter.load(URL(fileURLWithPath: "resnet.onnx"))
/// let logits = try model.run([images])[0].tensor
/// ```
public enum ONNXImporter {
    /// Reads and imports an `.onnx` file.
    /// - Parameter forInference: fold each `BatchNormalization` after a `Conv` into the
    ///   convolution's weights (``ONNXGraph/foldingBatchNorms()``) — for models that only
    ///   predict (`lepton predict`, `lepton serve`); a model to fine-tune keeps its nodes, so its
    ///   initializers stay the ones it trains.
    /// - Throws: ``ONNXError`` naming the file, node or value that could not be imported.
    public static func load(_ url: URL, forInference: Bool = false) throws -> ONNXGraphModel {
        try importModel(ONNXModelFile.read(url), forInference: forInference)
    }

    /// Imports a parsed model (see ``load(_:forInference:)`` for `forInference`).
    /// - Throws: ``ONNXError`` naming the node or value that could not be imported.
    public static func importModel(_ model: Onnx_ModelProto, forInference: Bool = false) throws -> ONNXGraphModel {
        let graph = try ONNXGraph(model)
        try checkOperatorsAreSupported(model.graph)
        let used = forInference ? graph.foldingBatchNorms() : graph
        let compiled = try ONNXGraphCompiler.compile(used, outerTypes: [:])
        return ONNXGraphModel(proto: model, graph: used, program: compiled.program, frozen: statisticsInitializers(used))
    }

    /// One error listing every operator the model uses that Lepton does not implement, with
    /// the nodes using it.
    static func checkOperatorsAreSupported(_ graph: Onnx_GraphProto) throws {
        var missing: [(String, [String])] = []
        func visit(_ graph: Onnx_GraphProto, within: String) {
            for (index, node) in graph.node.enumerated() {
                let domain = node.domain == "ai.onnx" ? "" : node.domain
                let where_ = (node.name.isEmpty ? "node #\(index)" : "node #\(index) '\(node.name)'") + within
                if !(domain.isEmpty && ONNXOperators.isSupported(node.opType)) {
                    let name = domain.isEmpty ? node.opType : "\(domain).\(node.opType)"
                    if let i = missing.firstIndex(where: { $0.0 == name }) { missing[i].1.append(where_) } else { missing.append((name, [where_])) }
                }
                for attribute in node.attribute {
                    for body in (attribute.hasG ? [attribute.g] : []) + attribute.graphs {
                        visit(body, within: " in the body '\(attribute.name)' of node #\(index)" + within)
                    }
                }
            }
        }
        visit(graph, within: "")
        guard !missing.isEmpty else { return }
        let list = missing.map { op, nodes in
            "\(op) (" + nodes.prefix(3).joined(separator: ", ") + (nodes.count > 3 ? ", and \(nodes.count - 3) more" : "") + ")"
        }
        throw ONNXError("unsupported operator\(missing.count > 1 ? "s" : ""): " + list.joined(separator: "; ")
                        + " (Lepton implements \(ONNXOperators.supported.count) operators of the default ONNX domain)")
    }

    /// Initializers that hold statistics rather than weights (batch-norm running mean and
    /// variance): they are buffers of the imported model, not trained parameters.
    static func statisticsInitializers(_ graph: ONNXGraph) -> Set<String> {
        var names = Set<String>()
        for (_, node) in graph.nodes where node.opType == "BatchNormalization" {
            for i in [3, 4] where i < node.input.count { names.insert(node.input[i]) }
        }
        return names
    }
}
