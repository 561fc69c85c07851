import Foundation
import LeptonFiles
import LeptonIO

/// An imported ONNX model saved as a Lepton model folder: `model.onnx` (the graph with its
/// current weights) and `model.json` (`"format": "lepton-onnx"`, the input and output specs,
/// the opset and the operators used), written to a staging folder and renamed into place.
///
/// ```swift
/// let model = try ONNXImporter.load(URL(fileURLWithPath: "resnet.onnx"))
/// try ONNXModelFolder.save(model, to: URL(fileURLWithPath: "models/resnet"))
/// let again = try ModelLoader.load(URL(fileURLWithPath: "models/resnet"))
/// ```
public enum ONNXModelFolder {
    /// The `format` value of `model.json` in an imported-ONNX folder.
    public static let formatName = "lepton-onnx"
    /// The graph file inside the folder.
    public static let graphName = "model.onnx"
    /// The description file inside the folder (the same name as Lepton's own model folders).
    public static let descriptionName = "model.json"

    /// Saves `model` (with its current initializer values) as a folder.
    /// - Parameter overwrite: whether a Lepton model folder already at `url` may be replaced;
    ///   anything else there is never replaced.
    /// - Throws: ``ONNXError`` when something else stands at `url` or the folder cannot be written.
    public static func save(_ model: ONNXGraphModel, to url: URL, source: String? = nil, overwrite: Bool = true) throws {
        let description = Description(
            format: formatName, version: 1, opset: model.opset, source: source,
            inputs: model.inputSpecs.map(Description.Spec.init), outputs: model.outputSpecs.map(Description.Spec.init),
            operators: Array(Set(model.nodes.map(\.opType))).sorted(), nodes: model.nodes.count,
            initializerElements: model.initializerElementCount)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let json = try encoder.encode(description)
            try AtomicFolder.write(url, kind: ModelFile.folderKind, overwrite: overwrite) { staging in
                try FileWriter.write(json, to: staging.appendingPathComponent(descriptionName))
                try ONNXModelFile.write(model.modelProto, to: staging.appendingPathComponent(graphName))
            }
        } catch let error as ONNXError {
            throw error
        } catch let error as IOError {
            throw ONNXError("cannot write the model folder (\(error.description))", context: url.path)
        } catch {
            throw ONNXError("cannot write the model folder (\(error.localizedDescription))", context: url.path)
        }
    }

    /// Whether `url` is a folder whose `model.json` declares the `lepton-onnx` format.
    public static func isImportedFolder(_ url: URL) -> Bool {
        format(of: url) == formatName
    }

    /// The `format` field of a folder's `model.json`, nil when there is none.
    static func format(of url: URL) -> String? {
        guard let data = FileContents.read(atPath: url.appendingPathComponent(descriptionName).path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["format"] as? String
    }

    /// Loads an imported-ONNX folder (`forInference`: see ``ONNXImporter/load(_:forInference:)``).
    /// - Throws: ``ONNXError`` for a missing or malformed graph file.
    public static func load(_ url: URL, forInference: Bool = false) throws -> ONNXGraphModel {
        try ONNXImporter.load(url.appendingPathComponent(graphName), forInference: forInference)
    }

    /// The contents of `model.json`.
    struct Description: Codable {
        struct Spec: Codable {
            var name: String
            var type: String
            /// Dimensions, -1 for variable ones; nil when the graph declares no shape.
            var shape: [Int]?
            init(_ spec: ONNXTensorSpec) {
                name = spec.name
                type = spec.elementType.description
                shape = spec.shape
            }
        }
        var format: String
        var version: Int
        var opset: Int
        var source: String?
        var inputs: [Spec]
        var outputs: [Spec]
        var operators: [String]
        var nodes: Int
        var initializerElements: Int
    }
}
