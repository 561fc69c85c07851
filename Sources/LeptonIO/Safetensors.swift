import Foundation
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
    /// - Throws: ``IOError`` naming the problem (truncation, a header length past the end, an
    ///   unknown dtype, offsets outside the data or not matching the shape, overlapping tensors).
    public static func decode(_ data: Data, file: String = "<data>") throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw IOError("file is \(data.count) bytes, too short for a safetensors header length", file: file) }
        let length = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        guard length <= UInt64(maximumHeaderBytes) else {
            throw IOError("header length \(length) exceeds the \(maximumHeaderBytes)-byte limit", file: file)
        }
        guard 8 + Int(length) <= data.count else {
            throw IOError("header length \(length) runs past the end of the file (\(data.count) bytes)", file: file)
        }
        let headerData = data.subdata(in: (data.startIndex + 8)..<(data.startIndex + 8 + Int(length)))
        guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw IOError("header is not a JSON object", file: file)
        }
        let base = 8 + Int(length)
        let available = data.count - base
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(Int, Int, String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw IOError("tensor '\(name)': entry needs dtype, shape and two data_offsets", file: file)
            }
            guard let dtype = dtypeNames.first(where: { $0.value == dtypeName })?.key else {
                throw IOError("tensor '\(name)': dtype \(dtypeName) is not supported (expected F32, I32 or I8)", file: file)
            }
            guard shape.allSatisfy({ $0 >= 0 }), shape.count <= 8 else {
                throw IOError("tensor '\(name)': shape \(shape) is not valid", file: file)
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= available else {
                throw IOError("tensor '\(name)': data_offsets [\(begin), \(end)] lie outside the \(available) bytes of data", file: file)
            }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard count != Int.max, count * dtype.byteSize == end - begin else {
                throw IOError("tensor '\(name)': shape \(shape) of \(dtypeName) needs \(count &* dtype.byteSize) bytes, data_offsets give \(end - begin)", file: file)
            }
            ranges.append((begin, end, name))
            let t = Tensor(uninitializedShape: shape, dtype: dtype)
            data.withUnsafeBytes { raw in
                t.storage.pointer.copyMemory(from: raw.baseAddress! + base + begin, byteCount: end - begin)
            }
            tensors[name] = t
        }
        ranges.sort { $0.0 < $1.0 }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.0 < a.1 {
            throw IOError("tensors '\(a.2)' and '\(b.2)' overlap in the data section", file: file)
        }
        return (tensors, metadata)
    }

    /// Writes atomically (a temporary file renamed into place).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try encode(tensors, metadata: metadata).write(to: url, options: .atomic)
    }

    /// Reads and validates a file.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard FileManager.default.fileExists(atPath: url.path) else { throw IOError("file not found", file: url.path) }
        return try decode(try Data(contentsOf: url, options: .alwaysMapped), file: url.path)
    }
}
