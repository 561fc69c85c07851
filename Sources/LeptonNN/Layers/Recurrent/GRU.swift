import LeptonTensor

/// Gated recurrent unit, PyTorch's variant (`torch.nn.GRU` with `batch_first=True`; Keras's
/// `keras.layers.GRU(reset_after=True)`, its default): the reset gate multiplies the recurrent
/// product, so there are two biases.
///
/// Gates along the last axis of the kernels and biases are `[z, r, n]` (update, reset,
/// candidate), Keras's order (PyTorch's is `[r, z, n]`: swap the first two blocks to convert):
///
/// ```
/// [x_z, x_r, x_n] = x_t · kernel + bias
/// [h_z, h_r, h_n] = h_{t−1} · recurrentKernel + recurrentBias
/// z = σ(x_z + h_z),  r = σ(x_r + h_r),  n = tanh(x_n + r ⊙ h_n)
/// h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n
/// ```
///
/// PyTorch's weights are `weight_ih_l0 = kernelᵀ`, `weight_hh_l0 = recurrentKernelᵀ`,
/// `bias_ih_l0 = bias`, `bias_hh_l0 = recurrentBias` (each with the gate blocks reordered).
/// Masks, initial states and the output shapes are described on ``RecurrentLayer``.
///
/// ```swift
/// let gru = GRU(units: 64, returnSequences: true)
/// let y = gru(Tensor.ones([8, 20, 16]))   // [8, 20, 64]
/// ```
public final class GRU: RecurrentLayer {
    /// - Parameters:
    ///   - units: size of the hidden state.
    ///   - returnSequences: return every step's output instead of the last one.
    ///   - inputDimensions: input features; when nil, taken from the first input.
    ///   - goBackwards: process the sequence in reverse (Keras's `go_backwards`).
    ///   - zeroOutputForMask: output zeros at masked steps instead of the previous output.
    ///   - useBias: whether the layer has the two biases.
    ///   - kernelInitializer: Keras's default is Glorot uniform.
    ///   - recurrentInitializer: Keras's default is orthogonal.
    ///   - biasInitializer: fills both biases; Keras's default is zeros.
    public init(units: Int, returnSequences: Bool = false, inputDimensions: Int? = nil,
                goBackwards: Bool = false, zeroOutputForMask: Bool = false, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform,
                recurrentInitializer: Initializer = .orthogonal(gain: 1), biasInitializer: Initializer = .zeros) {
        super.init(cell: .gru, units: units, returnSequences: returnSequences, goBackwards: goBackwards,
                   zeroOutputForMask: zeroOutputForMask, useBias: useBias, kernelInitializer: kernelInitializer,
                   recurrentInitializer: recurrentInitializer, biasInitializer: biasInitializer)
        if let inputDimensions { build(inputDimensions: inputDimensions) }
    }

    override func makeSibling() -> RecurrentLayer {
        GRU(units: units, returnSequences: returnSequences, inputDimensions: inputDimensions,
            goBackwards: !goBackwards, zeroOutputForMask: zeroOutputForMask, useBias: useBias,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer)
    }
}
