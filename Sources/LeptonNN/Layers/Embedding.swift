import LeptonTensor

/// A lookup table of `vocabularySize` vectors of `dimensions` (`keras.layers.Embedding`,
/// `torch.nn.Embedding`); input is `int32` token ids of any shape.
///
/// With a `paddingIndex`, that row starts at zero and receives no gradient, as in PyTorch.
/// With `maskZero` (Keras's `mask_zero`), id 0 is padding: in a ``Sequential`` the layers after
/// it that take masks (recurrent layers, attention) step over the padded positions (``MaskAware``).
public final class Embedding: Module {
    public let vocabularySize: Int
    public let dimensions: Int
    public let paddingIndex: Int?
    /// Whether id 0 marks padding that the following layers mask out.
    public let maskZero: Bool
    public let weight: Tensor

    public init(vocabularySize: Int, dimensions: Int, paddingIndex: Int? = nil, maskZero: Bool = false,
                initializer: Initializer = .uniform(low: -0.05, high: 0.05)) {
        layerRequire(vocabularySize > 0 && dimensions > 0, "Embedding: sizes must be positive")
        if let paddingIndex {
            layerRequire(paddingIndex >= 0 && paddingIndex < vocabularySize,
                         "Embedding: paddingIndex \(paddingIndex) is outside 0..<\(vocabularySize)")
        }
        self.vocabularySize = vocabularySize
        self.dimensions = dimensions
        self.paddingIndex = paddingIndex
        self.maskZero = maskZero
        let w = initializer.make([vocabularySize, dimensions])
        if let paddingIndex {
            w.floats.advanced(by: paddingIndex * dimensions).update(repeating: 0, count: dimensions)
        }
        weight = w.requiringGrad()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.dtype == .int32, "Embedding: expected int32 token ids, got \(input.dtype) \(input.shape)")
        let out = Tensor.embedding(weight, input)
        guard let paddingIndex, out.requiresGrad else { return out }
        // Block the gradient into the padding row without changing the values looked up (as
        // PyTorch: a padding row that was loaded or trained to non-zero values is returned as
        // it is): `frozen + (out − frozen) · mask` equals `out` exactly, and its gradient
        // reaches the weight only where the id is not the padding index.
        let mask = input.cast(to: .float32).notEqual(Tensor(Float(paddingIndex))).unsqueeze(-1)
        let frozen = out.detach()
        return frozen + (out - frozen) * mask
    }
}

extension Embedding: MaskAware {
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { forward(input) }

    /// With ``maskZero``, 1 where the id is not 0 (`[batch, time]` float32); otherwise the mask it received.
    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? {
        guard maskZero else { return mask }
        return Tensor.withoutGrad { input.cast(to: .float32).notEqual(Tensor(Float(0))) }
    }
}
