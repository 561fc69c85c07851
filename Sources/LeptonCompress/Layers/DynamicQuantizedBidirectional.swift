import LeptonNN
import LeptonTensor

/// A ``Bidirectional`` recurrent layer with dynamic int8 quantisation: two
/// ``DynamicQuantizedRecurrent`` layers, one per direction, merged as the float layer merges them
/// (the backward outputs put back at their own time steps; masks as in ``Bidirectional``).
///
/// ```swift
/// let int8 = DynamicQuantizedBidirectional(bidirectional)   // a built Bidirectional(LSTM(...))
/// ```
public final class DynamicQuantizedBidirectional: Module, MaskAware {
    /// The direction from the first step to the last.
    public let forwardLayer: DynamicQuantizedRecurrent
    /// The direction from the last step to the first (its own weights).
    public let backwardLayer: DynamicQuantizedRecurrent
    public let mergeMode: Bidirectional.MergeMode

    /// The two directions (`backward` defaults to zero weights of `forward`'s configuration, to be loaded).
    public init(forward: DynamicQuantizedRecurrent, backward: DynamicQuantizedRecurrent? = nil, mergeMode: Bidirectional.MergeMode = .concat) {
        forwardLayer = forward
        backwardLayer = backward ?? DynamicQuantizedRecurrent(cell: forward.cell, units: forward.units, inputDimensions: forward.inputDimensions,
                                                              returnSequences: forward.returnSequences, goBackwards: true,
                                                              useBias: forward.useBias)
        self.mergeMode = mergeMode
        super.init()
    }

    /// The int8 form of a built `Bidirectional` (`reduceRange`: codes in -64...64).
    public convenience init(_ layer: Bidirectional, reduceRange: Bool = false) {
        self.init(forward: DynamicQuantizedRecurrent(layer.forwardLayer, reduceRange: reduceRange),
                  backward: DynamicQuantizedRecurrent(layer.backwardLayer, reduceRange: reduceRange),
                  mergeMode: layer.mergeMode)
    }

    /// Whether every step's output is returned.
    public var returnSequences: Bool { forwardLayer.returnSequences }

    /// The int8 kernels both directions run.
    public var kernelPath: Int8KernelPath {
        get { forwardLayer.kernelPath }
        set { forwardLayer.kernelPath = newValue; backwardLayer.kernelPath = newValue }
    }

    public override func forward(_ input: Tensor) -> Tensor { run(input, mask: nil) }

    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { run(input, mask: mask) }

    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? { returnSequences ? mask : nil }

    func run(_ input: Tensor, mask: Tensor?) -> Tensor {
        let sequences = returnSequences
        let f = forwardLayer.run(input, mask: mask, options: RecurrentSequenceOptions(returnSequences: sequences, zeroMaskedOutputs: sequences))
        let b = backwardLayer.run(input, mask: mask, options: RecurrentSequenceOptions(reverse: true, outputsInProcessingOrder: false,
                                                                                      returnSequences: sequences, zeroMaskedOutputs: sequences))
        switch mergeMode {
        case .concat: return Tensor.concatenate([f, b], axis: -1)
        case .sum: return f + b
        case .average: return (f + b) * 0.5
        case .multiply: return f * b
        }
    }
}
