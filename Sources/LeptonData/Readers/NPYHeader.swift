import Foundation

/// The header of a NumPy `.npy` file — element type, shape and where the elements start —
/// parsed and checked against the file's real size before anything is allocated. The one
/// header parser behind ``NPYReader`` (whole arrays in memory) and ``NPYDataset`` (rows read
/// from a mapped file as batches ask).
///
/// ```swift
/// let header = try NPYHeader.parse(bytes, fileSize: bytes.count, source: "x.npy")
/// header.shape          // [60000, 28, 28, 1]
/// header.elementType    // .float32
/// header.dataOffset     // 128: the elements follow the header
/// ```
public struct NPYHeader: Equatable, Sendable {
    /// The element types Lepton reads (C order, little-endian or single-byte).
    public enum ElementType: String, CaseIterable, Sendable {
        case float32 = "<f4", float64 = "<f8", int32 = "<i4", int64 = "<i8"
        case uint8 = "|u1", int8 = "|i1", bool = "|b1"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            case .uint8, .int8, .bool: return 1
            }
        }

        /// Whether the values are floating point.
        public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    }

    /// The longest header accepted (NumPy itself refuses headers over 10,000 bytes unless told otherwise).
    public static let maximumHeaderLength = 1 << 20

    /// The type of every element.
    public let elementType: ElementType
    /// Dimension sizes (`[]` for a scalar).
    public let shape: [Int]
    /// Number of elements (the product of ``shape``, checked for overflow).
    public let count: Int
    /// Offset in the file of the first element.
    public let dataOffset: Int

    /// Bytes of element data the header declares.
    public var dataSize: Int { count * elementType.size }

    /// A header for writing an array of `shape` (format version 1, padded to 64 bytes as NumPy pads).
    /// - Throws: ``DataError`` when the shape has a negative dimension or too many elements.
    public init(elementType: ElementType, shape: [Int]) throws {
        let count = try Self.elementCount(shape, type: elementType, source: nil)
        let dict = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': \(Self.tuple(shape)), }"
        let padded = (10 + dict.utf8.count + 1 + 63) / 64 * 64
        self.init(elementType: elementType, shape: shape, count: count, dataOffset: padded)
    }

    private init(elementType: ElementType, shape: [Int], count: Int, dataOffset: Int) {
        self.elementType = elementType
        self.shape = shape
        self.count = count
        self.dataOffset = dataOffset
    }

    /// The header's bytes as NumPy writes them: magic, version 1.0, length, the dictionary
    /// padded with spaces to ``dataOffset`` and ended by a newline.
    public func encoded() -> Data {
        var dict = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': \(Self.tuple(shape)), }"
        dict += String(repeating: " ", count: dataOffset - 10 - dict.utf8.count - 1) + "\n"
        let length = dict.utf8.count
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        bytes += Array(dict.utf8)
        return Data(bytes)
    }

    /// Parses the header at the start of `bytes` (the whole file, or at least its header) and
    /// checks it against `fileSize`, the length of the whole file.
    /// - Throws: ``DataError`` for a missing magic, an unknown version, a header length beyond
    ///   the file or ``maximumHeaderLength``, a header without `descr` or `shape`, a Fortran-order
    ///   array, an unsupported dtype, a shape whose element count overflows, or element data of
    ///   another size than the shape needs (saying what was expected).
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int, source: String) throws -> NPYHeader {
        func byte(_ i: Int) -> Int { Int(bytes[i]) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw DataError("not an .npy file (missing the \\x93NUMPY magic)", source: source)
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = byte(8) | byte(9) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw DataError("truncated header", source: source) }
            headerLength = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24
            headerStart = 12
        default:
            throw DataError("format version \(major).\(bytes[7]) is not supported (expected 1, 2 or 3)", source: source)
        }
        guard headerLength <= maximumHeaderLength else {
            throw DataError("header length \(headerLength) exceeds \(maximumHeaderLength) bytes", source: source)
        }
        guard headerStart + headerLength <= min(bytes.count, fileSize) else {
            throw DataError("header length \(headerLength) runs past the end of the file (\(fileSize) bytes)", source: source)
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let shapeText = field("shape", in: header) else {
            throw DataError("header lacks 'descr' or 'shape': \(Self.excerpt(header))", source: source)
        }
        if field("fortran_order", in: header) == "True" {
            throw DataError("Fortran-order arrays are not supported (save with C order)", source: source)
        }
        let parts = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let dims = parts.compactMap { Int($0) }
        guard dims.count == parts.count, dims.allSatisfy({ $0 >= 0 }) else {
            throw DataError("shape \(Self.excerpt(shapeText)) is not a tuple of non-negative integers", source: source)
        }
        let name = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard let type = ElementType(rawValue: name) else {
            let known = ElementType.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw DataError("dtype \(Self.excerpt(name)) is not supported (expected one of \(known))", source: source)
        }
        let count = try elementCount(dims, type: type, source: source)
        let start = headerStart + headerLength
        let held = fileSize - start
        guard held == count * type.size else {
            throw DataError("shape \(dims) of \(name) needs \(count * type.size) bytes of data, the file holds \(held)", source: source)
        }
        return NPYHeader(elementType: type, shape: dims, count: count, dataOffset: start)
    }

    /// The number of elements of `shape`, refusing a shape whose elements (or their bytes) an
    /// `Int` cannot count — checked whatever the order of the dimensions, so no later product
    /// of some of them overflows either.
    static func elementCount(_ shape: [Int], type: ElementType, source: String?) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw DataError("shape \(shape) has a negative dimension", source: source)
        }
        var nonZero = type.size
        for d in shape where d != 0 {
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DataError("shape \(shape) of \(type.rawValue) has more elements than can be addressed", source: source)
            }
            nonZero = product
        }
        return shape.contains(0) ? 0 : nonZero / type.size
    }

    /// Header text quoted in a message: at most 200 characters, on one line.
    static func excerpt(_ text: String) -> String {
        String(text.prefix(200).map { $0.isNewline ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }

    /// `(2, 3)`, `(5,)` or `()`: a shape as a Python tuple.
    static func tuple(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// The text after `'key':` up to the next top-level comma or closing brace.
    static func field(_ key: String, in header: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0, out = ""
        for ch in header[r.upperBound...] {
            if ch == "(" || ch == "[" { depth += 1 }
            if ch == ")" || ch == "]" { depth -= 1 }
            if depth <= 0 && (ch == "," || ch == "}") { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
