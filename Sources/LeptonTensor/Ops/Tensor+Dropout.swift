/// Dropout with a seedable generator.
extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by `1 / (1 − p)`
    /// (inverted dropout, as PyTorch and Keras); the identity when `training` is false.
    public func dropout(_ p: Float, training: Bool = true, generator: inout RandomGenerator) -> Tensor {
        require(p >= 0 && p < 1, "dropout", "probability \(p) must be in [0, 1)")
        guard training, p > 0 else { return self }
        let scale = 1 / (1 - p)
        let mask = Tensor(uninitializedShape: shape, backend: backend)
        let m = mask.floats
        for i in 0..<count { m[i] = generator.nextFloat() >= p ? scale : 0 }
        return self * mask
    }
}
