import LeptonTensor

/// A layer that takes part in Keras-style masking inside a ``Sequential``: it may make a mask of
/// its input's time steps (``Embedding`` with `maskZero`), use the mask it receives (recurrent
/// layers skip padded steps, attention ignores padded keys), and says what mask its output
/// carries. Masks are `[batch, time]` float32, 1 for a real step and 0 for padding.
///
/// ```swift
/// let model = Sequential([Embedding(vocabularySize: 10_000, dimensions: 64, maskZero: true),
///                         LSTM(units: 32), Dense(units: 1, activation: .sigmoid)])
/// // id 0 pads a sentence; the LSTM steps over the padding as if it were not there
/// ```
public protocol MaskAware: Module {
    /// The output for `input` whose time steps `mask` marks (called only with a mask).
    func forward(_ input: Tensor, mask: Tensor) -> Tensor
    /// The mask of the output for `input` carrying `mask` (nil: none).
    func outputMask(for input: Tensor, mask: Tensor?) -> Tensor?
}

/// A layer that works on each time step alone (``Dense``, ``Dropout``, ``Activation``,
/// ``LayerNormalization``, position encodings), so its output keeps its input's mask. Any other
/// layer that is not ``MaskAware`` ends the mask (``Flatten`` mixes the steps).
public protocol MaskPreserving: Module {}

extension MaskAware {
    /// A mask-using layer that keeps the mask (attention, sequence-returning recurrent layers).
    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? { mask }
}

extension Module {
    /// The mask of this layer's output when its input carries `mask` (see ``MaskAware``).
    package func propagatedMask(for input: Tensor, mask: Tensor?) -> Tensor? {
        if let aware = self as? MaskAware { return aware.outputMask(for: input, mask: mask) }
        return self is MaskPreserving ? mask : nil
    }

    /// The layer applied to `input`, passing `mask` to a layer that uses it.
    package func applied(to input: Tensor, mask: Tensor?) -> Tensor {
        if let mask, let aware = self as? MaskAware { return aware.forward(input, mask: mask) }
        return self(input)
    }
}

extension Dense: MaskPreserving {}
extension Dropout: MaskPreserving {}
extension Activation: MaskPreserving {}
extension LayerNormalization: MaskPreserving {}
extension PositionEmbedding: MaskPreserving {}
extension SinusoidalPositionEncoding: MaskPreserving {}

extension RecurrentLayer: MaskAware {
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { run(input, mask: mask).output }
    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? { returnSequences ? mask : nil }
}

extension Bidirectional: MaskAware {
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { run(input, mask: mask).output }
    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? { returnSequences ? mask : nil }
}

extension MultiHeadAttention: MaskAware {
    /// Self-attention in which no query attends to a padded key.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}

extension TransformerEncoderLayer: MaskAware {
    /// The block with padded keys masked.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}

extension TransformerEncoder: MaskAware {
    /// The stack with padded keys masked in every block.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}

extension Sequential {
    /// The indices of the layers that receive a mask and use it (a ``MaskAware`` layer after an
    /// ``Embedding`` with `maskZero`, while the layers between keep the mask), found by running
    /// one zero sample of `inputShape` — what an exporter must express beside the layers themselves.
    public func maskUsingLayers(inputShape: [Int], dtype: DType = .float32) -> [Int] {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return Tensor.withoutGrad {
            var x = Tensor.zeros([1] + inputShape, dtype: dtype), mask: Tensor?, using: [Int] = []
            for (index, layer) in layers.enumerated() {
                if mask != nil, layer is MaskAware, !(layer is Embedding) { using.append(index) }
                let y = layer.applied(to: x, mask: mask)
                mask = layer.propagatedMask(for: x, mask: mask)
                x = y
            }
            return using
        }
    }
}
