import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain

/// A Lepton model folder (`model.json` + `model.safetensors`, as ``ModelFile`` writes it) served
/// as an ``InferenceModel``: one input (the model's `input_shape` and `input_dtype`) and one output.
/// A model whose first layer is a `TextVectorization` takes sentences: its input is `BYTES` with
/// one UTF-8 text per row (V2 shape `[batch]`), which the layer turns into ids.
///
/// The model is put in evaluation mode once and only read afterwards, so forward passes may run
/// on several threads at once.
public final class LeptonInferenceModel: InferenceModel, @unchecked Sendable {
    /// `"lepton"`.
    public let platform = "lepton"
    /// The model's one input: `input_shape` and `input_dtype` of `model.json`.
    public let inputs: [TensorSpec]
    /// The model's one output, its shape found by a forward pass of one zero sample at load.
    public let outputs: [TensorSpec]
    private let model: Sequential
    private let inputDType: DType
    /// Allowed ranges of integer ids for models that start with an embedding lookup, per column.
    private let idRanges: [ClosedRange<Int32>]?
    /// The layer that turns a text model's sentences into ids.
    private let textVectorization: TextVectorization?

    /// Loads a model folder; the input and output are named by `config` or `input` / `output`.
    /// - Throws: LeptonONNX's `ONNXError` or LeptonIO's `IOError` for a bad model folder,
    ///   ``ServeError`` when `model.json` lacks the input shape.
    public init(folder: URL, config: ModelConfig) throws {
        // The one loading seam: reads model.json (input shape and dtype) and finds the output
        // shape with a forward pass of one zero sample.
        let loaded = try ModelLoader.load(folder)
        guard loaded.format == .lepton, let model = loaded.model as? Sequential else {
            throw ServeError.badRequest("\(folder.path) is not a Lepton model folder (\(loaded.format.rawValue))")
        }
        guard let shape = loaded.inputs[0].shape, let outputShape = loaded.outputs[0].shape else {
            throw ServeError.badRequest("\(ModelFile.architectureName) has no input_shape (save the model with ModelFile.save(_:to:inputShape:))")
        }
        let dims = Array(shape.dropFirst()), dtype = loaded.inputs[0].dtype
        model.eval()
        let inputNames = config.inputNames ?? ["input"]
        let outputNames = config.outputNames ?? ["output"]
        guard inputNames.count == 1, outputNames.count == 1 else {
            throw ServeError.badRequest("\(ModelConfig.fileName): a Lepton model has one input and one output, the config names \(inputNames.count) and \(outputNames.count)")
        }
        self.model = model
        inputDType = dtype
        textVectorization = model.textVectorization
        inputs = [textVectorization == nil ? TensorSpec(name: inputNames[0], datatype: V2DataType(dtype), dims: dims)
                                            : TensorSpec(name: inputNames[0], datatype: .bytes, dims: [])]
        outputs = [TensorSpec(name: outputNames[0], datatype: V2DataType(loaded.outputs[0].dtype), dims: Array(outputShape.dropFirst()))]
        switch model.layers.first {
        case let embedding as Embedding:
            idRanges = [0...Int32(clamping: Swift.max(embedding.vocabularySize - 1, 0))]
        case let factorization as MatrixFactorization:
            idRanges = [0...Int32(clamping: Swift.max(factorization.users, 0)), 0...Int32(clamping: Swift.max(factorization.items, 0))]
        default:
            idRanges = nil
        }
    }

    /// Runs the batch through the model without recording gradients.
    /// - Throws: ``ServeError`` (400) for ids outside an embedding table.
    public func infer(_ inputs: [String: V2Tensor]) throws -> [String: V2Tensor] {
        let spec = self.inputs[0]
        guard let input = inputs[spec.name] else { throw ServeError.badRequest("missing input '\(spec.name)'") }
        let x: Tensor
        if let textVectorization {
            x = textVectorization.encode(try Self.texts(input, name: spec.name))
        } else {
            x = try tensor(input)
        }
        let y = Tensor.withoutGrad { model(x) }
        let name = outputs[0].name
        let out = y.dtype == .int32 ? V2Tensor(name: name, int32s: y.int32Scalars, shape: y.shape)
                                    : V2Tensor(name: name, floats: y.scalars, shape: y.shape)
        return [name: out]
    }

    /// The UTF-8 texts of a `BYTES` input.
    /// - Throws: ``ServeError`` (400) naming the first element that is not UTF-8.
    static func texts(_ input: V2Tensor, name: String) throws -> [String] {
        guard case .strings(let elements) = input.elements else {
            throw ServeError.badRequest("input '\(name)': expected BYTES texts, got \(input.datatype.rawValue)")
        }
        return try elements.enumerated().map { k, bytes in
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ServeError.badRequest("input '\(name)': element \(k) is not UTF-8 text (\(bytes.count) bytes)")
            }
            return text
        }
    }

    /// A numeric input as a tensor of the model's input dtype, ids checked against the embedding tables.
    private func tensor(_ input: V2Tensor) throws -> Tensor {
        let spec = self.inputs[0]
        let x: Tensor
        switch inputDType {
        case .int32:
            let ids = input.typed(Int32.self)
            if let idRanges {
                for (k, id) in ids.enumerated() where !idRanges[k % idRanges.count].contains(id) {
                    let range = idRanges[k % idRanges.count]
                    throw ServeError.badRequest("input '\(spec.name)': id \(id) at element \(k) is outside \(range.lowerBound)...\(range.upperBound)")
                }
            }
            x = Tensor(int32: ids, shape: input.shape)
        default:
            x = Tensor(input.typed(Float.self), shape: input.shape)
        }
        return x
    }
}

/// Loads Lepton model folders: a version folder holding `model.json`.
public struct LeptonModelLoader: InferenceModelLoader {
    /// `"lepton"`.
    public let platform = "lepton"

    /// Creates the loader.
    public init() {}

    /// Whether the folder holds `model.json`.
    public func canLoad(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(ModelFile.architectureName).path)
    }

    /// Loads the folder as a ``LeptonInferenceModel``.
    public func load(_ folder: URL, config: ModelConfig) throws -> any InferenceModel {
        try LeptonInferenceModel(folder: folder, config: config)
    }
}
