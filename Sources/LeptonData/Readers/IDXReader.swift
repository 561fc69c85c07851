import Foundation
import LeptonTensor

/// Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or not.
///
/// An IDX file is a 4-byte magic (`0, 0, type, rank`), `rank` big-endian 32-bit dimension
/// sizes, then the elements. Lepton reads unsigned-byte files (`type 0x08`), the type of every
/// MNIST-family file.
public enum IDXReader {
    /// The decoded contents of an IDX file.
    public struct Contents {
        /// Dimension sizes from the header.
        public let shape: [Int]
        /// The elements (unsigned bytes).
        public let bytes: [UInt8]
    }

    /// Reads and validates an IDX file.
    ///
    /// - Throws: ``DataError`` naming the file when it is missing, truncated, has a wrong magic
    ///   number or element type, or holds a different number of elements than its header says.
    public static func read(_ url: URL) throws -> Contents {
        let name = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataError("file not found (expected an IDX file, gzipped or not)", source: url.path)
        }
        var data = try Data(contentsOf: url)
        if Gzip.isGzip(data) { data = try Gzip.decompress(data, source: name) }
        return try parse(data, source: name)
    }

    /// Parses IDX bytes (already decompressed).
    public static func parse(_ data: Data, source: String) throws -> Contents {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else {
            throw DataError("file is \(bytes.count) bytes long, too short for an IDX header (expected at least 4)", source: source)
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(String(format: "bad magic number 0x%02X%02X%02X%02X (an IDX file starts with two zero bytes)",
                                   bytes[0], bytes[1], bytes[2], bytes[3]), source: source)
        }
        guard bytes[2] == 0x08 else {
            throw DataError(String(format: "element type 0x%02X is not supported (expected 0x08, unsigned byte)", bytes[2]), source: source)
        }
        let rank = Int(bytes[3])
        guard rank >= 1, rank <= 4 else {
            throw DataError("rank \(rank) is not supported (expected 1 to 4 dimensions)", source: source)
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError("file ends inside its header (\(bytes.count) bytes, header needs \(headerSize))", source: source)
        }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let count = shape.reduce(1, *)
        guard bytes.count - headerSize == count else {
            throw DataError("header declares shape \(shape) (\(count) elements) but the file holds \(bytes.count - headerSize) bytes of data",
                            source: source)
        }
        return Contents(shape: shape, bytes: Array(bytes[headerSize...]))
    }

    /// Reads an image file as float32 `[count, rows, columns]` holding the pixel values as stored
    /// (0–255): scaling belongs to the model (a `Rescaling` or `Normalization` layer), so a saved
    /// or served model takes the values the file holds.
    public static func readImages(_ url: URL) throws -> Tensor {
        let contents = try read(url)
        guard contents.shape.count == 3 else {
            throw DataError("expected an image file of rank 3 [count, rows, columns], got shape \(contents.shape)", source: url.path)
        }
        return Tensor(contents.bytes.map { Float($0) }, shape: contents.shape)
    }

    /// Reads a label file as int32 `[count]`, checking every label is below `classes`.
    public static func readLabels(_ url: URL, classes: Int = 10) throws -> Tensor {
        let contents = try read(url)
        guard contents.shape.count == 1 else {
            throw DataError("expected a label file of rank 1, got shape \(contents.shape)", source: url.path)
        }
        if let (i, bad) = contents.bytes.enumerated().first(where: { Int($0.1) >= classes }) {
            throw DataError("label \(bad) at index \(i) is out of range 0..<\(classes)", source: url.path)
        }
        return Tensor(int32: contents.bytes.map { Int32($0) }, shape: contents.shape)
    }
}
