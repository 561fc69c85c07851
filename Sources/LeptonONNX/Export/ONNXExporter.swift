import Foundation
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Writes a ``LeptonTrain/Sequential`` model as an ONNX model (opset 17, IR version 8) that
/// onnxruntime and other ONNX runtimes run with the same results as Lepton.
///
/// The graph has one input `input` (`[batch, …inputShape]`, `FLOAT` or, for token and id
/// models, `INT32`) whose first axis is the symbolic `batch`, and one output `output`; a model
/// whose first layer is a `TextVectorization` takes sentences instead (`STRING [batch]`, opset 20
/// with ai.onnx.ml's `LabelEncoder`; see `TextVectorizationConverter`). The
/// weights are initializers named as in Lepton's state dictionary (`layers.0.kernel`). Layers
/// run in inference mode: dropout is left out and batch normalisation uses its running
/// statistics. Channels-last images (Lepton's default) are transposed around ONNX's
/// channels-first convolutions and pools, and back, so `Flatten` sees Lepton's element order.
///
/// ```swift
/// try ONNXExporter.export(model: model, inputShape: [28, 28, 1], to: URL(fileURLWithPath: "mnist.onnx"))
/// ```
public struct ONNXExporter {
    /// The ONNX operator set the graphs use.
    public static let opsetVersion: Int64 = 17
    /// The IR version written (the one that goes with opset 17).
    public static let irVersion: Int64 = 8
    /// The opset of a model that takes text (`StringSplit` and `StringConcat` are opset 20), its IR
    /// version, and the ai.onnx.ml opset of its `LabelEncoder`.
    public static let textOpsetVersion: Int64 = 20, textIRVersion: Int64 = 9, textMLOpsetVersion: Int64 = 2

    /// The converters for Lepton's own layers.
    public static let builtinConverters: [any ONNXLayerConverter] = [
        DenseConverter(), ActivationConverter(), ShapingConverter(), ConvConverter(), ConvTransposeConverter(),
        PoolingConverter(), NormalizationConverter(), EmbeddingConverter(), MatrixFactorizationConverter(),
        PositionEmbeddingConverter(), RecurrentConverter(), AttentionConverter(), PreprocessingConverter(),
        ImagePreprocessingConverter(), TextVectorizationConverter(), EmbeddingHeadConverter(),
    ]

    private let converters: [ObjectIdentifier: any ONNXLayerConverter]
    /// Names of the layer classes this exporter converts, sorted.
    public let supportedLayerNames: [String]

    /// An exporter for the built-in layers plus `additionalConverters` (which take precedence).
    public init(additionalConverters: [any ONNXLayerConverter] = []) {
        var table: [ObjectIdentifier: any ONNXLayerConverter] = [:]
        for converter in Self.builtinConverters + additionalConverters {
            for type in converter.layerTypes { table[ObjectIdentifier(type)] = converter }
        }
        converters = table
        supportedLayerNames = Set((Self.builtinConverters + additionalConverters).flatMap(\.layerTypes)
            .map { String(describing: $0) }).sorted()
    }

    /// Exports `model` to an ONNX file (written atomically).
    /// - Parameters:
    ///   - inputShape: one sample's shape, without the batch axis (`[28, 28, 1]`).
    ///   - inputDType: `.float32`, or `.int32` for token and id inputs.
    /// - Throws: ``ONNXError`` for an unsupported layer (naming its index and type), a bad input
    ///   description, or a file that cannot be written.
    public static func export(model: Sequential, inputShape: [Int], inputDType: DType = .float32, to url: URL) throws {
        try ONNXModelFile.write(ONNXExporter().makeModel(model, inputShape: inputShape, inputDType: inputDType), to: url)
    }

    /// The ONNX model of `model` (see ``export(model:inputShape:inputDType:to:)``).
    public static func export(model: Sequential, inputShape: [Int], inputDType: DType = .float32) throws -> Onnx_ModelProto {
        try ONNXExporter().makeModel(model, inputShape: inputShape, inputDType: inputDType)
    }

    /// Builds the ONNX model of `model`. Lazily sized layers are built by running one zero
    /// sample through the model in evaluation mode (its training mode is restored afterwards);
    /// the same run gives every layer's input and output shapes.
    /// - Throws: ``ONNXError`` naming the first layer that cannot be exported and why.
    public func makeModel(_ model: Sequential, inputShape: [Int], inputDType: DType = .float32,
                          graphName: String = "lepton") throws -> Onnx_ModelProto {
        guard inputShape.allSatisfy({ $0 > 0 }) else {
            throw ONNXError("input shape \(inputShape) must have positive dimensions (one sample, without the batch axis)")
        }
        let inputType: ONNXElementType
        switch inputDType {
        case .float32: inputType = .float
        case .int32: inputType = .int32
        default: throw ONNXError("input dtype \(inputDType) cannot be exported (expected float32 or int32)")
        }
        guard !model.layers.isEmpty else { throw ONNXError("the model has no layers; nothing to export") }
        for (index, layer) in model.layers.enumerated() where converters[ObjectIdentifier(type(of: layer))] == nil {
            throw ONNXError("no ONNX converter for \(type(of: layer)); the exporter supports "
                            + supportedLayerNames.joined(separator: ", "), context: "layer \(index) (\(type(of: layer)))")
        }
        // Registered layers are checked against the input before a sample runs through them, so a
        // shape that does not fit (`lepton export --input-shape`) is an error, not a stop.
        if model.layers.allSatisfy({ $0 is any ConfigurableLayer }) {
            do {
                try ShapeCheck.check(model.layers, input: try ShapeCheck.input(shape: inputShape, dtype: inputDType, path: "input shape"))
            } catch let error as ConfigError {
                throw ONNXError("the model does not take \(inputDType) [batch, \(inputShape.map(String.init).joined(separator: ", "))]: \(error)")
            }
        }

        if let index = model.maskUsingLayers(inputShape: inputShape, dtype: inputDType).first {
            throw ONNXError("it steps over the padding that an Embedding with mask_zero marks, and the exporter cannot express "
                            + "that mask in ONNX; export a model trained without mask_zero",
                            context: "layer \(index) (\(type(of: model.layers[index])))")
        }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // A model that takes text reads strings; its first layer makes the ids the rest take.
        let takesText = model.layers.first is TextVectorization
        let graph = ONNXGraphBuilder()
        graph.opsetVersion = takesText ? Self.textOpsetVersion : Self.opsetVersion
        var sample = Tensor.zeros([1] + inputShape, dtype: inputDType)
        var current = "input"
        for (index, layer) in model.layers.enumerated() {
            let output = Tensor.withoutGrad { layer(sample) }
            graph.scope = "layers.\(index)"
            let step = ONNXLayerStep(graph: graph, index: index, input: current, inputShape: Array(sample.shape.dropFirst()),
                                     outputShape: Array(output.shape.dropFirst()), layerName: String(describing: type(of: layer)),
                                     inputDType: sample.dtype)
            current = try converters[ObjectIdentifier(type(of: layer))]!.convert(layer, step)
            sample = output
        }
        let outputType: ONNXElementType = sample.dtype == .float32 ? .float : .int32
        var proto = Onnx_ModelProto()
        proto.irVersion = takesText ? Self.textIRVersion : Self.irVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = graph.opsetVersion
        proto.opsetImport = [opset]
        if takesText {
            var ml = Onnx_OperatorSetIdProto()
            ml.domain = "ai.onnx.ml"
            ml.version = Self.textMLOpsetVersion
            proto.opsetImport.append(ml)
        }
        proto.producerName = "lepton"
        proto.producerVersion = "1"
        proto.docString = "Lepton Sequential: " + model.layers.map { String(describing: type(of: $0)) }.joined(separator: " → ")
        proto.graph = graph.finish(input: "input", inputType: takesText ? .string : inputType,
                                   inputShape: takesText ? [nil] : [nil] + inputShape.map { $0 },
                                   output: current, outputType: outputType,
                                   outputShape: [nil] + sample.shape.dropFirst().map { $0 }, name: graphName)
        return proto
    }
}
