import Foundation
import LeptonTensor
import SwiftProtobuf

extension Onnx_TensorProto {
    /// The largest tensor a model file may declare (elements); larger claims are refused before
    /// anything is allocated.
    public static let maximumElementCount = 1 << 31

    /// Decodes this tensor into Lepton values, checking that the declared dims agree with the
    /// data actually stored (so a hostile file cannot make Lepton allocate more than it holds).
    /// - Parameter context: where the tensor sits (an initializer or attribute name), for errors.
    /// - Throws: ``ONNXError`` for external data, an unsupported type, negative dims, or a data
    ///   length that does not match the dims.
    public func value(context: String) throws -> ONNXValue {
        let where_ = name.isEmpty ? context : "\(context) '\(name)'"
        guard dataLocation != .external else {
            throw ONNXError("tensor data stored in an external file is not supported (expected the data inside the model)", context: where_)
        }
        let type = try ONNXElementType.from(dataType, context: where_)
        guard let dtype = type.leptonDType else {
            throw ONNXError("\(type) tensors are not supported (Lepton holds numbers and booleans)", context: where_)
        }
        let shape = try dims.map { dim -> Int in
            guard dim >= 0 else { throw ONNXError("dims \(dims) has a negative dimension", context: where_) }
            return Int(dim)
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Self.maximumElementCount else {
                throw ONNXError("dims \(dims) declare more than \(Self.maximumElementCount) elements", context: where_)
            }
            count = product
        }
        let stored = storedElementCount(type)
        let packed = type.elementsPerByte
        let fits = packed > 1 ? (count + packed - 1) / packed * packed == stored : stored == count
        guard fits else {
            throw ONNXError("dims \(dims) need \(count) \(type) elements but the tensor stores \(stored)"
                            + (rawData.isEmpty ? "" : " (\(rawData.count) bytes of raw_data)"), context: where_)
        }
        let tensor = Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            decodeFloats(type, into: tensor.floats, count: count)
        } else {
            decodeIntegers(type, into: tensor.int32s, count: count)
        }
        return ONNXValue(tensor, elementType: type)
    }

    /// Elements present in whichever field holds the data.
    private func storedElementCount(_ type: ONNXElementType) -> Int {
        if !rawData.isEmpty { return rawData.count % type.rawByteSize == 0 ? rawData.count / type.rawByteSize * type.elementsPerByte : -1 }
        if type.elementsPerByte > 1 { return int32Data.count * type.elementsPerByte }
        switch type {
        case .float: return floatData.count
        case .double: return doubleData.count
        case .int64: return int64Data.count
        case .uint32, .uint64: return uint64Data.count
        default: return int32Data.count
        }
    }

    private func decodeFloats(_ type: ONNXElementType, into out: UnsafeMutablePointer<Float>, count: Int) {
        if !rawData.isEmpty {
            rawData.withUnsafeBytes { raw in
                for i in 0..<count {
                    switch type {
                    case .float: out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case .double: out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    case .float16: out[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    case .float4e2m1: out[i] = MiniFloat.decode(Self.unpack(raw.load(fromByteOffset: i / 2, as: UInt8.self), i, bits: 4), as: type)
                    case _ where type.isMiniFloat: out[i] = MiniFloat.decode(raw.load(fromByteOffset: i, as: UInt8.self), as: type)
                    default: out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                    }
                }
            }
            return
        }
        for i in 0..<count {
            switch type {
            case .float: out[i] = floatData[i]
            case .double: out[i] = Float(doubleData[i])
            case .float16: out[i] = HalfPrecision.float(fromHalf: UInt16(truncatingIfNeeded: int32Data[i]))
            case .float4e2m1: out[i] = MiniFloat.decode(Self.unpack(UInt8(truncatingIfNeeded: int32Data[i / 2]), i, bits: 4), as: type)
            case _ where type.isMiniFloat: out[i] = MiniFloat.decode(UInt8(truncatingIfNeeded: int32Data[i]), as: type)
            default: out[i] = Float(bitPattern: UInt32(UInt16(truncatingIfNeeded: int32Data[i])) << 16)
            }
        }
    }

    private func decodeIntegers(_ type: ONNXElementType, into out: UnsafeMutablePointer<Int32>, count: Int) {
        if !rawData.isEmpty {
            rawData.withUnsafeBytes { raw in
                for i in 0..<count {
                    let value: Int64
                    switch type {
                    case .uint8: value = Int64(raw.load(fromByteOffset: i, as: UInt8.self))
                    case .int8: value = Int64(raw.load(fromByteOffset: i, as: Int8.self))
                    case .bool: value = raw.load(fromByteOffset: i, as: UInt8.self) == 0 ? 0 : 1
                    case .uint16: value = Int64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    case .int16: value = Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                    case .int32: value = Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case .uint32: value = Int64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case .int64: value = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    case .uint4, .int4, .uint2, .int2:
                        let bits = type.elementsPerByte == 2 ? 4 : 2
                        value = Self.extend(Self.unpack(raw.load(fromByteOffset: i / type.elementsPerByte, as: UInt8.self), i, bits: bits),
                                            bits: bits, signed: type == .int4 || type == .int2)
                    default:
                        let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        value = bits > UInt64(Int64.max) ? Int64.max : Int64(bits)
                    }
                    out[i] = Self.clamped(value)
                }
            }
            return
        }
        for i in 0..<count {
            switch type {
            case .int64: out[i] = Self.clamped(int64Data[i])
            case .uint32, .uint64: out[i] = Self.clamped(uint64Data[i] > UInt64(Int64.max) ? Int64.max : Int64(uint64Data[i]))
            case .bool: out[i] = int32Data[i] == 0 ? 0 : 1
            case .uint4, .int4, .uint2, .int2:
                let bits = type.elementsPerByte == 2 ? 4 : 2
                let byte = UInt8(truncatingIfNeeded: int32Data[i / type.elementsPerByte])
                out[i] = Int32(Self.extend(Self.unpack(byte, i, bits: bits), bits: bits, signed: type == .int4 || type == .int2))
            default: out[i] = int32Data[i]
            }
        }
    }

    /// Element `i`'s bits of a packed byte (lowest bits first).
    static func unpack(_ byte: UInt8, _ i: Int, bits: Int) -> UInt8 {
        let perByte = 8 / bits
        return (byte >> UInt8((i % perByte) * bits)) & UInt8((1 << bits) - 1)
    }

    /// A packed integer's value (sign-extended for the signed types).
    static func extend(_ v: UInt8, bits: Int, signed: Bool) -> Int64 {
        let value = Int64(v)
        return signed && value >= 1 << (bits - 1) ? value - (1 << bits) : value
    }

    static func clamped(_ value: Int64) -> Int32 {
        Int32(clamping: value)
    }

    /// Encodes Lepton values as a tensor with little-endian `raw_data`.
    /// - Parameters:
    ///   - tensor: `float32` or `int32` values.
    ///   - name: the tensor's name in the graph.
    ///   - elementType: the ONNX type to write (default `FLOAT` for float32, `INT64` for int32,
    ///     the type ONNX uses for shapes and indices).
    public init(_ tensor: Tensor, name: String, as elementType: ONNXElementType? = nil) {
        self.init()
        self.name = name
        dims = tensor.shape.map { Int64($0) }
        let type = elementType ?? (tensor.dtype == .float32 ? .float : .int64)
        dataType = type.rawValue
        let count = tensor.count
        let packed = type.elementsPerByte
        var data = Data(count: packed > 1 ? (count + packed - 1) / packed : count * type.rawByteSize)
        let floats = type.isFloatingPoint ? tensor.scalars : []
        let ints = type.isFloatingPoint ? [] : tensor.dtype == .int32 ? tensor.int32Scalars
            : tensor.scalars.map { $0.isNaN ? 0 : Int32(max(min($0.rounded(.towardZero), 2_147_483_520), -2_147_483_648)) }
        data.withUnsafeMutableBytes { raw in
            for i in 0..<count {
                switch type {
                case .float: raw.storeBytes(of: floats[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                case .double: raw.storeBytes(of: Double(floats[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                case .float16: raw.storeBytes(of: HalfPrecision.half(fromFloat: floats[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                case .bfloat16: raw.storeBytes(of: UInt16(floats[i].bitPattern >> 16).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                case .int64, .uint64: raw.storeBytes(of: Int64(ints[i]).littleEndian, toByteOffset: 8 * i, as: Int64.self)
                case .int32, .uint32: raw.storeBytes(of: ints[i].littleEndian, toByteOffset: 4 * i, as: Int32.self)
                case .int16, .uint16: raw.storeBytes(of: Int16(truncatingIfNeeded: ints[i]).littleEndian, toByteOffset: 2 * i, as: Int16.self)
                case .int8, .uint8: raw.storeBytes(of: UInt8(truncatingIfNeeded: ints[i]), toByteOffset: i, as: UInt8.self)
                case .bool: raw.storeBytes(of: UInt8(ints[i] != 0 ? 1 : 0), toByteOffset: i, as: UInt8.self)
                case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0:
                    raw.storeBytes(of: MiniFloat.encode(floats[i], as: type), toByteOffset: i, as: UInt8.self)
                case .float4e2m1, .uint4, .int4, .uint2, .int2:
                    let bits = packed == 2 ? 4 : 2
                    let code = type == .float4e2m1 ? MiniFloat.encode(floats[i], as: type) : UInt8(truncatingIfNeeded: ints[i])
                    let shift = UInt8((i % packed) * bits)
                    let old = raw.load(fromByteOffset: i / packed, as: UInt8.self)
                    raw.storeBytes(of: old | ((code & UInt8((1 << bits) - 1)) << shift), toByteOffset: i / packed, as: UInt8.self)
                case .string, .complex64, .complex128: break
                }
            }
        }
        rawData = data
    }

    /// Encodes an ``ONNXValue`` as its declared element type.
    public init(_ value: ONNXValue, name: String) {
        self.init(value.tensor, name: name, as: value.elementType)
    }
}

/// IEEE 754 half-precision conversions (bit patterns), for `FLOAT16` tensors.
public enum HalfPrecision {
    /// The `Float` a half-precision bit pattern stands for (subnormals, infinities and NaN kept).
    public static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits >> 15) << 31
        let exponent = Int((bits >> 10) & 0x1f), mantissa = UInt32(bits & 0x3ff)
        if exponent == 0 {
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    /// The nearest half-precision bit pattern (round to nearest even; overflow to infinity).
    public static func half(fromFloat value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7e00 }
        let magnitude = abs(value)
        if magnitude >= 65520 { return sign | 0x7c00 }
        if magnitude < Float(sign: .plus, exponent: -14, significand: 1) {
            // Subnormal half: value / 2^-24, rounded to nearest even.
            let scaled = (magnitude * Float(sign: .plus, exponent: 24, significand: 1)).rounded(.toNearestOrEven)
            return sign | UInt16(scaled)
        }
        let exponent = Int((bits >> 23) & 0xff) - 127 + 15
        let mantissa = (bits & 0x7f_ffff) >> 13
        let rest = bits & 0x1fff
        var result = UInt32(exponent) << 10 | mantissa
        if rest > 0x1000 || (rest == 0x1000 && (mantissa & 1) == 1) { result += 1 }
        return sign | UInt16(result)
    }
}
