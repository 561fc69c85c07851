import Foundation
import LeptonTensor

/// Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or not.
///
/// An IDX file is a 4-byte magic (`0, 0, type, rank`), `rank` big-endian 32-bit dimension
/// sizes, then the elements. Lepton reads unsigned-byte files (`type 0x08`), the type of every
/// MNIST-family file. The header is checked (an element count that overflows, more elements
/// than ``maximumSize``) before anything is allocated, and a gzipped file is inflated only as far
/// as the items asked for: with a `limit`, a small file that would inflate to gigabytes stays small.
///
/// ```swift
/// let firstTen = try IDXReader.readImages(url, limit: 10)   // [10, 28, 28], the rest never inflated
/// ```
public enum IDXReader {
    /// The most elements read from one file (2 GiB of bytes).
    public static let maximumSize = 1 << 31

    /// The decoded contents of an IDX file.
    public struct Contents {
        /// Dimension sizes from the header (the first one cut to the items read, with a limit).
        public let shape: [Int]
        /// The elements (unsigned bytes).
        public let bytes: [UInt8]
    }

    /// Reads and validates an IDX file.
    ///
    /// - Parameter limit: read only the first `limit` items (along the first dimension); the rest
    ///   of a gzipped file is not inflated, so only its header and these items are checked.
    /// - Throws: ``DataError`` naming the file when it is missing, truncated, has a wrong magic
    ///   number or element type, declares more elements than ``maximumSize`` (or than an `Int`
    ///   counts), or holds a different number of elements than its header says.
    public static func read(_ url: URL, limit: Int? = nil) throws -> Contents {
        let name = url.lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError("file not found (expected an IDX file, gzipped or not)", source: url.path)
        }
        guard !isDirectory.boolValue else { throw DataError("is a folder (expected an IDX file, gzipped or not)", source: url.path) }
        return try parse(try IDXBytes(url: url, source: name), source: name, limit: limit)
    }

    /// Parses IDX bytes (already decompressed).
    public static func parse(_ data: Data, source: String, limit: Int? = nil) throws -> Contents {
        try parse(IDXBytes(data: data), source: source, limit: limit)
    }

    static func parse(_ input: IDXBytes, source: String, limit: Int?) throws -> Contents {
        let magic = try input.read(4)
        guard magic.count == 4 else {
            throw DataError("file is \(magic.count) bytes long, too short for an IDX header (expected at least 4)", source: source)
        }
        guard magic[0] == 0, magic[1] == 0 else {
            throw DataError(String(format: "bad magic number 0x%02X%02X%02X%02X (an IDX file starts with two zero bytes)",
                                   magic[0], magic[1], magic[2], magic[3]), source: source)
        }
        guard magic[2] == 0x08 else {
            throw DataError(String(format: "element type 0x%02X is not supported (expected 0x08, unsigned byte)", magic[2]), source: source)
        }
        let rank = Int(magic[3])
        guard rank >= 1, rank <= 4 else {
            throw DataError("rank \(rank) is not supported (expected 1 to 4 dimensions)", source: source)
        }
        let headerSize = 4 + 4 * rank
        let dims = try input.read(4 * rank)
        guard dims.count == 4 * rank else {
            throw DataError("file ends inside its header (\(4 + dims.count) bytes, header needs \(headerSize))", source: source)
        }
        let shape = (0..<rank).map { d in dims[(4 * d)..<(4 * d + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let itemSize = try checkedProduct(shape.dropFirst(), shape: shape, source: source)
        let count = try checkedProduct(shape, shape: shape, source: source)
        guard count <= maximumSize else {
            throw DataError("header declares shape \(shape) (\(count) elements), more than the \(maximumSize) read", source: source)
        }
        if let known = input.size, known - headerSize != count {
            throw DataError("header declares shape \(shape) (\(count) elements) but the file holds \(known - headerSize) bytes of data",
                            source: source)
        }
        let items = min(max(0, limit ?? shape[0]), shape[0])
        let wanted = items * itemSize
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(wanted, 1 << 26))
        while bytes.count < wanted {
            let piece = try input.read(min(1 << 24, wanted - bytes.count))
            if piece.isEmpty { break }
            bytes += piece
        }
        let tail = items == shape[0] ? try input.read(1).count : 0   // the whole file must end with its elements
        guard bytes.count == wanted, tail == 0 else {
            let held = tail > 0 ? "more than \(count)" : "\(bytes.count)"
            throw DataError("header declares shape \(shape) (\(count) elements) but the file holds \(held) bytes of data", source: source)
        }
        return Contents(shape: [items] + shape.dropFirst(), bytes: bytes)
    }

    /// The product of `dimensions`, refusing one an `Int` cannot hold.
    static func checkedProduct(_ dimensions: some Sequence<Int>, shape: [Int], source: String) throws -> Int {
        try dimensions.reduce(1) { product, d in
            let (next, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw DataError("header declares shape \(shape), whose element count overflows", source: source) }
            return next
        }
    }

    /// Reads an image file as float32 `[count, rows, columns]` holding the pixel values as stored
    /// (0–255): scaling belongs to the model (a `Rescaling` or `Normalization` layer), so a saved
    /// or served model takes the values the file holds.
    /// - Parameter limit: read only the first `limit` images.
    public static func readImages(_ url: URL, limit: Int? = nil) throws -> Tensor {
        let contents = try read(url, limit: limit)
        guard contents.shape.count == 3 else {
            throw DataError("expected an image file of rank 3 [count, rows, columns], got shape \(contents.shape)", source: url.path)
        }
        let images = Tensor(uninitializedShape: contents.shape)
        let out = images.floats
        for (i, v) in contents.bytes.enumerated() { out[i] = Float(v) }
        return images
    }

    /// Reads a label file as int32 `[count]`, checking every label is below `classes`.
    /// - Parameter limit: read only the first `limit` labels.
    public static func readLabels(_ url: URL, classes: Int = 10, limit: Int? = nil) throws -> Tensor {
        let contents = try read(url, limit: limit)
        guard contents.shape.count == 1 else {
            throw DataError("expected a label file of rank 1, got shape \(contents.shape)", source: url.path)
        }
        if let (i, bad) = contents.bytes.enumerated().first(where: { Int($0.1) >= classes }) {
            throw DataError("label \(bad) at index \(i) is out of range 0..<\(classes)", source: url.path)
        }
        return Tensor(int32: contents.bytes.map { Int32($0) }, shape: contents.shape)
    }
}
