import LeptonTensor

/// A graph compiled into a program: the main graph of a model, or the body of an `If`,
/// `Loop` or `Scan` node, which reads values of the enclosing graphs (``captured``).
struct CompiledGraph {
    let program: ONNXProgram
    /// The body's own inputs (the main graph's caller-supplied inputs).
    let inputSpecs: [ONNXTensorSpec]
    /// The element type of each output.
    let outputTypes: [ONNXElementType]
    /// Values of enclosing graphs the program reads, passed after the formal inputs.
    let captured: [String]
    /// The graph's initializers, in ``ONNXGraph/initializers`` order.
    let initializers: [ONNXValue]

    /// Runs a body graph on its formal inputs, reading captured values from `outer`.
    func run(_ formal: [ONNXValue], outer: [String: ONNXValue]) throws -> [ONNXValue] {
        guard formal.count == inputSpecs.count else {
            throw ONNXError("the body graph takes \(inputSpecs.count) inputs, got \(formal.count)")
        }
        let capturedValues = try captured.map { name -> ONNXValue in
            guard let v = outer[name] else { throw ONNXError("the body graph reads '\(name)', which has no value") }
            return v
        }
        return try program.run(inputs: formal + capturedValues, initializers: initializers)
    }
}

/// Compiles checked graphs (``ONNXGraph``): builds each node's kernel through the operator
/// table (so attribute and type errors surface at import), infers every value's element type,
/// folds `Constant` nodes, fuses patterns (``ONNXFusion``), assigns slots and schedules their release.
enum ONNXGraphCompiler {
    /// Compiles `graph`; `outerTypes` are the values visible from enclosing graphs.
    static func compile(_ graph: ONNXGraph, outerTypes: [String: ONNXElementType]) throws -> CompiledGraph {
        var types: [String: ONNXElementType] = [:]
        var constants: [String: ONNXValue] = [:]
        for spec in graph.inputs { types[spec.name] = spec.elementType }
        for (name, value) in graph.initializers {
            types[name] = value.elementType
            constants[name] = value
        }
        var slotOf: [String: Int] = [:]
        var captured: [String] = []
        func slot(_ name: String) -> Int {
            if let s = slotOf[name] { return s }
            if types[name] == nil && outerTypes[name] != nil { captured.append(name) }
            slotOf[name] = slotOf.count
            return slotOf.count - 1
        }
        let formalSlots = graph.inputs.map { slot($0.name) }
        let initializerSlots = graph.initializers.map { slot($0.name) }
        var steps: [ONNXProgram.Step] = []
        for (index, node) in graph.nodes {
            let label = ONNXGraph.label(node, index: index)
            let reads = ONNXGraph.captured(by: node)
            let visible = outerTypes.merging(types) { _, local in local }
            let inputTypes = node.input.map { $0.isEmpty ? nil : visible[$0] }
            let kernel: ONNXKernel
            do {
                let context = try ONNXNodeContext(node: node, label: label, opset: graph.opset, inputTypes: inputTypes,
                                                  constants: node.input.map { constants[$0] })
                context.captured = reads
                context.compileBody = { body, inputTypes in
                    let checked = try ONNXGraph(graph: body, opset: graph.opset, outer: Set(visible.keys), inputTypes: inputTypes)
                    return try compile(checked, outerTypes: visible)
                }
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
                                        inputs: node.input.map { $0.isEmpty ? nil : slot($0) } + reads.map { slot($0) },
                                        outputs: node.output.map { $0.isEmpty ? nil : slot($0) }, releases: [])
            if node.opType == "Constant" {
                let values = try evaluate(step)
                for (k, name) in node.output.enumerated() where !name.isEmpty { constants[name] = values[k] }
            }
            steps.append(step)
        }
        let visible = outerTypes.merging(types) { _, local in local }
        var outputTypes: [ONNXElementType] = []
        for (spec, declared) in zip(graph.outputs, graph.outputTypeDeclared) {
            let computed = visible[spec.name]!
            if declared && computed != spec.elementType {
                throw ONNXError("is declared \(spec.elementType) but is computed as \(computed)", context: "graph output '\(spec.name)'")
            }
            outputTypes.append(computed)
        }
        let outputSlots = graph.outputs.map { slot($0.name) }
        ONNXFusion.fuse(&steps, outputs: Set(outputSlots))
        var lastReader: [Int: Int] = [:]
        for (i, step) in steps.enumerated() {
            for case let s? in step.inputs { lastReader[s] = i }
            for case let s? in step.outputs where lastReader[s] == nil { lastReader[s] = i }
        }
        for (s, i) in lastReader { steps[i].releases.append(s) }
        let program = ONNXProgram(slotCount: slotOf.count, inputSlots: formalSlots + captured.map { slotOf[$0]! },
                                  initializerSlots: initializerSlots, outputSlots: outputSlots, steps: steps)
        return CompiledGraph(program: program, inputSpecs: graph.inputs, outputTypes: outputTypes, captured: captured,
                             initializers: graph.initializers.map(\.value))
    }

    /// Runs one step whose inputs are all absent (a `Constant`), at import time.
    static func evaluate(_ step: ONNXProgram.Step) throws -> [ONNXValue?] {
        do {
            let results = try step.kernel.run([])
            return step.outputs.indices.map { $0 < results.count ? results[$0].normalized() : nil }
        } catch let error as ONNXError {
            throw ONNXError(error.description, context: step.label)
        }
    }
}
