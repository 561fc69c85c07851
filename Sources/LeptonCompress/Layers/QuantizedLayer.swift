import LeptonNN
import LeptonTensor

/// What the quantised layers share: the input's `uint8` quantisation, the `int8` kernel with
/// its per-channel scales and code sums, the float bias, the activation (ReLU fused into the
/// kernels' epilogue, others applied to the float output) and the kernel path.
public class QuantizedLayer: Module {
    /// Applied after the affine map (ReLU inside the kernel; others on the float output).
    public let activation: ActivationFunction
    public let useBias: Bool
    /// How the float input becomes `uint8` codes.
    public let inputQuantization: ActivationQuantization
    /// The int8 kernels this layer runs (``Int8KernelPath/selected`` unless set; all paths agree).
    /// A path this CPU cannot run falls back to ``Int8KernelPath/selected``.
    public var kernelPath = Int8KernelPath.selected {
        didSet { if !kernelPath.isSupported { kernelPath = .selected } }
    }
    /// `int8`, one output channel per leading index.
    public private(set) var kernel: Tensor
    /// `float32 [channels]`: each output channel's weight scale.
    public private(set) var kernelScale: Tensor
    /// `int32 [channels]`: each output channel's sum of weight codes.
    public private(set) var kernelSum: Tensor
    /// `float32 [channels]`.
    public private(set) var bias: Tensor?

    /// A layer with zero weights of `kernelShape` (to be loaded) or the given quantised ones
    /// (`weights.codes` laid out as `kernelShape`).
    init(kernelShape: [Int], activation: ActivationFunction, useBias: Bool, inputQuantization: ActivationQuantization,
         weights: WeightQuantization?, bias: [Float]?) {
        let channels = kernelShape[0]
        self.activation = activation
        self.useBias = useBias
        self.inputQuantization = inputQuantization
        kernel = weights.map { Tensor(int8: $0.codes, shape: kernelShape) } ?? Tensor.zeros(kernelShape, dtype: .int8)
        kernelScale = weights.map { Tensor($0.scales, shape: [channels]) } ?? Tensor.ones([channels])
        kernelSum = weights.map { Tensor(int32: $0.sums, shape: [channels]) } ?? Tensor.zeros([channels], dtype: .int32)
        if useBias { self.bias = bias.map { Tensor($0, shape: [channels]) } ?? Tensor.zeros([channels]) }
        super.init()
    }

    /// The dequantisation the kernels apply.
    var epilogue: Int8Epilogue {
        Int8Epilogue(input: inputQuantization, weightScales: kernelScale, relu: activation == .relu,
                     narrowWeights: kernelPath == .avx2 && Int8Epilogue.narrow(kernel.int8s, count: kernel.count))
    }

    /// The kernels' float output with the activation they do not apply themselves.
    func activated(_ output: Tensor) -> Tensor {
        QuantizedLayerConfig.fuses(activation) ? output : activation(output)
    }
}
