import LeptonCompress
import LeptonNN

/// The plain-Swift arithmetic the quantised layers' kernels must reproduce exactly.
enum QuantizedReference {
    /// The weight codes of `layer`, widened.
    static func weightCodes(_ layer: QuantizedLayer) -> [Int32] {
        (0..<layer.kernel.count).map { Int32(layer.kernel.int8s[$0]) }
    }

    /// The float output for the int32 sum `acc` of (input code − zero point) × weight code of
    /// output channel `n`: scaled, biased and, for ReLU layers, clamped at 0.
    static func epilogue(_ layer: QuantizedLayer) -> (_ acc: Int32, _ n: Int) -> Float {
        let q = layer.inputQuantization, scales = layer.kernelScale.scalars, bias = layer.bias?.scalars
        let relu = layer.activation == .relu
        return { acc, n in
            let v = Float(acc) * (q.scale * scales[n]) + (bias?[n] ?? 0)
            return relu ? max(v, 0) : v
        }
    }
}
