import CZlib
import Foundation
import LeptonTensor

/// Reads NumPy `.npy` arrays and `.npz` archives (C order, little-endian; float32/float64 →
/// float32, int32/int64/uint8/bool → int32, int8 → int8). An int64 value outside the int32
/// range is an error, never silently wrapped.
public enum NPYReader {
    /// Reads one `.npy` file.
    public static func read(_ url: URL) throws -> Tensor {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("file not found", source: url.path) }
        return try parse(try Data(contentsOf: url), source: url.lastPathComponent)
    }

    /// Reads every array of an `.npz` archive, by name (without `.npy`).
    public static func readArchive(_ url: URL) throws -> [String: Tensor] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("file not found", source: url.path) }
        let entries = try ZipArchive.entries(try Data(contentsOf: url), source: url.lastPathComponent)
        var out: [String: Tensor] = [:]
        for (name, data) in entries where name.hasSuffix(".npy") {
            out[String(name.dropLast(4))] = try parse(data, source: "\(url.lastPathComponent):\(name)")
        }
        return out
    }

    /// Parses `.npy` bytes.
    public static func parse(_ data: Data, source: String) throws -> Tensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw DataError("not an .npy file (missing the \\x93NUMPY magic)", source: source)
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else {
            guard bytes.count >= 12 else { throw DataError("truncated header", source: source) }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        }
        guard headerStart + headerLength <= bytes.count else {
            throw DataError("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)", source: source)
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let shapeText = field("shape", in: header) else {
            throw DataError("header lacks 'descr' or 'shape': \(header)", source: source)
        }
        if field("fortran_order", in: header) == "True" {
            throw DataError("Fortran-order arrays are not supported (save with C order)", source: source)
        }
        let shape = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let dims = Optional(shape.compactMap { Int($0) }), dims.count == shape.count, dims.allSatisfy({ $0 >= 0 }) else {
            throw DataError("shape \(shapeText) is not a tuple of non-negative integers", source: source)
        }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let sizes: [String: Int] = ["<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1, "|i1": 1, "|b1": 1]
        guard let size = sizes[type] else {
            throw DataError("dtype \(type) is not supported (expected one of \(sizes.keys.sorted().joined(separator: ", ")))", source: source)
        }
        let count = dims.reduce(1, *)
        let start = headerStart + headerLength
        guard bytes.count - start == count * size else {
            throw DataError("shape \(dims) of \(type) needs \(count * size) bytes of data, the file holds \(bytes.count - start)", source: source)
        }
        if type == "<i8" {
            let outside = bytes.withUnsafeBytes { raw in
                (0..<count).first { i in
                    let v = raw.loadUnaligned(fromByteOffset: start + i * 8, as: Int64.self)
                    return v < Int64(Int32.min) || v > Int64(Int32.max)
                }
            }
            if let i = outside {
                throw DataError("int64 element \(i) does not fit in int32 (Lepton reads integer arrays as int32)", source: source)
            }
        }
        return bytes.withUnsafeBytes { raw -> Tensor in
            let p = raw.baseAddress! + start
            switch type {
            case "<f4": return Tensor((0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }, shape: dims)
            case "<f8": return Tensor((0..<count).map { Float(p.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self)) }, shape: dims)
            case "<i4": return Tensor(int32: (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) }, shape: dims)
            case "<i8": return Tensor(int32: (0..<count).map { Int32(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }, shape: dims)
            case "|i1": return Tensor(int8: (0..<count).map { p.load(fromByteOffset: $0, as: Int8.self) }, shape: dims)
            default: return Tensor(int32: (0..<count).map { Int32(p.load(fromByteOffset: $0, as: UInt8.self)) }, shape: dims)
            }
        }
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, out = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if depth == 0 && (ch == "," || ch == "}") { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

/// The entries of a zip archive (stored or deflated), enough for `.npz` files.
enum ZipArchive {
    static func entries(_ data: Data, source: String) throws -> [(String, Data)] {
        let b = [UInt8](data)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
        guard b.count >= 22, let end = stride(from: b.count - 22, through: max(0, b.count - 65_557), by: -1)
            .first(where: { u32($0) == 0x0605_4B50 }) else {
            throw DataError("not a zip archive (no end-of-central-directory record)", source: source)
        }
        let total = u16(end + 10)
        var offset = u32(end + 16)
        var out: [(String, Data)] = []
        for _ in 0..<total {
            guard offset + 46 <= b.count, u32(offset) == 0x0201_4B50 else {
                throw DataError("corrupt zip central directory", source: source)
            }
            let method = u16(offset + 10), compressed = u32(offset + 20), size = u32(offset + 24)
            let nameLength = u16(offset + 28), extra = u16(offset + 30), comment = u16(offset + 32)
            let local = u32(offset + 42)
            guard offset + 46 + nameLength <= b.count else { throw DataError("corrupt zip entry name", source: source) }
            let name = String(decoding: b[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            guard local + 30 <= b.count, u32(local) == 0x0403_4B50 else { throw DataError("corrupt zip entry \(name)", source: source) }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start + compressed <= b.count, size <= 1 << 31 else {
                throw DataError("zip entry \(name) runs past the end of the archive", source: source)
            }
            let body = Data(b[start..<(start + compressed)])
            switch method {
            case 0: out.append((name, body))
            case 8: out.append((name, try inflateRaw(body, expected: size, source: "\(source):\(name)")))
            default: throw DataError("zip entry \(name) uses compression method \(method) (expected stored or deflate)", source: source)
            }
            offset += 46 + nameLength + extra + comment
        }
        return out
    }

    static func inflateRaw(_ data: Data, expected: Int, source: String) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("could not initialise zlib", source: source)
        }
        defer { inflateEnd(&stream) }
        var output = Data(count: expected)
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.bindMemory(to: UInt8.self).baseAddress
                stream.avail_out = UInt32(expected)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == expected else {
            throw DataError("deflate stream is corrupt or has the wrong size (zlib status \(status))", source: source)
        }
        return output
    }
}
