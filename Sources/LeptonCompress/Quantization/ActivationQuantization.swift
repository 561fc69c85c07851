import CInt8
import LeptonNN

/// Per-tensor asymmetric `uint8` quantisation of activations (ONNX `QuantizeLinear` with a
/// `uint8` zero point): `q = clamp(round(x / scale) + zeroPoint, 0, 255)`, rounding half to even.
/// The range always holds 0, so zero (padding, a ReLU's floor) is exact.
///
/// ```swift
/// let q = ActivationQuantization(minimum: -0.4, maximum: 6)   // scale 0.0251, zero point 16
/// ```
public struct ActivationQuantization: Sendable, Equatable, CustomStringConvertible {
    /// Real value of one step.
    public let scale: Float
    /// The code of the real value 0, in 0...255.
    public let zeroPoint: Int32

    /// Quantisation of the range `[minimum, maximum]`, widened to hold 0.
    public init(minimum: Float, maximum: Float) {
        let low = Swift.min(minimum, 0), high = Swift.max(maximum, 0)
        let scale = high > low ? (high - low) / 255 : 1
        self.scale = scale
        self.zeroPoint = Int32(Swift.max(0, Swift.min(255, (-low / scale).rounded(.toNearestOrEven))))
    }

    /// Quantisation with a given `scale` and `zeroPoint`.
    /// - Throws: ``ConfigError`` for a scale that is not positive and finite or a zero point
    ///   outside 0...255 (what a hand-edited model file could hold).
    public init(scale: Float, zeroPoint: Int, key: String) throws {
        guard scale > 0, scale.isFinite else { throw ConfigError("\(key): input_scale must be a positive finite number, got \(scale)") }
        guard (0...255).contains(zeroPoint) else {
            throw ConfigError("\(key): input_zero_point must be in 0...255 (uint8), got \(zeroPoint)")
        }
        self.scale = scale
        self.zeroPoint = Int32(zeroPoint)
    }

    public var description: String { "scale \(scale), zero point \(zeroPoint)" }

    /// Writes the codes of `count` values from `source` to `target` (with the int8 kernels' path).
    public func quantize(_ source: UnsafePointer<Float>, count: Int, into target: UnsafeMutablePointer<UInt8>,
                         path: Int8KernelPath = .selected) {
        lepton_int8_quantize(path.code, source, Int64(count), 1 / scale, zeroPoint, target)
    }

    /// The code of one value.
    @inline(__always)
    func code(_ x: Float, inverse: Float, zero: Float) -> UInt8 {
        let v = (x * inverse).rounded(.toNearestOrEven) + zero
        guard v >= 0 else { return 0 }   // also NaN
        return v >= 255 ? 255 : UInt8(v)
    }

    /// The code of one value.
    public func code(_ x: Float) -> UInt8 { code(x, inverse: 1 / scale, zero: Float(zeroPoint)) }

    /// The real value of a code.
    public func value(_ code: UInt8) -> Float { Float(Int32(code) - zeroPoint) * scale }
}
