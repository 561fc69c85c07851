import ArgumentParser
import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain

/// `lepton inspect FILE`: what a model file holds. For an `.onnx` file or an imported-ONNX
/// folder: inputs, outputs, every node with its output shape and parameters, the operators,
/// and whether Lepton imports it; for a Lepton model folder: the layer table; for a
/// `.safetensors` file: every tensor's dtype, shape and size. Always the file sizes.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe an .onnx file, a model folder or a .safetensors file.")

    @Argument(help: "An .onnx file, a Lepton or imported-ONNX model folder, or a .safetensors file.")
    var path: String

    func run() throws {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ONNXError("not found (expected an .onnx file, a model folder or a .safetensors file)", context: path)
        }
        if isDirectory.boolValue {
            try inspectFolder(url)
        } else if path.hasSuffix(".safetensors") {
            try inspectSafetensors(url)
        } else {
            let model = try ONNXModelFile.read(url)
            print(ONNXInspector.describe(model, name: path, fileSize: fileSize(url)))
        }
    }

    private func fileSize(_ url: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
    }

    private func inspectFolder(_ url: URL) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path).sorted()) ?? []
        let sizes = files.map { ($0, fileSize(url.appendingPathComponent($0)) ?? 0) }
        print("\(path): model folder, " + sizes.map { "\($0.0) \(ONNXInspector.byteCount($0.1))" }.joined(separator: ", "))
        if ONNXModelFolder.isImportedFolder(url) {
            let graph = url.appendingPathComponent(ONNXModelFolder.graphName)
            print(ONNXInspector.describe(try ONNXModelFile.read(graph), name: graph.path, fileSize: fileSize(graph)))
            return
        }
        let loaded = try ModelLoader.load(url)
        if let text = (loaded.model as? Sequential)?.textVectorization {
            // What lepton predict, serve (V2 BYTES) and the ONNX export take: sentences.
            print("Input  \(loaded.inputs.first?.name ?? "input"): STRING [-1] (one text per row; TextVectorization makes "
                  + "\(text.outputSequenceLength) ids of a \(text.vocabulary.count)-word vocabulary)")
        } else {
            for spec in loaded.inputs { print("Input  \(spec)") }
        }
        for spec in loaded.outputs { print("Output \(spec)") }
        let sample = loaded.inputs.first?.shape.map { Array($0.dropFirst()) }
        if let sequential = loaded.model as? Sequential {
            print(sequential.summary(inputShape: sample, dtype: loaded.inputs.first?.dtype ?? .float32), terminator: "")
            print(Self.weightsByDType(sequential))
            let metadata = (try? Safetensors.read(url.appendingPathComponent(ModelFile.weightsName)).metadata) ?? [:]
            print(Self.sparsity(sequential, storedSparse: SparseStorage.names(in: metadata)))
        }
    }

    /// `Weights: int8 692,352 (676.1 KB), float32 …`: the model's stored tensors by element type
    /// (a compressed model shows its int8 layers here).
    static func weightsByDType(_ model: Module) -> String {
        var elements: [DType: Int] = [:]
        for (_, tensor) in model.stateDict() { elements[tensor.dtype, default: 0] += tensor.count }
        return "Weights: " + DType.allCases.compactMap { dtype in
            elements[dtype].map { "\(dtype.rawValue) \(ONNXInspector.grouped($0)) (\(ONNXInspector.byteCount($0 * dtype.byteSize)))" }
        }.joined(separator: ", ")
    }

    /// `Sparsity: 213,043 of 269,322 weights are zero (79.1 %); stored sparse: 3 tensors (dense.kernel, …)`.
    static func sparsity(_ model: Module, storedSparse: [String]) -> String {
        var zeros = 0, total = 0
        for (_, tensor) in model.stateDict() where tensor.dtype != .int32 {
            zeros += SparseStorage.zeroCount(of: tensor)
            total += tensor.count
        }
        let percent = total > 0 ? String(format: "%.1f", 100 * Double(zeros) / Double(total)) : "0.0"
        let stored = storedSparse.isEmpty ? "stored dense"
            : "stored sparse: \(storedSparse.count) tensor\(storedSparse.count == 1 ? "" : "s") (\(storedSparse.joined(separator: ", ")))"
        return "Sparsity: \(ONNXInspector.grouped(zeros)) of \(ONNXInspector.grouped(total)) weights are zero (\(percent) %); \(stored)"
    }

    private func inspectSafetensors(_ url: URL) throws {
        let (tensors, metadata) = try Safetensors.read(url)
        print("\(path): safetensors, \(ONNXInspector.byteCount(fileSize(url) ?? 0)), \(tensors.count) tensors, "
              + "\(ONNXInspector.grouped(tensors.values.reduce(0) { $0 + $1.count })) parameters")
        if !metadata.isEmpty { print("Metadata: " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        var rows = [["name", "dtype", "shape", "elements"]]
        for (name, t) in tensors.sorted(by: { $0.key < $1.key }) {
            rows.append([name, t.dtype.rawValue, "\(t.shape)", ONNXInspector.grouped(t.count)])
        }
        ONNXInspector.table(rows).forEach { print("  " + $0) }
    }
}
