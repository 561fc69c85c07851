import Foundation
import LeptonTensor

/// One array as NumPy stores it: its type string, shape and little-endian element bytes.
///
/// ```swift
/// let array = NPYArray(tensor)                       // float32 → "<f4", int32 → "<i4"
/// let ids = NPYArray(tokenIds, as: .int64)          // int32 values widened to "<i8"
/// let data = NPZWriter.archive([("logits", array), ("ids", ids)])
/// ```
public struct NPYArray: Sendable {
    /// The element types written (NumPy's `descr`).
    public enum ElementType: String, Sendable {
        /// `<f4`
        case float32 = "<f4"
        /// `<i4`
        case int32 = "<i4"
        /// `<i8`: int32 values widened, exactly.
        case int64 = "<i8"
        /// `|i1`
        case int8 = "|i1"
        /// `|b1`: nonzero is true.
        case bool = "|b1"
    }

    /// The NumPy element type.
    public let elementType: ElementType
    /// The array's shape (`[]` for a scalar).
    public let shape: [Int]
    /// The elements, little-endian, C order.
    public let bytes: Data

    /// The array holding `tensor`'s values as `type` (default: the tensor's own dtype).
    /// A float32 tensor is always written as `<f4`; an int32 tensor may be widened to `<i8`
    /// or written as `|b1`.
    public init(_ tensor: Tensor, as type: ElementType? = nil) {
        shape = tensor.shape
        switch tensor.dtype {
        case .float32:
            elementType = .float32
            bytes = tensor.scalars.withUnsafeBytes { Data($0) }
        case .int8:
            elementType = .int8
            bytes = Data(bytes: tensor.int8s, count: tensor.count)
        case .int32:
            let values = tensor.int32Scalars
            switch type ?? .int32 {
            case .int64: elementType = .int64; bytes = values.map { Int64($0).littleEndian }.withUnsafeBytes { Data($0) }
            case .bool: elementType = .bool; bytes = Data(values.map { $0 != 0 ? 1 : 0 })
            case .int8: elementType = .int8; bytes = Data(values.map { UInt8(bitPattern: Int8(clamping: $0)) })
            case .int32, .float32: elementType = .int32; bytes = values.map(\.littleEndian).withUnsafeBytes { Data($0) }
            }
        }
    }

    /// The `.npy` file: magic, version 1.0 header padded to 64 bytes, elements.
    public var npy: Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(Data(header.utf8))
        data.append(bytes)
        return data
    }
}

/// Writes NumPy `.npz` archives (a zip of `.npy` files, stored uncompressed), readable by
/// `numpy.load` and by ``NPYReader/readArchive(_:)``.
public enum NPZWriter {
    /// The archive holding `arrays` as `NAME.npy` entries, in order.
    /// - Throws: ``DataError`` when an entry or the archive passes zip's 4 GiB limit.
    public static func archive(_ arrays: [(name: String, array: NPYArray)]) throws -> Data {
        guard arrays.count < Int(UInt16.max) else { throw DataError("\(arrays.count) arrays: a zip archive holds at most 65,534", source: "npz") }
        var body = Data(), directory = Data()
        for (name, array) in arrays {
            let file = array.npy, fileName = Data((name + ".npy").utf8)
            guard file.count < Int(UInt32.max), body.count < Int(UInt32.max) - file.count - 1024 else {
                throw DataError("array '\(name)' takes the archive past zip's 4 GiB limit", source: "npz")
            }
            let crc = Gzip.crc32(file), offset = UInt32(body.count)
            body.appendLittleEndian(UInt32(0x0403_4B50))
            body.appendEntryFields(crc: crc, size: UInt32(file.count), nameLength: fileName.count)
            body.append(fileName)
            body.append(file)
            directory.appendLittleEndian(UInt32(0x0201_4B50))
            directory.appendLittleEndian(UInt16(20))                  // made by: version 2.0
            directory.appendEntryFields(crc: crc, size: UInt32(file.count), nameLength: fileName.count)
            directory.append(Data(count: 10))                         // comment length, disk, internal and external attributes
            directory.appendLittleEndian(offset)
            directory.append(fileName)
        }
        var end = Data()
        end.appendLittleEndian(UInt32(0x0605_4B50))
        end.append(Data(count: 4))                                    // this disk, the directory's disk
        end.appendLittleEndian(UInt16(arrays.count))
        end.appendLittleEndian(UInt16(arrays.count))
        end.appendLittleEndian(UInt32(directory.count))
        end.appendLittleEndian(UInt32(body.count))
        end.appendLittleEndian(UInt16(0))                             // comment length
        return body + directory + end
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// The fields a local header and a directory entry share: version needed, flags, method
    /// (stored), time, date (1980-01-01), CRC-32, sizes, name and extra lengths.
    mutating func appendEntryFields(crc: UInt32, size: UInt32, nameLength: Int) {
        appendLittleEndian(UInt16(20)); appendLittleEndian(UInt16(0)); appendLittleEndian(UInt16(0))
        appendLittleEndian(UInt16(0)); appendLittleEndian(UInt16(0x21))
        appendLittleEndian(crc); appendLittleEndian(size); appendLittleEndian(size)
        appendLittleEndian(UInt16(nameLength)); appendLittleEndian(UInt16(0))
    }
}
