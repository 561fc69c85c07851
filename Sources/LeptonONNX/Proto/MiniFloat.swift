import Foundation

/// The 8- and 4-bit floating-point formats of ONNX (`FLOAT8E4M3FN`, `FLOAT8E4M3FNUZ`,
/// `FLOAT8E5M2`, `FLOAT8E5M2FNUZ`, `FLOAT8E8M0`, `FLOAT4E2M1`): decoding bit patterns and
/// rounding `Float` values to the nearest representable value (round half to even, with ONNX's
/// saturation rules), as `ml_dtypes` and onnx's reference implementation do.
public enum MiniFloat {
    /// One format's layout.
    struct Format {
        let exponentBits: Int, mantissaBits: Int, bias: Int
        /// Infinities exist (E5M2).
        let hasInfinity: Bool
        /// NaN is the pattern `1000…0` (the "FNUZ" formats, which also have no negative zero).
        let unsignedZeroNaN: Bool
        /// The largest finite value.
        let maximum: Float
        /// Overflow always saturates (FLOAT4E2M1 has no infinity or NaN).
        let alwaysSaturates: Bool

        var totalBits: Int { 1 + exponentBits + mantissaBits }
    }

    static func format(_ type: ONNXElementType) -> Format? {
        switch type {
        case .float8e4m3fn: Format(exponentBits: 4, mantissaBits: 3, bias: 7, hasInfinity: false, unsignedZeroNaN: false, maximum: 448, alwaysSaturates: false)
        case .float8e4m3fnuz: Format(exponentBits: 4, mantissaBits: 3, bias: 8, hasInfinity: false, unsignedZeroNaN: true, maximum: 240, alwaysSaturates: false)
        case .float8e5m2: Format(exponentBits: 5, mantissaBits: 2, bias: 15, hasInfinity: true, unsignedZeroNaN: false, maximum: 57344, alwaysSaturates: false)
        case .float8e5m2fnuz: Format(exponentBits: 5, mantissaBits: 2, bias: 16, hasInfinity: false, unsignedZeroNaN: true, maximum: 57344, alwaysSaturates: false)
        case .float4e2m1: Format(exponentBits: 2, mantissaBits: 1, bias: 1, hasInfinity: false, unsignedZeroNaN: false, maximum: 6, alwaysSaturates: true)
        default: nil
        }
    }

    /// The value of a bit pattern of `type` (one of the mini-float types).
    public static func decode(_ bits: UInt8, as type: ONNXElementType) -> Float {
        if type == .float8e8m0 { return bits == 0xff ? .nan : Float(sign: .plus, exponent: Int(bits) - 127, significand: 1) }
        guard let f = format(type) else { return .nan }
        let value = Int(bits) & ((1 << f.totalBits) - 1)
        let negative = value >> (f.totalBits - 1) == 1
        let exponent = (value >> f.mantissaBits) & ((1 << f.exponentBits) - 1)
        let mantissa = value & ((1 << f.mantissaBits) - 1)
        if f.unsignedZeroNaN && value == 1 << (f.totalBits - 1) { return .nan }
        let top = (1 << f.exponentBits) - 1
        if type == .float8e4m3fn && exponent == top && mantissa == (1 << f.mantissaBits) - 1 { return .nan }
        if f.hasInfinity && exponent == top { return mantissa == 0 ? (negative ? -.infinity : .infinity) : .nan }
        let magnitude = exponent == 0
            ? Float(mantissa) * Float(sign: .plus, exponent: 1 - f.bias - f.mantissaBits, significand: 1)
            : (1 + Float(mantissa) / Float(1 << f.mantissaBits)) * Float(sign: .plus, exponent: exponent - f.bias, significand: 1)
        return negative ? -magnitude : magnitude
    }

    /// `x` rounded to the nearest value of `type` (round half to even). Out of range, values
    /// saturate to ±maximum when `saturate`, else become infinity (E5M2) or NaN.
    public static func round(_ x: Float, to type: ONNXElementType, saturate: Bool = true, roundMode: String = "up") -> Float {
        if type == .float8e8m0 { return decode(encodeE8M0(x, saturate: saturate, roundMode: roundMode), as: type) }
        guard let f = format(type) else { return x }
        // FLOAT4E2M1 has no NaN: onnx maps NaN to the pattern 1000 (-0).
        if x.isNaN { return f.alwaysSaturates ? -0.0 : .nan }
        let magnitude = abs(Double(x))
        let clampsToMax = saturate || f.alwaysSaturates
        var rounded: Double
        if magnitude.isInfinite {
            rounded = .infinity
        } else {
            let minimumNormal = Double(sign: .plus, exponent: 1 - f.bias, significand: 1)
            let exponent = magnitude < minimumNormal ? 1 - f.bias : Int(magnitude.exponent)
            let spacing = Double(sign: .plus, exponent: exponent - f.mantissaBits, significand: 1)
            rounded = (magnitude / spacing).rounded(.toNearestOrEven) * spacing
        }
        if rounded > Double(f.maximum) {
            if clampsToMax { rounded = Double(f.maximum) } else { return f.hasInfinity ? (x < 0 ? -.infinity : .infinity) : .nan }
        }
        if rounded == 0 && f.unsignedZeroNaN { return 0 }
        return x.sign == .minus ? -Float(rounded) : Float(rounded)
    }

    /// The bit pattern of `x` in `type` (after ``round(_:to:saturate:roundMode:)``).
    public static func encode(_ x: Float, as type: ONNXElementType, saturate: Bool = true) -> UInt8 {
        if type == .float8e8m0 { return encodeE8M0(x, saturate: saturate, roundMode: "up") }
        guard let f = format(type) else { return 0 }
        let v = round(x, to: type, saturate: saturate)
        let signBit = UInt8(1 << (f.totalBits - 1))
        if v.isNaN {
            if f.unsignedZeroNaN { return signBit }
            return UInt8((1 << (f.totalBits - 1)) - 1)  // S.111…1: E4M3FN's NaN, one of E5M2's
        }
        let sign: UInt8 = v.sign == .minus ? signBit : 0
        let magnitude = abs(v)
        if magnitude.isInfinite { return sign | UInt8(((1 << f.exponentBits) - 1) << f.mantissaBits) }
        let minimumNormal = Float(sign: .plus, exponent: 1 - f.bias, significand: 1)
        if magnitude < minimumNormal {
            let m = magnitude / Float(sign: .plus, exponent: 1 - f.bias - f.mantissaBits, significand: 1)
            return sign | UInt8(m)
        }
        let e = Int(magnitude.exponent)
        let m = (magnitude / Float(sign: .plus, exponent: e, significand: 1) - 1) * Float(1 << f.mantissaBits)
        return sign | UInt8((e + f.bias) << f.mantissaBits) | UInt8(m)
    }

    /// `FLOAT8E8M0` (a power of two, exponent only) from a float, as onnx's `to_float8e8m0`:
    /// the float's exponent field, rounded by `roundMode` ("up", "down", "nearest").
    static func encodeE8M0(_ x: Float, saturate: Bool, roundMode: String) -> UInt8 {
        let bits = x.bitPattern
        var exponent = Int((bits >> 23) & 0xff)
        if exponent == 0xff { return 0xff }
        var roundUp = false
        switch roundMode {
        case "nearest":
            let g = bits & 0x40_0000 != 0, r = bits & 0x20_0000 != 0, s = bits & 0x1f_ffff != 0
            roundUp = g && (r || s || exponent > 0)
        case "down": roundUp = false
        default: roundUp = bits & 0x7f_ffff != 0
        }
        if roundUp && !(saturate && exponent == 0xfe) { exponent += 1 }
        return UInt8(truncatingIfNeeded: exponent)
    }
}
