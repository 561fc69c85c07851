/// Dropout with a seedable generator.
extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by `1 / (1 − p)`
    /// (inverted dropout, as PyTorch and Keras); the identity when `training` is false.
    public func dropout(_ p: Float, training: Bool = true, generator: inout RandomGenerator) -> Tensor {
        require(p >= 0 && p < 1, "dropout", "probability \(p) must be in [0, 1)")
        guard training, p > 0 else { return self }
        let mask = Tensor(uninitializedShape: shape, backend: backend)
        Tensor.drawDropoutMask(mask.floats, count: count, rate: p, generator: &generator)
        return self * mask
    }

    /// Fills `mask` with `count` inverted-dropout multipliers: `1 / (1 − rate)` with probability
    /// `1 − rate`, else 0, one `nextFloat()` per element in order — the draws of
    /// ``dropout(_:training:generator:)``, for code that applies the same masks on its own memory.
    public static func drawDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, rate: Float,
                                       generator: inout RandomGenerator) {
        let scale = 1 / (1 - rate)
        for i in 0..<count { mask[i] = generator.nextFloat() >= rate ? scale : 0 }
    }
}
