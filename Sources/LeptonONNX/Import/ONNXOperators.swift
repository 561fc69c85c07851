/// One node made ready to run: the element types of its outputs (known at import, so the next
/// nodes can be checked) and the function computing them.
struct ONNXKernel {
    /// One element type per node output (the value for an unused output is ignored).
    var outputTypes: [ONNXElementType]
    /// Computes the outputs from the inputs (nil where an optional input is left out). Returns
    /// at least as many values as the last used output's position; checks shapes and values and
    /// throws ``ONNXError`` (the executor adds the node's name) instead of letting an op stop.
    var run: ([ONNXValue?]) throws -> [ONNXValue]

    init(outputTypes: [ONNXElementType], run: @escaping ([ONNXValue?]) throws -> [ONNXValue]) {
        self.outputTypes = outputTypes
        self.run = run
    }

    /// A kernel with one output.
    init(_ type: ONNXElementType, run: @escaping ([ONNXValue?]) throws -> ONNXValue) {
        self.outputTypes = [type]
        self.run = { [try run($0)] }
    }
}

/// Builds the kernel of one node at import time, validating its attributes and input types.
typealias ONNXKernelBuilder = (ONNXNodeContext) throws -> ONNXKernel

/// The operator table: every ONNX operator (default domain) Lepton imports, by type name.
/// One extension per op family (`Import/Ops/*.swift`) contributes its builders.
public enum ONNXOperators {
    static let table: [String: ONNXKernelBuilder] = {
        var table: [String: ONNXKernelBuilder] = [:]
        for family in [elementwise, activations, logical, shapeOps, slicing, indexing, reductions, linearAlgebra,
                       convolution, pooling, normalization, recurrent, losses, generators, cumulative, attention, resize, gridSample,
                       quantization, sequenceModels, signal, controlFlow, image, miscellaneous,
                       detection] {
            table.merge(family) { first, _ in first }
        }
        return table
    }()

    /// The operator types Lepton imports, sorted.
    public static var supported: [String] { table.keys.sorted() }

    /// Whether `opType` (default domain) is implemented.
    public static func isSupported(_ opType: String) -> Bool { table[opType] != nil }
}
