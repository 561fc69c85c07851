import Foundation
import LeptonTensor

/// The checked header of a safetensors file: every entry's dtype, shape and byte range, validated
/// against the size of the data section before a single tensor is allocated, so that a truncated,
/// corrupt or hostile file is rejected with an error naming the problem and never makes the reader
/// allocate more than the file holds.
struct SafetensorsHeader {
    /// One tensor's entry.
    struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    let entries: [Entry]
    let metadata: [String: String]

    /// Parses and validates `json` for a data section of `dataBytes` bytes.
    init(json: Data, dataBytes: Int, file: String) throws {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json) } catch {
            throw IOError("header is not valid JSON (\(json.count) bytes)", file: file)
        }
        guard let header = object as? [String: Any] else {
            throw IOError("header is not a JSON object of tensor entries", file: file)
        }
        if let duplicate = Self.duplicateTopLevelKey(json) {
            throw IOError("header names tensor '\(duplicate)' more than once", file: file)
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any], let strings = m as? [String: String], strings.count == m.count else {
                    throw IOError("__metadata__ must map strings to strings", file: file)
                }
                metadata = strings
                continue
            }
            entries.append(try Self.entry(name, value, file: file))
        }
        try Self.checkLayout(entries, dataBytes: dataBytes, file: file)
        self.entries = entries
        self.metadata = metadata
    }

    /// One entry, checked on its own: a known dtype, a valid shape, offsets that fit that shape.
    private static func entry(_ name: String, _ value: Any, file: String) throws -> Entry {
        guard let entry = value as? [String: Any] else {
            throw IOError("tensor '\(name)': entry must be an object with dtype, shape and data_offsets", file: file)
        }
        guard let dtypeName = entry["dtype"] as? String else {
            throw IOError("tensor '\(name)': dtype is missing or not a string", file: file)
        }
        guard let dtype = Safetensors.dtypeNames.first(where: { $0.value == dtypeName })?.key else {
            throw IOError("tensor '\(name)': dtype \(dtypeName) is not supported (expected F32, I32 or I8)", file: file)
        }
        guard let shape = integers(entry["shape"]) else {
            throw IOError("tensor '\(name)': shape must be a list of integers", file: file)
        }
        guard shape.count <= 8 else {
            throw IOError("tensor '\(name)': shape \(shape) has \(shape.count) dimensions (at most 8 are supported)", file: file)
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw IOError("tensor '\(name)': shape \(shape) has a negative dimension", file: file)
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
            throw IOError("tensor '\(name)': data_offsets must be two integers [begin, end]", file: file)
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, end >= begin else {
            throw IOError("tensor '\(name)': data_offsets [\(begin), \(end)] are not a range (need 0 ≤ begin ≤ end)", file: file)
        }
        var bytes = dtype.byteSize, overflow = false
        for d in shape where !overflow { (bytes, overflow) = bytes.multipliedReportingOverflow(by: d) }
        guard !overflow else {
            throw IOError("tensor '\(name)': shape \(shape) of \(dtypeName) is too large to address", file: file)
        }
        guard bytes == end - begin else {
            throw IOError("tensor '\(name)': shape \(shape) of \(dtypeName) needs \(bytes) bytes, data_offsets [\(begin), \(end)] give \(end - begin)", file: file)
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// The tensors must tile the data section exactly, as the reference implementation requires:
    /// sorted by offset, each starts where the previous ended, and the last ends at the end of the file.
    private static func checkLayout(_ entries: [Entry], dataBytes: Int, file: String) throws {
        let sorted = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0, previous: String?
        for e in sorted {
            if e.begin < position {
                throw IOError("tensors '\(previous!)' and '\(e.name)' overlap in the data section (byte \(e.begin))", file: file)
            }
            if e.begin > position {
                throw IOError("bytes \(position)..<\(e.begin) of the data section belong to no tensor (before '\(e.name)')", file: file)
            }
            if e.end > dataBytes {
                throw IOError("tensor '\(e.name)': data_offsets [\(e.begin), \(e.end)] run past the end of the data "
                              + "(\(dataBytes) bytes; the file is truncated or the offsets are wrong)", file: file)
            }
            position = e.end
            previous = e.name
        }
        if position != dataBytes {
            throw IOError("the data section has \(dataBytes) bytes but the tensors cover \(position)", file: file)
        }
    }

    /// A JSON array of integers. JSONSerialization gives NSNumbers; those parsed from a float
    /// (`"d"`) or a boolean (`"c"`), and integers beyond `Int`, are refused.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for item in array {
            guard let n = item as? NSNumber, "iqlsIQLS".contains(String(cString: n.objCType)), let i = item as? Int else {
                return nil
            }
            out.append(i)
        }
        return out
    }

    /// The first key that appears twice at the top level of a JSON object (JSONSerialization
    /// silently keeps one of them), found with a small scanner over strings and nesting.
    static func duplicateTopLevelKey(_ json: Data) -> String? {
        let bytes = [UInt8](json)
        var seen: Set<String> = [], depth = 0, i = 0
        var expectingKey = false
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if depth == 1 && expectingKey {
                    let raw = Data(bytes[start..<min(i, bytes.count)])
                    // Decode escapes the way the parser does, so "a" and "\u0061" count as the same name.
                    let key = (try? JSONSerialization.jsonObject(with: Data("[\"".utf8) + raw + Data("\"]".utf8)) as? [String])?.first
                        ?? String(decoding: raw, as: UTF8.self)
                    if !seen.insert(key).inserted { return key }
                    expectingKey = false
                }
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
                expectingKey = depth == 1 && c == UInt8(ascii: "{")
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
            } else if c == UInt8(ascii: ",") && depth == 1 {
                expectingKey = true
            }
            i += 1
        }
        return nil
    }
}
