import ArgumentParser
import Foundation
import LeptonFiles
import LeptonIO
import LeptonONNX
import LeptonTensor

/// `lepton import MODEL.onnx --out DIR`: imports an ONNX model (refusing it with one line
/// naming every unsupported operator or the node that does not fit), checks it runs on a probe
/// input, and saves it as a model folder that `lepton predict`, `lepton inspect` and the model
/// server load.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import an ONNX model as a Lepton model folder.")

    @Argument(help: "The .onnx file.")
    var model: String

    @Option(help: "The model folder to write.")
    var out: String

    @Flag(help: "Replace a Lepton model folder already at --out (anything else there is never replaced).")
    var overwrite = false

    func run() throws {
        try OutputPath.checkNotEmpty(out, what: "--out")
        try OutputPath.checkFolder(URL(fileURLWithPath: out), kind: ModelFile.folderKind, overwrite: overwrite)
        let url = URL(fileURLWithPath: model)
        let imported = try ONNXImporter.load(url)
        let operators = Dictionary(imported.nodes.map { ($0.opType, 1) }, uniquingKeysWith: +)
        print("Imported \(model): \(imported.nodes.count) nodes, opset \(imported.opset), "
              + "\(ONNXInspector.grouped(imported.initializerElementCount)) parameters in \(imported.initializers.count) initializers")
        print("Operators: " + operators.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for spec in imported.inputSpecs { print("Input  \(spec)") }
        for spec in imported.outputSpecs { print("Output \(spec)") }
        if imported.inputSpecs.allSatisfy({ $0.shape != nil }) {
            let probe = imported.inputSpecs.map { Tensor.zeros($0.shape!.map { $0 < 0 ? 1 : $0 }, dtype: $0.dtype) }
            do {
                let outputs = try imported.run(probe)
                print("Probe run on zeros (variable dimensions 1): output shapes " + outputs.map { "\($0.shape)" }.joined(separator: ", "))
            } catch {
                print("warning: a probe run on zeros (variable dimensions 1) failed: \(error)")
            }
        }
        try ONNXModelFolder.save(imported, to: URL(fileURLWithPath: out), source: url.lastPathComponent, overwrite: overwrite)
        print("Saved to \(out)")
    }
}
