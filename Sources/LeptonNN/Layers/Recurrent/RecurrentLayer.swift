import LeptonTensor

/// The shared machinery of ``SimpleRNN``, ``LSTM`` and ``GRU``: Keras-style weights built
/// lazily from the first input, batch-first sequences, masks and initial states.
///
/// **Input** is `[batch, time, features]` (batch first, as Keras). The layer returns the last
/// output `[batch, units]`, or with `returnSequences` every output `[batch, time, units]`;
/// ``run(_:mask:initialState:)`` also returns the final states for sequence-to-sequence models.
///
/// **Weights** follow Keras's layout: ``kernel`` is `[features, gates·units]`, ``recurrentKernel``
/// is `[units, gates·units]`, ``bias`` is `[gates·units]`; the gate blocks along the last axis are
/// in the order documented by each cell (``RecurrentCell``). Each step computes
/// `x_t · kernel + bias + h_{t−1} · recurrentKernel` (the GRU adds ``recurrentBias`` to the
/// recurrent product). PyTorch stores the transposes (`weight_ih_l0 = kernelᵀ`,
/// `weight_hh_l0 = recurrentKernelᵀ`) and two biases whose sum is ``bias``.
///
/// **Masks** are `[batch, time]` floats, nonzero for real steps and 0 for padding (Keras's
/// semantics): at a masked step the states carry over unchanged and the output repeats the
/// previous output (zeros before the first real step), or is zero when `zeroOutputForMask`
/// is set. With right-padded sequences the last output and the final states are therefore those
/// of each sequence's last real step, exactly as if each sequence ran unpadded.
///
/// **Speed**: the input projection of every step is one matrix product
/// (`[batch·time, features] · [features, gates·units]`) before the loop; the loop itself and
/// backpropagation through time are one fused op
/// (``LeptonTensor/Tensor/recurrentSequence(_:inputProjection:recurrentKernel:bias:recurrentBias:initialStates:mask:options:)``),
/// one `[batch, units] · [units, gates·units]` product per step.
public class RecurrentLayer: Module {
    /// The cell (and so the gate layout) this layer runs.
    public let cell: RecurrentCell
    /// Size of the hidden state and of each output.
    public let units: Int
    /// Return every step's output (`[batch, time, units]`) or only the last (`[batch, units]`).
    public let returnSequences: Bool
    /// Process the sequence from its last step to its first (Keras's `go_backwards`); the
    /// returned sequence is then in processing order (reversed), as in Keras.
    public let goBackwards: Bool
    /// Output zeros at masked steps instead of repeating the previous output (Keras's
    /// `zero_output_for_mask`).
    public let zeroOutputForMask: Bool
    /// Whether the layer has biases.
    public let useBias: Bool
    /// Fills ``kernel`` when the layer is built.
    public let kernelInitializer: Initializer
    /// Fills ``recurrentKernel`` when the layer is built.
    public let recurrentInitializer: Initializer
    /// Fills the biases when the layer is built.
    public let biasInitializer: Initializer
    /// `[features, gates·units]`, created on the first call when the input size was not given.
    public internal(set) var kernel: Tensor?
    /// `[units, gates·units]`.
    public internal(set) var recurrentKernel: Tensor?
    /// `[gates·units]`, added to the input projection.
    public internal(set) var bias: Tensor?
    /// `[gates·units]`, added to the recurrent product (GRU only; nil for the other cells).
    public internal(set) var recurrentBias: Tensor?

    /// The name used in messages (`"LSTM"`).
    var layerName: String { String(describing: type(of: self)) }

    init(cell: RecurrentCell, units: Int, returnSequences: Bool, goBackwards: Bool, zeroOutputForMask: Bool,
         useBias: Bool, kernelInitializer: Initializer, recurrentInitializer: Initializer,
         biasInitializer: Initializer) {
        self.cell = cell
        self.units = units
        self.returnSequences = returnSequences
        self.goBackwards = goBackwards
        self.zeroOutputForMask = zeroOutputForMask
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        super.init()
        recurrentRequire(units > 0, "\(layerName): units must be positive, got \(units)")
    }

    /// Input features, once built.
    public var inputDimensions: Int? { kernel?.shape[0] }

    /// Creates the weights for inputs of `inputDimensions` features.
    public func build(inputDimensions: Int) {
        recurrentRequire(inputDimensions > 0, "\(layerName): inputDimensions must be positive, got \(inputDimensions)")
        let width = cell.gates * units
        kernel = kernelInitializer.make([inputDimensions, width]).requiringGrad()
        recurrentKernel = recurrentInitializer.make([units, width]).requiringGrad()
        if useBias {
            bias = makeBias().requiringGrad()
            if cell == .gru { recurrentBias = biasInitializer.make([width], fanIn: units, fanOut: width).requiringGrad() }
        }
    }

    /// The initial ``bias`` (the LSTM overrides it for its forget-gate bias).
    func makeBias() -> Tensor {
        biasInitializer.make([cell.gates * units], fanIn: kernel!.shape[0], fanOut: cell.gates * units)
    }

    /// A new, unbuilt layer with the same configuration but `goBackwards` and `returnSequences`
    /// as given (for ``Bidirectional``).
    func makeSibling() -> RecurrentLayer {
        fatalError("\(layerName) does not implement makeSibling()")
    }

    /// Runs the layer on `[batch, time, features]` and returns the output.
    public override func forward(_ input: Tensor) -> Tensor { run(input).output }

    /// Runs the layer with a `[batch, time]` mask (1 = real step, 0 = padding).
    public func callAsFunction(_ input: Tensor, mask: Tensor?) -> Tensor { run(input, mask: mask).output }

    /// Runs the layer and also returns its final states (`[h]`, or `[h, c]` for the LSTM, each
    /// `[batch, units]`), for sequence-to-sequence models.
    ///
    /// ```swift
    /// let encoder = LSTM(units: 64)
    /// let (_, states) = encoder.run(source, mask: sourceMask)
    /// let decoder = LSTM(units: 64, returnSequences: true)
    /// let y = decoder.run(target, initialState: states).output
    /// ```
    ///
    /// - Parameters:
    ///   - input: `[batch, time, features]`.
    ///   - mask: `[batch, time]`, nonzero for real steps (see the type's documentation).
    ///   - initialState: the states to start from (zeros when nil).
    /// - Returns: the output (`[batch, units]`, or `[batch, time, units]` with
    ///   ``returnSequences``) and the final states.
    public func run(_ input: Tensor, mask: Tensor? = nil, initialState: [Tensor]? = nil) -> (output: Tensor, states: [Tensor]) {
        let options = RecurrentSequenceOptions(reverse: goBackwards, outputsInProcessingOrder: goBackwards,
                                               returnSequences: returnSequences, zeroMaskedOutputs: zeroOutputForMask)
        return run(input, mask: mask, initialState: initialState, options: options)
    }

    /// ``run(_:mask:initialState:)`` with explicit sequence options.
    func run(_ input: Tensor, mask: Tensor?, initialState: [Tensor]?,
             options: RecurrentSequenceOptions) -> (output: Tensor, states: [Tensor]) {
        recurrentRequire(input.rank == 3 && input.dtype == .float32,
                     "\(layerName): expected a float32 input [batch, time, features], got \(input.dtype) shape \(input.shape)")
        let (batch, time, features) = (input.shape[0], input.shape[1], input.shape[2])
        recurrentRequire(time > 0, "\(layerName): the input has no time steps (shape \(input.shape))")
        if kernel == nil { build(inputDimensions: features) }
        recurrentRequire(kernel!.shape[0] == features,
                     "\(layerName): input has \(features) features (shape \(input.shape)), expected \(kernel!.shape[0])")
        if let mask {
            recurrentRequire(mask.shape == [batch, time],
                         "\(layerName): mask has shape \(mask.shape), expected [batch, time] = \([batch, time])")
        }
        let states: [Tensor]
        if let initialState {
            recurrentRequire(initialState.count == cell.stateCount,
                         "\(layerName): expected \(cell.stateCount) initial state tensor(s), got \(initialState.count)")
            for s in initialState {
                recurrentRequire(s.shape == [batch, units],
                             "\(layerName): initial state has shape \(s.shape), expected \([batch, units])")
            }
            states = initialState
        } else {
            states = (0..<cell.stateCount).map { _ in Tensor.zeros([batch, units], backend: input.backend) }
        }
        let width = cell.gates * units
        let projection = input.reshape([batch * time, features]).matmul(kernel!).reshape([batch, time, width])
        let packed = Tensor.recurrentSequence(cell, inputProjection: projection, recurrentKernel: recurrentKernel!,
                                              bias: bias, recurrentBias: recurrentBias, initialStates: states,
                                              mask: mask.map { $0.dtype == .float32 ? $0 : $0.cast(to: .float32) },
                                              options: options)
        let slots = options.returnSequences ? time : 1
        let output = options.returnSequences ? packed.slice(axis: 1, start: 0, end: time) : packed[.all, .at(0)]
        let finalStates = (0..<cell.stateCount).map { packed[.all, .at(slots + $0)] }
        return (output, finalStates)
    }
}

/// Stops with `message` when a caller broke a precondition; unlike `precondition`, the
/// message is also printed in optimised builds.
@inline(__always)
func recurrentRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
