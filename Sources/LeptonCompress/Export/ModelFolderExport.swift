import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX

/// A saved model folder as an ONNX model: what `lepton export` writes and the platform's registry
/// serves as a version's ONNX download. Quantised layers export as QDQ.
public enum ModelFolderExport {
    /// The ONNX model of the Lepton model folder `folder`, for samples of `inputShape` (default:
    /// the `input_shape` its model.json records) of the recorded input type.
    /// - Returns: the loaded model and its ONNX form.
    /// - Throws: ``LeptonIO/IOError`` for a folder that is not a model or records no input shape
    ///   when none is given; ``LeptonONNX/ONNXError`` for a model the exporter cannot express;
    ///   ``CompressError`` for a model with dynamic int8 layers (no ONNX form here).
    public static func onnx(folder: URL, inputShape: [Int]? = nil) throws -> (model: Sequential, proto: Onnx_ModelProto) {
        QuantizedLayers.register()
        let model = try ModelFile.load(from: folder)
        let dynamic = model.layers.enumerated().filter {
            $0.element is DynamicInt8Layer || $0.element is QuantizedEmbedding
        }
        if let first = dynamic.first {
            throw CompressError("layer \(model.layerNames[first.offset]) (\(type(of: first.element))) is dynamically (or weight-only) "
                                + "quantised, which the ONNX export does not express; expected a float or statically quantised "
                                + "(--quantize int8) model — export the float model and quantise the ONNX file with "
                                + "onnxruntime.quantization.quantize_dynamic")
        }
        guard let shape = inputShape ?? ModelFile.inputShape(in: folder) else {
            throw IOError("\(ModelFile.architectureName) records no input_shape; pass --input-shape (e.g. 28,28,1) to lepton export", file: folder.path)
        }
        let proto = try ONNXExporter(additionalConverters: QuantizedLayers.onnxConverters)
            .makeModel(model, inputShape: shape, inputDType: ModelFile.inputDType(in: folder), graphName: folder.lastPathComponent)
        return (model, proto)
    }
}
