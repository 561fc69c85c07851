import Foundation

/// The entries of a zip archive (stored or deflated), enough for `.npz` files. Every size an
/// entry claims is checked against the archive's real size and ``maximumEntrySize`` before
/// anything is inflated, and inflation stops as soon as an entry passes the size it claims.
enum ZipArchive {
    /// The largest entry read (uncompressed).
    static let maximumEntrySize = 1 << 31
    /// The most output deflate can encode per input byte (zlib's limit is 1032:1).
    static let maximumDeflateRatio = 1032

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
            guard start + compressed <= b.count else {
                throw DataError("zip entry \(name) claims \(compressed) compressed bytes at offset \(start), past the end of the archive (\(b.count) bytes)",
                                source: source)
            }
            try checkClaimedSize(size, compressed: compressed, method: method, name: name, source: source)
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

    /// Refuses an entry whose uncompressed size no real entry of its compressed size could have,
    /// or that passes ``maximumEntrySize``.
    static func checkClaimedSize(_ size: Int, compressed: Int, method: Int, name: String, source: String) throws {
        guard size <= maximumEntrySize else {
            throw DataError("zip entry \(name) claims \(size) bytes, more than the \(maximumEntrySize) read (ZIP64 archives are not supported)",
                            source: source)
        }
        if method == 0, size != compressed {
            throw DataError("stored zip entry \(name) claims \(size) bytes but holds \(compressed)", source: source)
        }
        if method == 8, size > compressed * maximumDeflateRatio + 64 {
            throw DataError("zip entry \(name) claims \(size) bytes, more than its \(compressed) deflated bytes can hold", source: source)
        }
    }

    /// Inflates a raw deflate stream that must give exactly `expected` bytes, growing the output
    /// with what the stream really gives and stopping one byte past `expected`.
    static func inflateRaw(_ data: Data, expected: Int, source: String) throws -> Data {
        let inflater = try Inflater(data, windowBits: Inflater.raw, name: "deflate", source: source)
        var output: [UInt8] = []
        while !inflater.finished && output.count <= expected {
            try inflater.read(min(1 << 20, expected + 1 - output.count), appendingTo: &output)
        }
        guard output.count == expected, inflater.finished else {
            let given = output.count > expected ? "more than \(expected)" : "\(output.count)"
            throw DataError("deflate stream gives \(given) bytes, its zip entry claims \(expected)", source: source)
        }
        return Data(output)
    }
}
