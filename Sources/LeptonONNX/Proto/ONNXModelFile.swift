import Foundation
import LeptonFiles
import SwiftProtobuf

/// Reading and writing `.onnx` files (a serialized `ModelProto`).
public enum ONNXModelFile {
    /// Files larger than this are refused before being read (protobuf's own 2 GiB limit).
    public static let maximumFileSize = Int(Int32.max)

    /// Reads and parses a model.
    /// - Throws: ``ONNXError`` naming the file for a missing, oversize, truncated or malformed
    ///   file, or one with no graph.
    public static func read(_ url: URL) throws -> Onnx_ModelProto {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
            throw ONNXError("file not found (expected an ONNX model file)", context: url.path)
        }
        guard size <= maximumFileSize else {
            throw ONNXError("file is \(size) bytes; ONNX models are limited to \(maximumFileSize) bytes", context: url.path)
        }
        let data: Data
        do { data = try FileContents.read(url) } catch {
            throw ONNXError("cannot read the file (\(error.localizedDescription))", context: url.path)
        }
        return try parse(data, context: url.path)
    }

    /// Parses a serialized `ModelProto`.
    /// - Throws: ``ONNXError`` for bytes that are not a valid protobuf model or a model without a graph.
    public static func parse(_ data: Data, context: String = "<data>") throws -> Onnx_ModelProto {
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw ONNXError("not a valid ONNX model (protobuf decoding failed: \(error))", context: context)
        }
        guard model.hasGraph else {
            throw ONNXError("the model has no graph (expected an ONNX ModelProto with a graph)", context: context)
        }
        return model
    }

    /// Writes a model atomically (a temporary file renamed into place).
    /// - Parameter overwrite: whether a regular file already at `url` may be replaced; a device,
    ///   a FIFO, a link or a folder there is never replaced.
    /// - Throws: ``ONNXError`` naming the file when something else stands there or it cannot be written.
    public static func write(_ model: Onnx_ModelProto, to url: URL, overwrite: Bool = true) throws {
        do {
            try OutputPath.checkFile(url, overwrite: overwrite)
        } catch let error as OutputPathError {
            throw ONNXError(error.message, context: error.path)
        }
        let data: Data
        do { data = try model.serializedData() } catch {
            throw ONNXError("cannot serialize the model (\(error))", context: url.path)
        }
        do { try data.write(to: url, options: .atomic) } catch {
            throw ONNXError("cannot write the file (\(error.localizedDescription))", context: url.path)
        }
    }
}
