/// An ONNX model's main graph checked for structure: the operator-set version, the inputs a
/// caller supplies, the decoded initializers, and the nodes in an order where every value is
/// produced before it is read.
///
/// Checking here means a hostile or broken file is refused with a message naming the node or
/// value: a value read but never defined, a value defined twice, a cycle, an output nobody
/// produces, sparse or external initializers, non-tensor inputs.
struct ONNXGraph {
    /// The version of the default (`ai.onnx`) operator set the model imports.
    let opset: Int
    /// Inputs the caller supplies (graph inputs that are not initializers), in graph order.
    let inputs: [ONNXTensorSpec]
    /// The graph's outputs, in order.
    let outputs: [ONNXTensorSpec]
    /// Whether each output declares its element type (a body graph's outputs may not).
    let outputTypeDeclared: [Bool]
    /// Initializers (constant tensors stored in the file), in file order.
    let initializers: [(name: String, value: ONNXValue)]
    /// Nodes in execution order, with their index in the file (for messages).
    let nodes: [(index: Int, node: Onnx_NodeProto)]

    /// `node #3 'conv1' (Conv)`, or `node #3 (Conv)` when the node has no name.
    static func label(_ node: Onnx_NodeProto, index: Int) -> String {
        let type = node.opType.isEmpty ? "no op_type" : node.opType
        return node.name.isEmpty ? "node #\(index) (\(type))" : "node #\(index) '\(node.name)' (\(type))"
    }

    /// A graph from checked parts (a rewrite of a checked graph, ``foldingBatchNorms()``).
    init(opset: Int, inputs: [ONNXTensorSpec], outputs: [ONNXTensorSpec], outputTypeDeclared: [Bool],
         initializers: [(name: String, value: ONNXValue)], nodes: [(index: Int, node: Onnx_NodeProto)]) {
        (self.opset, self.inputs, self.outputs, self.outputTypeDeclared) = (opset, inputs, outputs, outputTypeDeclared)
        (self.initializers, self.nodes) = (initializers, nodes)
    }

    /// Checks and orders `model`'s graph.
    /// - Throws: ``ONNXError`` naming the first structural problem found.
    init(_ model: Onnx_ModelProto) throws {
        let defaultSets = model.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let opset = defaultSets.first?.version, opset >= 1 else {
            throw ONNXError("the model imports no version of the default operator set (ai.onnx); "
                            + "expected an opset_import entry with an empty domain")
        }
        try self.init(graph: model.graph, opset: Int(min(opset, 1000)), outer: [], inputTypes: nil)
    }

    /// Checks and orders a graph: the main graph (`outer` empty) or the body of a control-flow
    /// node, which may read `outer` values of the enclosing graphs and whose untyped inputs
    /// and outputs take the types the node gives (`inputTypes`) or computes.
    init(graph: Onnx_GraphProto, opset: Int, outer: Set<String>, inputTypes: [ONNXElementType]?) throws {
        self.opset = opset
        let isSubgraph = inputTypes != nil
        guard graph.sparseInitializer.isEmpty else {
            throw ONNXError("sparse initializers are not supported (expected dense initializers)",
                            context: "initializer '\(graph.sparseInitializer[0].values.name)'")
        }
        var defined = Set<String>()
        var initializers: [(name: String, value: ONNXValue)] = []
        for tensor in graph.initializer {
            guard !tensor.name.isEmpty else { throw ONNXError("an initializer has no name (expected every initializer to be named)") }
            guard defined.insert(tensor.name).inserted else {
                throw ONNXError("is defined twice (expected unique initializer names)", context: "initializer '\(tensor.name)'")
            }
            initializers.append((tensor.name, try tensor.value(context: "initializer")))
        }
        var inputs: [ONNXTensorSpec] = []
        var inputNames = Set<String>()
        if let inputTypes, inputTypes.count != graph.input.count {
            throw ONNXError("the body graph has \(graph.input.count) inputs, the node supplies \(inputTypes.count)")
        }
        for (i, info) in graph.input.enumerated() {
            guard !info.name.isEmpty else { throw ONNXError("a graph input has no name (expected every input to be named)") }
            guard inputNames.insert(info.name).inserted else {
                throw ONNXError("is listed twice (expected unique input names)", context: "graph input '\(info.name)'")
            }
            // An input that is also an initializer has a default value: Lepton uses the initializer.
            if defined.contains(info.name) && !isSubgraph { continue }
            if let inputTypes, !Self.declaresTensorType(info) {
                inputs.append(ONNXTensorSpec(name: info.name, elementType: inputTypes[i], shape: nil))
            } else {
                let spec = try ONNXTensorSpec.from(info, context: "graph input")
                if let inputTypes, spec.elementType != inputTypes[i] {
                    throw ONNXError("is declared \(spec.elementType) but receives \(inputTypes[i])", context: "graph input '\(info.name)'")
                }
                inputs.append(spec)
            }
            defined.insert(info.name)
        }
        self.inputs = inputs
        self.initializers = initializers
        nodes = try Self.executionOrder(graph.node, defined: defined.union(outer))
        var available = defined.union(outer)
        for (_, node) in nodes { for name in node.output where !name.isEmpty { available.insert(name) } }
        var outputNames = Set<String>()
        var declared: [Bool] = []
        outputs = try graph.output.map { info in
            guard available.contains(info.name) else {
                throw ONNXError("is not produced by any node, input or initializer", context: "graph output '\(info.name)'")
            }
            guard outputNames.insert(info.name).inserted || isSubgraph else {
                throw ONNXError("is listed twice (expected unique output names)", context: "graph output '\(info.name)'")
            }
            declared.append(!isSubgraph || Self.declaresTensorType(info))
            if isSubgraph && !Self.declaresTensorType(info) { return ONNXTensorSpec(name: info.name, elementType: .float, shape: nil) }
            return try ONNXTensorSpec.from(info, context: "graph output")
        }
        outputTypeDeclared = declared
        guard !outputs.isEmpty else { throw ONNXError("the graph has no outputs (expected at least one)") }
    }

    /// Whether a value info declares a tensor element type.
    static func declaresTensorType(_ info: Onnx_ValueInfoProto) -> Bool {
        guard info.hasType, case .tensorType(let t)? = info.type.value else { return false }
        return t.elemType != 0
    }

    /// Names a node's body graphs read from the enclosing scopes (their free variables), in
    /// first-use order: the node depends on them as on its inputs.
    static func captured(by node: Onnx_NodeProto) -> [String] {
        var seen = Set<String>(), names: [String] = []
        for attribute in node.attribute {
            for body in [attribute.g].filter({ _ in attribute.hasG }) + attribute.graphs {
                for name in freeVariables(of: body) where seen.insert(name).inserted { names.append(name) }
            }
        }
        return names
    }

    /// The names `graph` (and the graphs nested in it) read without defining them.
    static func freeVariables(of graph: Onnx_GraphProto) -> [String] {
        var defined = Set(graph.input.map(\.name)).union(graph.initializer.map(\.name))
        for node in graph.node { for name in node.output where !name.isEmpty { defined.insert(name) } }
        var seen = Set<String>(), names: [String] = []
        for node in graph.node {
            for name in node.input + captured(by: node) where !name.isEmpty && !defined.contains(name) {
                if seen.insert(name).inserted { names.append(name) }
            }
        }
        for info in graph.output where !defined.contains(info.name) && seen.insert(info.name).inserted { names.append(info.name) }
        return names
    }

    /// Kahn's algorithm, taking ready nodes in file order (so an already sorted graph keeps
    /// its order).
    private static func executionOrder(_ nodes: [Onnx_NodeProto], defined: Set<String>) throws -> [(index: Int, node: Onnx_NodeProto)] {
        var producer: [String: Int] = [:]
        for (i, node) in nodes.enumerated() {
            for name in node.output where !name.isEmpty {
                if defined.contains(name) {
                    throw ONNXError("writes '\(name)', which is already a graph input or initializer "
                                    + "(expected every value to be defined once)", context: label(node, index: i))
                }
                if let other = producer[name] {
                    throw ONNXError("writes '\(name)', which \(label(nodes[other], index: other)) also writes "
                                    + "(expected every value to be defined once)", context: label(node, index: i))
                }
                producer[name] = i
            }
        }
        var waiting = [Int](repeating: 0, count: nodes.count)
        var consumers: [Int: [Int]] = [:]
        for (i, node) in nodes.enumerated() {
            for name in Set(node.input + captured(by: node)) where !name.isEmpty && !defined.contains(name) {
                guard let p = producer[name] else {
                    throw ONNXError("reads '\(name)', which is not a graph input, an initializer or any node's output",
                                    context: label(node, index: i))
                }
                waiting[i] += 1
                consumers[p, default: []].append(i)
            }
        }
        var ready = MinHeap((0..<nodes.count).filter { waiting[$0] == 0 })
        var order: [(index: Int, node: Onnx_NodeProto)] = []
        order.reserveCapacity(nodes.count)
        while let i = ready.pop() {
            order.append((i, nodes[i]))
            for c in consumers[i] ?? [] {
                waiting[c] -= 1
                if waiting[c] == 0 { ready.push(c) }
            }
        }
        if order.count < nodes.count {
            let stuck = (0..<nodes.count).filter { waiting[$0] > 0 }
            let names = stuck.prefix(5).map { label(nodes[$0], index: $0) }.joined(separator: ", ")
            throw ONNXError("the graph has a cycle: \(stuck.count) node(s) wait on each other's outputs (\(names)"
                            + (stuck.count > 5 ? ", …" : "") + "); expected an acyclic graph")
        }
        return order
    }
}

/// A binary min-heap of integers (node indices ready to run).
private struct MinHeap {
    private var items: [Int] = []

    init(_ values: [Int]) { for v in values { push(v) } }

    mutating func push(_ value: Int) {
        items.append(value)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= items[i] { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if items.isEmpty { return first }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return first
    }
}
