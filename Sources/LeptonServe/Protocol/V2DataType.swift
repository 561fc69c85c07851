import LeptonTensor

/// A tensor element type of the KServe V2 / Triton inference protocol.
///
/// Every listed datatype parses from JSON and from Triton's binary tensor extension; which of
/// them a model takes is up to the model (Lepton models take `FP32` or `INT32`).
public enum V2DataType: String, CaseIterable, Sendable, Codable {
    /// One byte per element, `true`/`false` in JSON.
    case bool = "BOOL"
    /// Unsigned 8-bit integer.
    case uint8 = "UINT8"
    /// Unsigned 16-bit integer.
    case uint16 = "UINT16"
    /// Unsigned 32-bit integer.
    case uint32 = "UINT32"
    /// Unsigned 64-bit integer.
    case uint64 = "UINT64"
    /// Signed 8-bit integer.
    case int8 = "INT8"
    /// Signed 16-bit integer.
    case int16 = "INT16"
    /// Signed 32-bit integer.
    case int32 = "INT32"
    /// Signed 64-bit integer.
    case int64 = "INT64"
    /// IEEE half precision (numbers in JSON, two bytes in binary).
    case fp16 = "FP16"
    /// IEEE single precision.
    case fp32 = "FP32"
    /// IEEE double precision.
    case fp64 = "FP64"
    /// Byte strings: JSON strings, or in binary a 4-byte little-endian length before each element.
    case bytes = "BYTES"

    /// Bytes per element in the binary extension, or nil for `BYTES` (variable length).
    public var elementSize: Int? {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .uint16, .int16, .fp16: return 2
        case .uint32, .int32, .fp32: return 4
        case .uint64, .int64, .fp64: return 8
        case .bytes: return nil
        }
    }

    /// The V2 datatype of a Lepton tensor element type.
    public init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .fp32
        case .int32: self = .int32
        case .int8: self = .int8
        }
    }

    /// The Lepton element type holding this datatype, or nil when Lepton tensors have none.
    public var leptonDType: DType? {
        switch self {
        case .fp32: return .float32
        case .int32: return .int32
        case .int8: return .int8
        default: return nil
        }
    }

    /// Parses a datatype name as the protocol spells it (`"FP32"`), naming the valid ones when it is not one.
    /// - Throws: ``ServeError`` (400) for an unknown name.
    public static func parse(_ name: String, what: String) throws -> V2DataType {
        guard let type = V2DataType(rawValue: name) else {
            throw ServeError.badRequest("\(what): datatype \"\(name)\" is not a V2 datatype (expected one of \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return type
    }
}
