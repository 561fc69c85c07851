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

        var windowBits: Int32 { self == .gzip ? 16 + MAX_WBITS : MAX_WBITS }
        var name: String { self == .gzip ? "gzip" : "deflate" }
    }

    /// Whether `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Decompresses a gzip (or zlib) stream.
    ///
    /// - Parameters:
    ///   - format: the stream's wrapper.
    ///   - maximumSize: refuse to produce more than this many bytes (guards against hostile files).
    ///   - source: named in errors.
    /// - Throws: ``DataError`` for a truncated or corrupt stream, or one that inflates past `maximumSize`.
    public static func decompress(_ data: Data, format: Format = .gzip, maximumSize: Int = 1 << 31, source: String? = nil) throws -> Data {
        var stream = z_stream()
        let name = format.name
        guard inflateInit2_(&stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("could not initialise zlib", source: source)
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(input.count)
            repeat {
                try buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    guard status == Z_OK || status == Z_STREAM_END else {
                        let reason = status == Z_BUF_ERROR ? "the stream is truncated" : "the stream is corrupt (zlib error \(status))"
                        throw DataError("\(name): \(reason)", source: source)
                    }
                    output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
                }
                if output.count > maximumSize {
                    throw DataError("\(name): decompressed size exceeds \(maximumSize) bytes", source: source)
                }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw DataError("\(name): the stream is truncated", source: source)
                }
            } while status != Z_STREAM_END
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
