import ArgumentParser
import Foundation
import LeptonCompress
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain

/// `lepton export MODEL --onnx OUT.onnx`: writes a saved model as an ONNX model (opset 17) with
/// a dynamic batch axis, for onnxruntime and other ONNX runtimes.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a saved model folder to ONNX (opset 17, dynamic batch axis).")

    @Argument(help: "A saved model folder (model.json + model.safetensors).")
    var model: String

    @Option(help: "The ONNX file to write.")
    var onnx: String

    @Flag(help: "Replace a file already at --onnx (a folder, a device or a link there is never replaced).")
    var overwrite = false

    @Option(help: "One sample's shape without the batch axis, e.g. 28,28,1 (default: the input_shape in model.json).")
    var inputShape: String?

    func run() throws {
        try OutputPath.checkNotEmpty(onnx, what: "--onnx")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IOError("not found or not a folder (expected a Lepton model folder with model.json and model.safetensors)", file: model)
        }
        let loaded = try ModelFile.load(from: URL(fileURLWithPath: model))
        let shape: [Int]
        if let inputShape {
            let dims = inputShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ConfigError("--input-shape: expected positive integers separated by commas (e.g. 28,28,1), got \"\(inputShape)\"")
            }
            shape = dims.map { $0! }
        } else if let recorded = ModelInspector.inputShape(model) {
            shape = recorded
        } else {
            throw IOError("\(ModelFile.architectureName) records no input_shape; pass --input-shape (e.g. 28,28,1)", file: model)
        }
        let proto = try ONNXExporter(additionalConverters: QuantizedLayers.onnxConverters).makeModel(loaded, inputShape: shape, inputDType: ModelInspector.inputDType(model),
                                                 graphName: URL(fileURLWithPath: model).lastPathComponent)
        try ONNXModelFile.write(proto, to: URL(fileURLWithPath: onnx), overwrite: overwrite)
        let input = loaded.textVectorization != nil ? "input [batch] strings" : "input [batch, \(shape.map(String.init).joined(separator: ", "))]"
        print("Exported \(loaded.layers.count) layers to \(onnx): opset \(proto.opsetImport[0].version), "
              + "\(proto.graph.node.count) nodes, \(proto.graph.initializer.count) initializers, \(input)")
    }
}
