import CZlib
import Foundation

/// A deflate stream (gzip, zlib or raw) inflated piece by piece: each ``read(into:count:)``
/// inflates only as many bytes as it is asked for, so a caller that needs the first bytes of a
/// file, or that stops at a size limit, never inflates the rest. The one inflate loop behind
/// ``Gzip/decompress(_:format:maximumSize:source:)``, IDX files and `.npz` entries.
final class Inflater {
    /// zlib's `windowBits` for a gzip stream, a zlib stream, and raw deflate (zip entries).
    static let gzip = 16 + MAX_WBITS, zlib = MAX_WBITS, raw = -MAX_WBITS

    private let input: Data
    /// Input bytes zlib has consumed.
    private var consumed = 0
    /// zlib keeps a pointer to its stream, so the stream lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let name: String
    private let source: String?
    /// Whether the stream has ended (nothing more to inflate).
    private(set) var finished = false
    /// Bytes inflated so far.
    private(set) var produced = 0

    /// - Parameters:
    ///   - name: the stream's kind in messages (`gzip`, `deflate`).
    /// - Throws: ``DataError`` when zlib cannot be initialised.
    init(_ input: Data, windowBits: Int32, name: String, source: String?) throws {
        self.input = input
        self.name = name
        self.source = source
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw DataError("could not initialise zlib", source: source)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates up to `count` bytes into `buffer`; returns how many it wrote, fewer than `count`
    /// only when the stream ended.
    /// - Throws: ``DataError`` for a corrupt or truncated stream.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        var written = 0
        let piece = 1 << 30   // zlib counts in 32 bits
        while written < count && !finished {
            try input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let available = min(raw.count - consumed, piece), room = min(count - written, piece)
                stream.pointee.next_in = raw.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) + consumed }
                stream.pointee.avail_in = UInt32(available)
                stream.pointee.next_out = (buffer + written).assumingMemoryBound(to: UInt8.self)
                stream.pointee.avail_out = UInt32(room)
                let status = inflate(stream, Z_NO_FLUSH)
                let took = available - Int(stream.pointee.avail_in), gave = room - Int(stream.pointee.avail_out)
                consumed += took
                written += gave
                switch status {
                case Z_STREAM_END:
                    finished = true
                case Z_OK, Z_BUF_ERROR:
                    if consumed == raw.count && stream.pointee.avail_out != 0 {
                        throw DataError("\(name): the stream is truncated", source: source)
                    }
                    if took == 0 && gave == 0 {
                        throw DataError("\(name): the stream is corrupt (zlib makes no progress)", source: source)
                    }
                default:
                    throw DataError("\(name): the stream is corrupt (zlib error \(status))", source: source)
                }
            }
        }
        produced += written
        return written
    }

    /// Inflates up to `count` more bytes and appends them to `output`; returns how many.
    @discardableResult
    func read(_ count: Int, appendingTo output: inout [UInt8]) throws -> Int {
        guard count > 0 else { return 0 }
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: count))
        let n = try output.withUnsafeMutableBytes { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return try read(into: base + start, count: count)
        }
        output.removeLast(count - n)
        return n
    }
}
