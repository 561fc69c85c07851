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
    ///   when none is given; ``LeptonONNX/ONNXError`` for a model the exporter cannot express.
    public static func onnx(folder: URL, inputShape: [Int]? = nil) throws -> (model: Sequential, proto: Onnx_ModelProto) {
        QuantizedLayers.register()
        let model = try ModelFile.load(from: folder)
        guard let shape = inputShape ?? ModelFile.inputShape(in: folder) else {
            throw IOError("\(ModelFile.architectureName) records no input_shape; pass --input-shape (e.g. 28,28,1) to lepton export", file: folder.path)
        }
        let proto = try ONNXExporter(additionalConverters: QuantizedLayers.onnxConverters)
            .makeModel(model, inputShape: shape, inputDType: ModelFile.inputDType(in: folder), graphName: folder.lastPathComponent)
        return (model, proto)
    }
}
