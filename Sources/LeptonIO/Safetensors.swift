import Foundation
import LeptonFiles
import LeptonTensor

/// The safetensors format (Hugging Face's public spec): an 8-byte little-endian header length,
/// a JSON header mapping each tensor name to `dtype`, `shape` and `data_offsets`, then the raw
/// little-endian data. Files written here are readable by other tools, and reading validates
/// every offset so a hostile file cannot make Lepton read out of bounds or allocate gigabytes.
public enum Safetensors {
    /// Largest header accepted (the spec's limit is 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    static let dtypeNames: [DType: String] = [.float32: "F32", .int32: "I32", .int8: "I8"]

    /// Encodes named tensors (sorted by name) with optional string metadata.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let sorted = tensors.sorted { $0.0 < $1.0 }
        for (name, t) in sorted {
            let bytes = t.count * t.dtype.byteSize
            header[name] = ["dtype": dtypeNames[t.dtype]!, "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // pad with spaces to 8-byte alignment
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in sorted {
            out.append(Data(bytes: t.storage.pointer, count: t.count * t.dtype.byteSize))
        }
        return out
    }

    /// Decodes a safetensors file's bytes into named tensors and metadata.
    ///
    /// The header is checked in full before any tensor is allocated: its length against the file
    /// and ``maximumHeaderBytes``, its JSON, each entry's dtype, shape and offsets, and that the
    /// tensors tile the data section exactly (no overlaps, gaps, truncation or trailing bytes).
    /// So a hostile file never makes the reader allocate more than the file's own size.
    /// - Throws: ``IOError`` naming the problem and, where there is one, the tensor.
    public static func decode(_ data: Data, file: String = "<data>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw IOError("file is \(data.count) bytes, too short for a safetensors header length", file: file) }
        let length = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        guard length <= UInt64(maximumHeaderBytes) else {
            throw IOError("header length \(length) exceeds the \(maximumHeaderBytes)-byte limit (not a safetensors file, or a corrupt one)", file: file)
        }
        guard 8 + Int(length) <= data.count else {
            throw IOError("header length \(length) runs past the end of the file (\(data.count) bytes)", file: file)
        }
        let base = data.startIndex + 8 + Int(length)
        let header = try SafetensorsHeader(json: data.subdata(in: (data.startIndex + 8)..<base),
                                           dataBytes: data.count - 8 - Int(length), file: file)
        var tensors: [String: Tensor] = [:]
        data.withUnsafeBytes { raw in
            for e in header.entries {
                let t = Tensor(uninitializedShape: e.shape, dtype: e.dtype)
                if e.end > e.begin {
                    t.storage.pointer.copyMemory(from: raw.baseAddress! + 8 + Int(length) + e.begin, byteCount: e.end - e.begin)
                }
                tensors[e.name] = t
            }
        }
        return (tensors, header.metadata)
    }

    /// Writes atomically (a temporary file renamed into place).
    /// - Throws: ``IOError`` naming the file when it cannot be written.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try FileWriter.write(try encode(tensors, metadata: metadata), to: url, atomically: true)
    }

    /// Reads and validates a file.
    /// - Throws: ``IOError`` for a missing or unreadable file, or any problem ``decode(_:file:)`` finds.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw IOError("file not found", file: url.path) }
        guard !isDirectory.boolValue else { throw IOError("is a folder, expected a safetensors file", file: url.path) }
        let data: Data
        do { data = try FileContents.read(url, mapped: true) } catch {
            throw IOError("cannot be read (\(error.localizedDescription))", file: url.path)
        }
        return try decode(data, file: url.path)
    }
}
