import LeptonTensor

/// A fully connected recurrent layer (`keras.layers.SimpleRNN`, and `torch.nn.RNN` with
/// `batch_first=True`): `h_t = activation(x_t · kernel + bias + h_{t−1} · recurrentKernel)`.
///
/// One gate: ``RecurrentLayer/kernel`` is `[features, units]`, ``RecurrentLayer/recurrentKernel``
/// `[units, units]`. PyTorch's weights are `weight_ih_l0 = kernelᵀ`,
/// `weight_hh_l0 = recurrentKernelᵀ`, `bias_ih_l0 + bias_hh_l0 = bias`. Masks, initial states and
/// the output shapes are described on ``RecurrentLayer``.
///
/// ```swift
/// let rnn = SimpleRNN(units: 32)
/// let last = rnn(Tensor.ones([4, 10, 8]))   // [4, 32]
/// ```
public final class SimpleRNN: RecurrentLayer {
    /// The nonlinearity: `.tanh` (the default) or `.relu`.
    public let activation: ActivationFunction

    /// - Parameters:
    ///   - units: size of the hidden state.
    ///   - activation: `.tanh` or `.relu` (PyTorch's two choices).
    ///   - returnSequences: return every step's output instead of the last one.
    ///   - inputDimensions: input features; when nil, taken from the first input.
    ///   - goBackwards: process the sequence in reverse (Keras's `go_backwards`).
    ///   - zeroOutputForMask: output zeros at masked steps instead of the previous output.
    ///   - useBias: whether the layer has a bias.
    ///   - kernelInitializer: Keras's default is Glorot uniform.
    ///   - recurrentInitializer: Keras's default is orthogonal.
    ///   - biasInitializer: Keras's default is zeros.
    public init(units: Int, activation: ActivationFunction = .tanh, returnSequences: Bool = false,
                inputDimensions: Int? = nil, goBackwards: Bool = false, zeroOutputForMask: Bool = false,
                useBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
                recurrentInitializer: Initializer = .orthogonal(gain: 1), biasInitializer: Initializer = .zeros) {
        recurrentRequire(activation == .tanh || activation == .relu,
                     "SimpleRNN: activation must be .tanh or .relu, got .\(activation)")
        self.activation = activation
        super.init(cell: activation == .tanh ? .rnnTanh : .rnnRelu, units: units, returnSequences: returnSequences,
                   goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask, useBias: useBias,
                   kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                   biasInitializer: biasInitializer)
        if let inputDimensions { build(inputDimensions: inputDimensions) }
    }

    override func makeSibling() -> RecurrentLayer {
        SimpleRNN(units: units, activation: activation, returnSequences: returnSequences,
                  inputDimensions: inputDimensions, goBackwards: !goBackwards, zeroOutputForMask: zeroOutputForMask,
                  useBias: useBias, kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
                  biasInitializer: biasInitializer)
    }
}
