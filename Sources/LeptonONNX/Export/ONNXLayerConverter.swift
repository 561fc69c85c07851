import LeptonNN
import LeptonTensor

/// Converts one family of Lepton layers into ONNX nodes. ``ONNXExporter`` picks the converter
/// by the layer's exact class; pass your own to ``ONNXExporter/init(additionalConverters:)`` to
/// export custom layers.
///
/// ```swift
/// struct ScaleConverter: ONNXLayerConverter {
///     let layerTypes: [Module.Type] = [Scale.self]
///     func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
///         let g = step.graph
///         return g.node("Mul", [step.input, g.scalar((layer as! Scale).factor, name: "factor")])
///     }
/// }
/// ```
public protocol ONNXLayerConverter: Sendable {
    /// The layer classes this converter handles (matched exactly, not by subclass).
    var layerTypes: [Module.Type] { get }
    /// Appends the nodes that compute `layer` on `step.input` and returns the result's name.
    /// - Throws: ``ONNXError`` (made with ``ONNXLayerStep/error(_:)``) for a configuration
    ///   that has no exact ONNX equivalent.
    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String
}

/// What a converter knows about the layer it converts: where it sits, its input value and the
/// shapes Lepton computed for one sample (without the batch axis, which is dynamic in the graph).
public struct ONNXLayerStep {
    /// The graph being built (its ``ONNXGraphBuilder/scope`` is `layers.<index>`).
    public let graph: ONNXGraphBuilder
    /// The layer's position in the model.
    public let index: Int
    /// The name of the layer's input value.
    public let input: String
    /// The input's shape without the batch axis.
    public let inputShape: [Int]
    /// The output's shape without the batch axis.
    public let outputShape: [Int]
    /// The layer's type name, for messages.
    public let layerName: String
    /// The input's element type.
    public let inputDType: DType

    /// Creates a step (the exporter does this for every layer).
    public init(graph: ONNXGraphBuilder, index: Int, input: String, inputShape: [Int], outputShape: [Int], layerName: String,
                inputDType: DType = .float32) {
        self.inputDType = inputDType
        self.graph = graph
        self.index = index
        self.input = input
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.layerName = layerName
    }

    /// `layer 3 (Conv2D)`.
    public var context: String { "layer \(index) (\(layerName))" }

    /// An error about this layer: `layer 3 (Conv2D): message`.
    public func error(_ message: String) -> ONNXError { ONNXError(message, context: context) }

    /// The input's rank including the batch axis.
    public var inputRank: Int { inputShape.count + 1 }

    /// Whether the input holds integers (token ids, pixel bytes) rather than floats.
    public var inputIsInteger: Bool { inputDType != .float32 }
}
