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
        var shape: [Int]?
        if let inputShape {
            let dims = inputShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ConfigError("--input-shape: expected positive integers separated by commas (e.g. 28,28,1), got \"\(inputShape)\"")
            }
            shape = dims.map { $0! }
        }
        let (loaded, proto) = try ModelFolderExport.onnx(folder: URL(fileURLWithPath: model), inputShape: shape)
        try ONNXModelFile.write(proto, to: URL(fileURLWithPath: onnx), overwrite: overwrite)
        let dims = (shape ?? ModelFile.inputShape(in: URL(fileURLWithPath: model)) ?? []).map(String.init)
        let input = loaded.textVectorization != nil ? "input [batch] strings" : "input [batch, \(dims.joined(separator: ", "))]"
        print("Exported \(loaded.layers.count) layers to \(onnx): opset \(proto.opsetImport[0].version), "
              + "\(proto.graph.node.count) nodes, \(proto.graph.initializer.count) initializers, \(input)")
    }
}
