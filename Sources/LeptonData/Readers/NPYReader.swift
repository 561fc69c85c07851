import Foundation
import LeptonFiles
import LeptonTensor

/// Reads NumPy `.npy` arrays and `.npz` archives (C order, little-endian; float32/float64 →
/// float32, int32/int64/uint8/bool → int32, int8 → int8). An int64 value outside the int32
/// range is an error, never silently wrapped. The header (``NPYHeader``) is checked against the
/// file's size before the tensor is allocated.
public enum NPYReader {
    /// Reads one `.npy` file.
    public static func read(_ url: URL) throws -> Tensor {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("file not found", source: url.path) }
        return try parse(try FileContents.read(url), source: url.lastPathComponent)
    }

    /// Reads every array of an `.npz` archive, by name (without `.npy`).
    public static func readArchive(_ url: URL) throws -> [String: Tensor] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("file not found", source: url.path) }
        let entries = try ZipArchive.entries(try FileContents.read(url), source: url.lastPathComponent)
        var out: [String: Tensor] = [:]
        for (name, data) in entries where name.hasSuffix(".npy") {
            out[String(name.dropLast(4))] = try parse(data, source: "\(url.lastPathComponent):\(name)")
        }
        return out
    }

    /// Parses `.npy` bytes.
    /// - Throws: ``DataError`` for a malformed or lying header (see ``NPYHeader/parse(_:fileSize:source:)``)
    ///   or an int64 element outside the int32 range.
    public static func parse(_ data: Data, source: String) throws -> Tensor {
        try data.withUnsafeBytes { raw in
            let header = try NPYHeader.parse(raw, fileSize: raw.count, source: source)
            let elements = UnsafeRawBufferPointer(rebasing: raw[header.dataOffset...])
            let type = header.elementType
            let tensor = Tensor(uninitializedShape: header.shape, dtype: NPYConversion.tensorType(of: type, features: false))
            try NPYConversion.convert(elements, type, count: header.count, into: tensor.storage.pointer, source: source)
            return tensor
        }
    }
}
