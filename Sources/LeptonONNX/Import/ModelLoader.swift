import Foundation
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// A model ready to serve, whatever file it came from, with the names, element types and
/// shapes (`-1` for variable dimensions) of its inputs and outputs.
public struct LoadedModel: @unchecked Sendable {
    /// Where the model came from.
    public enum Format: String, Sendable {
        /// A Lepton model folder (`model.json` + `model.safetensors`).
        case lepton
        /// An `.onnx` file, imported on load.
        case onnx
        /// A folder written by `lepton import` (``ONNXModelFolder``).
        case importedONNX = "imported-onnx"
    }

    /// The model (an ``ONNXGraphModel`` for ONNX formats, a `Sequential` for Lepton folders).
    public let model: any TrainableModel
    /// Which kind of file the model was loaded from.
    public let format: Format
    /// The inputs a caller supplies, in order.
    public let inputs: [ONNXTensorSpec]
    /// The outputs, in order.
    public let outputs: [ONNXTensorSpec]

    /// Runs the model on one tensor per input, in evaluation mode and without gradients.
    /// A tensor of the other numeric dtype is converted to the input's dtype.
    /// - Throws: ``ONNXError`` for a wrong number of inputs, a shape the input spec refuses,
    ///   or (for ONNX graphs) a node that cannot run on these values.
    public func run(_ tensors: [Tensor]) throws -> [Tensor] {
        guard tensors.count == inputs.count else {
            throw ONNXError("got \(tensors.count) input tensor(s), the model takes \(inputs.count): "
                            + inputs.map(\.description).joined(separator: "; "))
        }
        let converted = zip(inputs, tensors).map { spec, t in t.dtype == spec.dtype ? t : t.cast(to: spec.dtype) }
        for (spec, t) in zip(inputs, converted) where !spec.accepts(shape: t.shape) {
            throw ONNXError("has shape \(t.shape), expected \(spec.shape!) (-1: any size)", context: "input '\(spec.name)'")
        }
        if let graph = model as? ONNXGraphModel {
            graph.eval()
            return try graph.run(converted).map(\.tensor)
        }
        guard converted[0].rank >= 1, converted[0].shape[0] > 0 else {
            throw ONNXError("expected at least one sample along axis 0, got shape \(converted[0].shape)", context: "input '\(inputs[0].name)'")
        }
        return [model.predict(converted[0], batchSize: 256)]
    }
}

/// The one loading seam for serving and the command line: a Lepton model folder, an
/// imported-ONNX folder, or an `.onnx` file.
///
/// ```swift
/// let loaded = try ModelLoader.load(URL(fileURLWithPath: "models/mnist-cnn"))
/// print(loaded.inputs)                       // [input: FLOAT [-1, 28, 28, 1]]
/// let y = try loaded.run([x])[0]
/// ```
public enum ModelLoader {
    /// Loads whatever model `url` holds.
    /// - Throws: ``ONNXError`` (or LeptonIO's `IOError` for a broken Lepton folder) naming the
    ///   file and what was expected.
    public static func load(_ url: URL) throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ONNXError("not found (expected a Lepton model folder, an imported-ONNX folder or an .onnx file)", context: url.path)
        }
        if !isDirectory.boolValue {
            let model = try ONNXImporter.load(url, forInference: true)
            return LoadedModel(model: model, format: .onnx, inputs: model.inputSpecs, outputs: model.outputSpecs)
        }
        switch ONNXModelFolder.format(of: url) {
        case ONNXModelFolder.formatName?:
            let model = try ONNXModelFolder.load(url, forInference: true)
            return LoadedModel(model: model, format: .importedONNX, inputs: model.inputSpecs, outputs: model.outputSpecs)
        case ModelFile.formatName?:
            return try loadLeptonFolder(url)
        case let other?:
            throw ONNXError("model.json has format \"\(other)\" (expected \"\(ModelFile.formatName)\" or \"\(ONNXModelFolder.formatName)\")",
                            context: url.path)
        case nil:
            throw ONNXError("model.json not found or not valid JSON (expected a Lepton model folder)", context: url.path)
        }
    }

    private static func loadLeptonFolder(_ url: URL) throws -> LoadedModel {
        let model = try ModelFile.load(from: url)
        let data = FileContents.read(atPath: url.appendingPathComponent(ModelFile.architectureName).path) ?? Data()
        let object = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        let dtypeName = object["input_dtype"] as? String ?? "float32"
        guard let dtype = DType(rawValue: dtypeName), dtype == .float32 || dtype == .int32 else {
            throw ONNXError("model.json: input_dtype \(dtypeName) cannot be a model input (expected float32 or int32)", context: url.path)
        }
        let type: ONNXElementType = dtype == .float32 ? .float : .int32
        guard let sample = object["input_shape"] as? [Int] else {
            return LoadedModel(model: model, format: .lepton, inputs: [ONNXTensorSpec(name: "input", elementType: type, shape: nil)],
                               outputs: [ONNXTensorSpec(name: "output", elementType: .float, shape: nil)])
        }
        // One zero sample gives the output shape (the model was built from the same shape on load).
        let probe = model.predict(Tensor.zeros([1] + sample, dtype: dtype))
        return LoadedModel(model: model, format: .lepton,
                           inputs: [ONNXTensorSpec(name: "input", elementType: type, shape: [-1] + sample)],
                           outputs: [ONNXTensorSpec(name: "output", elementType: probe.dtype == .int32 ? .int32 : .float,
                                                    shape: [-1] + probe.shape.dropFirst())])
    }
}
