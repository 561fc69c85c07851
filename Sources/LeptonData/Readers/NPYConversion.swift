import Foundation
import LeptonTensor

/// How `.npy` elements become tensor elements — one set of rules for ``NPYReader`` and
/// ``NPYDataset``: floats → float32; int32, int64 and bool → int32 (an int64 outside the int32
/// range is refused); int8 → int8; uint8 → int32, or float32 holding the values 0–255 when they
/// are a dataset's features (pixels).
enum NPYConversion {
    /// The tensor element type that elements of `type` are read as.
    static func tensorType(of type: NPYHeader.ElementType, features: Bool) -> DType {
        switch type {
        case .float32, .float64: return .float32
        case .uint8: return features ? .float32 : .int32
        case .int8: return .int8
        case .int32, .int64, .bool: return .int32
        }
    }

    /// Converts `count` elements of `type` at the start of `source` into `destination`, which
    /// holds `count` elements of ``tensorType(of:features:)`` (with the same `features`).
    /// `firstIndex` numbers the first element in messages.
    /// - Throws: ``DataError`` for an int64 element outside the int32 range.
    static func convert(_ source: UnsafeRawBufferPointer, _ type: NPYHeader.ElementType, count: Int,
                        into destination: UnsafeMutableRawPointer, features: Bool = false,
                        firstIndex: Int = 0, source name: String) throws {
        guard count > 0, let p = source.baseAddress else { return }
        switch (type, tensorType(of: type, features: features)) {
        case (.float32, _), (.int32, _):
            destination.copyMemory(from: p, byteCount: count * 4)
        case (.float64, _):
            let out = destination.assumingMemoryBound(to: Float.self)
            for i in 0..<count { out[i] = Float(p.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case (.int64, _):
            let out = destination.assumingMemoryBound(to: Int32.self)
            for i in 0..<count {
                let v = p.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)
                guard let narrow = Int32(exactly: v) else {
                    throw DataError("int64 element \(firstIndex + i) does not fit in int32 (Lepton reads integer arrays as int32)",
                                    source: name)
                }
                out[i] = narrow
            }
        case (.int8, _):
            destination.copyMemory(from: p, byteCount: count)
        case (.uint8, .float32):
            let input = p.assumingMemoryBound(to: UInt8.self), out = destination.assumingMemoryBound(to: Float.self)
            for i in 0..<count { out[i] = Float(input[i]) }
        case (.uint8, _), (.bool, _):
            let input = p.assumingMemoryBound(to: UInt8.self), out = destination.assumingMemoryBound(to: Int32.self)
            for i in 0..<count { out[i] = Int32(input[i]) }
        }
    }
}
