import LeptonTensor

/// Long short-term memory (`keras.layers.LSTM`, and `torch.nn.LSTM` with `batch_first=True`).
///
/// Gates along the last axis of ``RecurrentLayer/kernel``, ``RecurrentLayer/recurrentKernel`` and
/// ``RecurrentLayer/bias`` are `[i, f, g, o]` (input, forget, cell candidate, output), the
/// order of both Keras and PyTorch:
///
/// ```
/// [i, f, g, o] = x_t · kernel + bias + h_{t−1} · recurrentKernel
/// c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
/// h_t = σ(o) ⊙ tanh(c_t)
/// ```
///
/// PyTorch's weights are `weight_ih_l0 = kernelᵀ`, `weight_hh_l0 = recurrentKernelᵀ`, and
/// `bias_ih_l0 + bias_hh_l0 = bias`. States are `[h, c]`. Masks, initial states and the output
/// shapes are described on ``RecurrentLayer``.
///
/// ```swift
/// let lstm = LSTM(units: 128)                       // features found on the first call
/// let last = lstm(Tensor.ones([64, 100, 32]))       // [64, 128]
/// ```
public final class LSTM: RecurrentLayer {
    /// Whether the forget-gate block of the bias starts at 1 (Keras's `unit_forget_bias`).
    public let unitForgetBias: Bool

    /// - Parameters:
    ///   - units: size of the hidden and cell states.
    ///   - returnSequences: return every step's output instead of the last one.
    ///   - inputDimensions: input features; when nil, taken from the first input.
    ///   - goBackwards: process the sequence in reverse (Keras's `go_backwards`).
    ///   - zeroOutputForMask: output zeros at masked steps instead of the previous output.
    ///   - useBias: whether the layer has a bias.
    ///   - unitForgetBias: start the forget-gate bias at 1 (Keras's default), on top of
    ///     `biasInitializer` for the other gates.
    ///   - kernelInitializer: Keras's default is Glorot uniform.
    ///   - recurrentInitializer: Keras's default is orthogonal.
    ///   - biasInitializer: Keras's default is zeros.
    public init(units: Int, returnSequences: Bool = false, inputDimensions: Int? = nil,
                goBackwards: Bool = false, zeroOutputForMask: Bool = false, useBias: Bool = true,
                unitForgetBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
                recurrentInitializer: Initializer = .orthogonal(gain: 1), biasInitializer: Initializer = .zeros) {
        self.unitForgetBias = unitForgetBias
        super.init(cell: .lstm, units: units, returnSequences: returnSequences, goBackwards: goBackwards,
                   zeroOutputForMask: zeroOutputForMask, useBias: useBias, kernelInitializer: kernelInitializer,
                   recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer)
        if let inputDimensions { build(inputDimensions: inputDimensions) }
    }

    override func makeBias() -> Tensor {
        let b = super.makeBias()
        if unitForgetBias { (b.floats + units).update(repeating: 1, count: units) }
        return b
    }

    override func makeSibling() -> RecurrentLayer {
        LSTM(units: units, returnSequences: returnSequences, inputDimensions: inputDimensions,
             goBackwards: !goBackwards, zeroOutputForMask: zeroOutputForMask, useBias: useBias,
             unitForgetBias: unitForgetBias, kernelInitializer: kernelInitializer,
             recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer)
    }
}
