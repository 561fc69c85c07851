import CZlib
import Foundation
import LeptonTensor

/// gzip and zlib streams through the system zlib.
public enum Gzip {
    /// The wrapper around the deflate data.
    public enum Format: Sendable {
        /// gzip (RFC 1952; HTTP `Content-Encoding: gzip`).
        case gzip
        /// zlib (RFC 1950; HTTP `Content-Encoding: deflate`).
        case zlib

        var windowBits: Int32 { self == .gzip ? Inflater.gzip : Inflater.zlib }
        var name: String { self == .gzip ? "gzip" : "deflate" }
    }

    /// Whether `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Decompresses a gzip (or zlib) stream, inflating it piece by piece and stopping as soon as
    /// the output passes `maximumSize` (a small hostile stream never inflates further).
    ///
    /// - Parameters:
    ///   - format: the stream's wrapper.
    ///   - maximumSize: refuse to produce more than this many bytes (guards against hostile files).
    ///   - source: named in errors.
    /// - Throws: ``DataError`` for a truncated or corrupt stream, or one that inflates past `maximumSize`.
    public static func decompress(_ data: Data, format: Format = .gzip, maximumSize: Int = 1 << 31, source: String? = nil) throws -> Data {
        let inflater = try Inflater(data, windowBits: format.windowBits, name: format.name, source: source)
        var output = Data()
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        let limit = max(0, maximumSize)
        while !inflater.finished {
            // At most one byte past the limit: enough to know the stream passes it.
            let want = min(piece.count, limit + 1 - output.count)
            let got = try piece.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return try inflater.read(into: base, count: want)
            }
            output.append(contentsOf: piece[..<got])
            if output.count > limit {
                throw DataError("\(format.name): decompressed size exceeds \(maximumSize) bytes", source: source)
            }
        }
        return output
    }

    /// The first bytes of a gzip stream of which `data` may hold only the start: at most `count`
    /// bytes, fewer when the stream (or the part of it given) ends first or turns out corrupt.
    /// For a look inside a compressed file without inflating all of it.
    public static func decompressedPrefix(_ data: Data, upTo count: Int) -> [UInt8] {
        guard count > 0, let inflater = try? Inflater(data, windowBits: Format.gzip.windowBits, name: "gzip", source: nil) else { return [] }
        var output: [UInt8] = []
        // In small pieces: a read that meets the end of the given bytes throws, losing its piece.
        while output.count < count, !inflater.finished {
            guard let got = try? inflater.read(min(4096, count - output.count), appendingTo: &output), got > 0 else { break }
        }
        return output
    }

    /// Compresses bytes into a gzip or zlib stream (HTTP `Content-Encoding: gzip` / `deflate`).
    public static func compress(_ data: Data, format: Format, level: Int32 = 6) -> Data {
        var stream = z_stream()
        let status = deflateInit2_(&stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        checkPrecondition(status == Z_OK, "zlib deflateInit2 failed with status \(status)")
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(data.count))))
        let produced = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                let result = deflate(&stream, Z_FINISH)
                checkPrecondition(result == Z_STREAM_END, "zlib deflate failed with status \(result)")
                return out.count - Int(stream.avail_out)
            }
        }
        output.count = produced
        return output
    }

    /// Compresses bytes into a zlib stream (as PNG's IDAT chunks use).
    public static func zlibCompress(_ data: Data, level: Int32 = 6) -> Data {
        var bound = compressBound(uLong(data.count))
        var output = Data(count: Int(bound))
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                compress2(out.bindMemory(to: Bytef.self).baseAddress, &bound,
                          input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), level)
            }
        }
        checkPrecondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.count = Int(bound)
        return output
    }

    /// CRC-32 of `data` (PNG chunks).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { UInt32(CZlib.crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }
}
