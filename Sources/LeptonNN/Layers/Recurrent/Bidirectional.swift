import LeptonTensor

/// Runs a recurrent layer over a sequence in both directions and merges the two outputs
/// (`keras.layers.Bidirectional`; with `.concat`, `torch.nn.LSTM(bidirectional=True)`).
///
/// The backward direction is a second layer of the same configuration with its own weights
/// (``backwardLayer``). It processes time from the last step to the first, and its outputs are
/// put back at their own time steps before merging, so output `t` of both directions describes
/// input step `t`.
///
/// **Masks** (`[batch, time]`, 1 = real step, 0 = padding) follow Keras. Masked steps leave the
/// states unchanged in both directions, so with right-padded sequences the backward direction
/// first skips the padding and then reads each sequence's real steps in reverse, from its own
/// last real step: exactly as if each sequence were reversed within its valid length (what
/// PyTorch's `pack_padded_sequence` computes). With `returnSequences`, the outputs at masked
/// steps are zeros in both directions (Keras forces `zero_output_for_mask` on both layers); the
/// last output (without `returnSequences`) is the forward output at each sequence's last real
/// step and the backward output at its first step.
///
/// ```swift
/// let encoder = Bidirectional(LSTM(units: 64, returnSequences: true))
/// let y = encoder(tokens, mask: mask)   // [batch, time, 128]
/// ```
public final class Bidirectional: Module {
    /// How the outputs of the two directions are combined.
    public enum MergeMode: String, Sendable, Codable, CaseIterable {
        /// `[forward, backward]` along the last axis (Keras's default): `2·units` features.
        case concat
        /// `forward + backward`.
        case sum
        /// `(forward + backward) / 2`.
        case average
        /// `forward ⊙ backward`.
        case multiply
    }

    /// The layer run from the first step to the last (the layer passed in).
    public let forwardLayer: RecurrentLayer
    /// The layer run from the last step to the first (same configuration, its own weights).
    public let backwardLayer: RecurrentLayer
    /// How the two outputs are combined.
    public let mergeMode: MergeMode

    /// Wraps `layer` (which must not have `goBackwards` set); the backward layer is a fresh copy
    /// of its configuration.
    public init(_ layer: RecurrentLayer, mergeMode: MergeMode = .concat) {
        recurrentRequire(!layer.goBackwards,
                     "Bidirectional: the wrapped \(layer.layerName) must not have goBackwards set; it is the forward direction")
        forwardLayer = layer
        backwardLayer = layer.makeSibling()
        self.mergeMode = mergeMode
    }

    /// Whether every step's output is returned (the wrapped layer's setting).
    public var returnSequences: Bool { forwardLayer.returnSequences }

    /// Runs both directions on `[batch, time, features]` and returns the merged output.
    public override func forward(_ input: Tensor) -> Tensor { run(input).output }

    /// Runs both directions with a `[batch, time]` mask (1 = real step, 0 = padding).
    public func callAsFunction(_ input: Tensor, mask: Tensor?) -> Tensor { run(input, mask: mask).output }

    /// Runs both directions and also returns the final states: the forward layer's
    /// (`[h]` or `[h, c]`) followed by the backward layer's.
    ///
    /// - Parameters:
    ///   - input: `[batch, time, features]`.
    ///   - mask: `[batch, time]`, nonzero for real steps.
    ///   - initialState: the forward states followed by the backward states (zeros when nil).
    /// - Returns: the merged output (`[batch, units]` or `[batch, time, units]`, with `2·units`
    ///   for `.concat`) and the four (LSTM) or two final states.
    public func run(_ input: Tensor, mask: Tensor? = nil, initialState: [Tensor]? = nil) -> (output: Tensor, states: [Tensor]) {
        let n = forwardLayer.cell.stateCount
        if let initialState {
            recurrentRequire(initialState.count == 2 * n,
                         "Bidirectional: expected \(2 * n) initial state tensors (forward then backward), got \(initialState.count)")
        }
        let sequences = forwardLayer.returnSequences
        let f = forwardLayer.run(input, mask: mask, initialState: initialState.map { Array($0[0..<n]) },
                                 options: RecurrentSequenceOptions(returnSequences: sequences, zeroMaskedOutputs: sequences))
        let b = backwardLayer.run(input, mask: mask, initialState: initialState.map { Array($0[n...]) },
                                  options: RecurrentSequenceOptions(reverse: true, outputsInProcessingOrder: false,
                                                                    returnSequences: sequences, zeroMaskedOutputs: sequences))
        let output: Tensor
        switch mergeMode {
        case .concat: output = Tensor.concatenate([f.output, b.output], axis: -1)
        case .sum: output = f.output + b.output
        case .average: output = (f.output + b.output) * 0.5
        case .multiply: output = f.output * b.output
        }
        return (output, f.states + b.states)
    }
}
