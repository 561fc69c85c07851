import Foundation
import LeptonNN
import LeptonTensor
import LeptonTrain

/// An imported ONNX graph as a Lepton ``Model``: it runs the graph's nodes in order with
/// Lepton's tensor ops, so `predict` and `evaluate` work, and its floating-point initializers
/// are trainable parameters (batch-norm statistics and integer initializers are buffers), so
/// it can be fine-tuned with `fit` (gradients flow through the nodes computed with Lepton's
/// differentiable tensor ops; integer and host-computed nodes pass none).
///
/// ```swift
/// let model = try ONNXImporter.load(URL(fileURLWithPath: "cnn.onnx"))
/// let outputs = try model.run([x])          // every output, with its ONNX element type
/// let y = model.predict(x)                  // Keras-style, the first output
/// ```
public final class ONNXGraphModel: Model {
    /// The initializers' values, in file order (parameters and buffers of the model).
    public private(set) var initializers: [Tensor]
    /// The initializers' names in the graph, parallel to ``initializers``.
    public let initializerNames: [String]
    /// The initializers' declared element types.
    public let initializerTypes: [ONNXElementType]
    /// The inputs a caller supplies.
    public let inputSpecs: [ONNXTensorSpec]
    /// The graph's outputs.
    public let outputSpecs: [ONNXTensorSpec]
    /// The default operator-set version the graph was written for.
    public let opset: Int
    /// The nodes in execution order, as `(label, op type)`.
    public let nodes: [(label: String, opType: String)]
    private let program: ONNXProgram
    private let source: Onnx_ModelProto
    private let buffers: Set<String>

    init(proto: Onnx_ModelProto, graph: ONNXGraph, program: ONNXProgram, frozen: Set<String>) {
        source = proto
        self.program = program
        opset = graph.opset
        inputSpecs = graph.inputs
        outputSpecs = graph.outputs
        nodes = program.steps.map { ($0.label, $0.opType) }
        initializerNames = graph.initializers.map(\.name)
        initializerTypes = graph.initializers.map(\.value.elementType)
        initializers = graph.initializers.map(\.value.tensor)
        var buffers = Set<String>()
        for (i, (name, value)) in graph.initializers.enumerated() {
            if value.tensor.dtype == .float32 && !frozen.contains(name) {
                value.tensor.requiringGrad()
            } else {
                buffers.insert("initializers.\(i)")
            }
        }
        self.buffers = buffers
        super.init()
    }

    /// The initializers that are not trained: integer ones and batch-norm statistics.
    public override var bufferNames: Set<String> { buffers }

    /// Runs the graph on one tensor per input (in ``inputSpecs`` order) and returns every
    /// output. Records no gradients.
    /// - Throws: ``ONNXError`` for a wrong number of inputs, a wrong dtype or a shape the
    ///   graph's declared input shape refuses, or a node that cannot run on these values
    ///   (naming the node).
    public func run(_ inputs: [Tensor]) throws -> [ONNXValue] {
        try Tensor.withoutGrad { try execute(inputs) }
    }

    /// Runs the graph on inputs given by name; returns the outputs by name.
    /// - Throws: ``ONNXError`` for a missing or unknown input name, or as ``run(_:)``.
    public func run(named inputs: [String: Tensor]) throws -> [String: ONNXValue] {
        let unknown = inputs.keys.filter { name in !inputSpecs.contains { $0.name == name } }.sorted()
        guard unknown.isEmpty else {
            throw ONNXError("unknown input(s) \(unknown.joined(separator: ", ")); the model's inputs are "
                            + inputSpecs.map(\.name).joined(separator: ", "))
        }
        let ordered = try inputSpecs.map { spec -> Tensor in
            guard let t = inputs[spec.name] else { throw ONNXError("input '\(spec.name)' is missing (expected \(spec))") }
            return t
        }
        let outputs = try run(ordered)
        return Dictionary(uniqueKeysWithValues: zip(outputSpecs.map(\.name), outputs))
    }

    /// Runs the graph and lets `observe` see each node's outputs (their shapes for `inspect`).
    public func trace(_ inputs: [Tensor], observe: (String, [ONNXValue?]) -> Void) throws -> [ONNXValue] {
        try withoutActuallyEscaping(observe) { observe in
            try Tensor.withoutGrad {
                try program.run(inputs: checkedInputs(inputs), initializers: initializerValues) { observe($0.label, $1) }
            }
        }
    }

    /// The first output for a single-input graph, recording gradients (`fit` trains through
    /// it). A tensor of the other dtype is converted to the input's dtype.
    ///
    /// `forward` cannot throw: a value the graph refuses stops the program with the error's
    /// message. Call ``run(_:)`` to handle such errors.
    public override func forward(_ input: Tensor) -> Tensor {
        checkPrecondition(inputSpecs.count == 1, "ONNXGraphModel.forward: the graph has \(inputSpecs.count) inputs; call run(_:) with one tensor per input")
        let x = input.dtype == inputSpecs[0].dtype ? input : input.cast(to: inputSpecs[0].dtype)
        do {
            return try execute([x])[0].tensor
        } catch {
            fatalError("ONNXGraphModel.forward: \(error)")
        }
    }

    private func execute(_ inputs: [Tensor]) throws -> [ONNXValue] {
        try program.run(inputs: checkedInputs(inputs), initializers: initializerValues)
    }

    private var initializerValues: [ONNXValue] {
        zip(initializers, initializerTypes).map { ONNXValue($0, elementType: $1) }
    }

    private func checkedInputs(_ inputs: [Tensor]) throws -> [ONNXValue] {
        guard inputs.count == inputSpecs.count else {
            throw ONNXError("got \(inputs.count) input tensor(s), the model takes \(inputSpecs.count): "
                            + inputSpecs.map(\.description).joined(separator: "; "))
        }
        return try zip(inputSpecs, inputs).map { spec, t in
            guard t.dtype == spec.dtype else {
                throw ONNXError("is a \(t.dtype) tensor, expected \(spec.dtype) (\(spec.elementType))", context: "input '\(spec.name)'")
            }
            guard spec.accepts(shape: t.shape) else {
                throw ONNXError("has shape \(t.shape), expected \(spec.shape!) (-1: any size)", context: "input '\(spec.name)'")
            }
            return ONNXValue(t, elementType: spec.elementType).normalized()
        }
    }

    /// The model as an ONNX `ModelProto`, with the current initializer values (so a fine-tuned
    /// model is saved with its new weights).
    public var modelProto: Onnx_ModelProto {
        var model = source
        let current = Dictionary(uniqueKeysWithValues: zip(initializerNames, zip(initializers, initializerTypes)))
        model.graph.initializer = model.graph.initializer.map { old in
            // Integer initializers are never trained and keep their exact 64-bit values.
            guard let (tensor, type) = current[old.name], tensor.dtype == .float32 else { return old }
            var proto = Onnx_TensorProto(tensor, name: old.name, as: type)
            proto.docString = old.docString
            return proto
        }
        return model
    }

    /// Number of scalars in all initializers.
    public var initializerElementCount: Int { initializers.reduce(0) { $0 + $1.count } }
}
