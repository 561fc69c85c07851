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
    /// - Throws: ``ONNXError`` naming the file, node or value that could not be imported.
    public static func load(_ url: URL) throws -> ONNXGraphModel {
        try importModel(ONNXModelFile.read(url))
    }

    /// Imports a parsed model.
    /// - Throws: ``ONNXError`` naming the node or value that could not be imported.
    public static func importModel(_ model: Onnx_ModelProto) throws -> ONNXGraphModel {
        let graph = try ONNXGraph(model)
        try checkOperatorsAreSupported(graph)
        var types: [String: ONNXElementType] = [:]
        var constants: [String: ONNXValue] = [:]
        for spec in graph.inputs { types[spec.name] = spec.elementType }
        for (name, value) in graph.initializers {
            types[name] = value.elementType
            constants[name] = value
        }
        var slotOf: [String: Int] = [:]
        func slot(_ name: String) -> Int {
            if let s = slotOf[name] { return s }
            slotOf[name] = slotOf.count
            return slotOf.count - 1
        }
        let inputSlots = graph.inputs.map { slot($0.name) }
        let initializerSlots = graph.initializers.map { slot($0.name) }
        var steps: [ONNXProgram.Step] = []
        for (index, node) in graph.nodes {
            let label = ONNXGraph.label(node, index: index)
            let inputTypes = node.input.map { $0.isEmpty ? nil : types[$0] }
            let kernel: ONNXKernel
            do {
                let context = try ONNXNodeContext(node: node, label: label, opset: graph.opset, inputTypes: inputTypes,
                                                  constants: node.input.map { constants[$0] })
                kernel = try ONNXOperators.table[node.opType]!(context)
                try context.checkAllAttributesRead()
            } catch let error as ONNXError {
                throw error.description.hasPrefix(label) ? error : ONNXError(error.description, context: label)
            }
            for (k, name) in node.output.enumerated() where !name.isEmpty {
                guard k < kernel.outputTypes.count else {
                    throw ONNXError("output \(k) '\(name)' is not one Lepton's \(node.opType) computes", context: label)
                }
                types[name] = kernel.outputTypes[k]
            }
            let step = ONNXProgram.Step(label: label, opType: node.opType, kernel: kernel,
                                        inputs: node.input.map { $0.isEmpty ? nil : slot($0) },
                                        outputs: node.output.map { $0.isEmpty ? nil : slot($0) }, releases: [])
            if node.opType == "Constant" {
                let values = try ONNXProgram(slotCount: 0, inputSlots: [], initializerSlots: [], outputSlots: [], steps: [])
                    .evaluate(step)
                for (k, name) in node.output.enumerated() where !name.isEmpty { constants[name] = values[k] }
            }
            steps.append(step)
        }
        for spec in graph.outputs where types[spec.name] != spec.elementType {
            throw ONNXError("is declared \(spec.elementType) but is computed as \(types[spec.name]!)",
                            context: "graph output '\(spec.name)'")
        }
        var lastReader: [Int: Int] = [:]
        for (i, step) in steps.enumerated() {
            for case let s? in step.inputs { lastReader[s] = i }
            for case let s? in step.outputs where lastReader[s] == nil { lastReader[s] = i }
        }
        for (s, i) in lastReader { steps[i].releases.append(s) }
        let program = ONNXProgram(slotCount: slotOf.count, inputSlots: inputSlots, initializerSlots: initializerSlots,
                                  outputSlots: graph.outputs.map { slotOf[$0.name]! }, steps: steps)
        return ONNXGraphModel(proto: model, graph: graph, program: program, frozen: statisticsInitializers(graph))
    }

    /// One error listing every operator the model uses that Lepton does not implement, with
    /// the nodes using it.
    static func checkOperatorsAreSupported(_ graph: ONNXGraph) throws {
        var missing: [(String, [String])] = []
        for (index, node) in graph.nodes.sorted(by: { $0.index < $1.index }) {
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            let supported = domain.isEmpty && ONNXOperators.isSupported(node.opType)
            guard !supported else { continue }
            let name = domain.isEmpty ? node.opType : "\(domain).\(node.opType)"
            let where_ = node.name.isEmpty ? "node #\(index)" : "node #\(index) '\(node.name)'"
            if let i = missing.firstIndex(where: { $0.0 == name }) { missing[i].1.append(where_) } else { missing.append((name, [where_])) }
        }
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

extension ONNXProgram {
    /// Runs one step whose inputs are all absent (a `Constant`), at import time.
    func evaluate(_ step: Step) throws -> [ONNXValue?] {
        do {
            let results = try step.kernel.run([])
            return step.outputs.indices.map { $0 < results.count ? results[$0].normalized() : nil }
        } catch let error as ONNXError {
            throw ONNXError(error.description, context: step.label)
        }
    }
}
