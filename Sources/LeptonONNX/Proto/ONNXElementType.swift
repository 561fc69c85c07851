import LeptonTensor

/// The element types of ONNX's `TensorProto.DataType`, with how Lepton holds each one.
///
/// Lepton computes in `float32` and `int32`: floating types (`FLOAT16`, `BFLOAT16`, `DOUBLE`) are
/// held as `float32`, integer types and `BOOL` as `int32`. 64-bit integers outside the `Int32`
/// range are clamped to it (ONNX graphs use `INT64_MAX` as "to the end" in `Slice`, which clamping
/// keeps); the original element type travels with the value so outputs are reported as declared.
public enum ONNXElementType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7
    case string = 8, bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13
    case complex64 = 14, complex128 = 15, bfloat16 = 16
    /// 8-bit floats (held as float32 values exactly representable in the format).
    case float8e4m3fn = 17, float8e4m3fnuz = 18, float8e5m2 = 19, float8e5m2fnuz = 20
    /// 4-bit integers, packed two per byte (held as int32).
    case uint4 = 21, int4 = 22
    /// A 4-bit float, packed two per byte.
    case float4e2m1 = 23
    /// An 8-bit power of two (exponent only).
    case float8e8m0 = 24
    /// 2-bit integers, packed four per byte.
    case uint2 = 25, int2 = 26

    /// The ONNX spelling (`FLOAT`, `INT64`, …).
    public var description: String {
        switch self {
        case .float: "FLOAT"; case .uint8: "UINT8"; case .int8: "INT8"; case .uint16: "UINT16"
        case .int16: "INT16"; case .int32: "INT32"; case .int64: "INT64"; case .string: "STRING"
        case .bool: "BOOL"; case .float16: "FLOAT16"; case .double: "DOUBLE"; case .uint32: "UINT32"
        case .uint64: "UINT64"; case .complex64: "COMPLEX64"; case .complex128: "COMPLEX128"
        case .bfloat16: "BFLOAT16"
        case .float8e4m3fn: "FLOAT8E4M3FN"; case .float8e4m3fnuz: "FLOAT8E4M3FNUZ"; case .float8e5m2: "FLOAT8E5M2"
        case .float8e5m2fnuz: "FLOAT8E5M2FNUZ"; case .uint4: "UINT4"; case .int4: "INT4"; case .float4e2m1: "FLOAT4E2M1"
        case .float8e8m0: "FLOAT8E8M0"; case .uint2: "UINT2"; case .int2: "INT2"
        }
    }

    /// The Lepton dtype that holds values of this type, nil for types Lepton cannot hold
    /// (strings, complex numbers).
    public var leptonDType: DType? {
        switch self {
        case .float, .float16, .double, .bfloat16: .float32
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float4e2m1, .float8e8m0: .float32
        case .uint8, .int8, .uint16, .int16, .int32, .int64, .bool, .uint32, .uint64: .int32
        case .uint4, .int4, .uint2, .int2: .int32
        case .string, .complex64, .complex128: nil
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { leptonDType == .float32 }

    /// Bytes per element in `raw_data` (1 for the packed 4- and 2-bit types; see ``elementsPerByte``).
    public var rawByteSize: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0: 1
        case .uint4, .int4, .float4e2m1, .uint2, .int2: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .float, .int32, .uint32: 4
        case .int64, .uint64, .double, .complex64: 8
        case .complex128: 16
        case .string: 0
        }
    }

    /// Elements packed into one byte of `raw_data`: 2 for the 4-bit types, 4 for the 2-bit types, else 1.
    public var elementsPerByte: Int {
        switch self {
        case .uint4, .int4, .float4e2m1: 2
        case .uint2, .int2: 4
        default: 1
        }
    }

    /// Whether the type is one of the 8- and 4-bit float formats (see ``MiniFloat``).
    public var isMiniFloat: Bool {
        [.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float4e2m1, .float8e8m0].contains(self)
    }

    /// The type for a raw `TensorProto.data_type` value.
    /// - Throws: ``ONNXError`` naming the number for types Lepton does not know (float8, int4, …).
    public static func from(_ raw: Int32, context: String) throws -> ONNXElementType {
        guard let type = ONNXElementType(rawValue: raw) else {
            throw ONNXError("element type \(raw) is not supported (Lepton reads FLOAT, DOUBLE, FLOAT16, BFLOAT16, the FLOAT8 and "
                            + "FLOAT4 formats, INT2-INT64, UINT2-UINT64 and BOOL)", context: context)
        }
        return type
    }
}
