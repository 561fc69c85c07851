import LeptonNN
import LeptonTensor

/// A ``Dense`` layer with dynamic int8 quantisation (PyTorch's `quantize_dynamic`, ONNX Runtime's
/// `DynamicQuantizeLinear` + `MatMulInteger`): the weights are per-channel symmetric `int8`, stored
/// once; each call measures its input's range and quantises it per tensor to `uint8`, so no
/// calibration data is needed. The int32 sums are dequantised with `input scale × weight scale[n]`,
/// the bias and a fused ReLU; other activations run on the float output.
///
/// The kernel is stored `[units, inputDimensions]` (one output unit per row). Made by
/// ``DynamicQuantizer``; saved and loaded like any registered layer.
///
/// ```swift
/// let layer = DynamicQuantizedDense(Dense(units: 10, inputDimensions: 64))
/// let y = layer(x)   // float32 [batch, 10]
/// ```
public final class DynamicQuantizedDense: Module, MaskPreserving {
    public let units: Int
    public let inputDimensions: Int
    /// Applied after the affine map (ReLU inside the kernel; others on the float output).
    public let activation: ActivationFunction
    public let useBias: Bool
    /// The int8 kernels this layer runs (``Int8KernelPath/selected`` unless set; all paths agree).
    /// A path this CPU cannot run falls back to ``Int8KernelPath/selected``.
    public var kernelPath = Int8KernelPath.selected {
        didSet { if !kernelPath.isSupported { kernelPath = .selected } }
    }
    /// `int8 [units, inputDimensions]`.
    public private(set) var kernel: Tensor
    /// `float32 [units]`: each output unit's weight scale.
    public private(set) var kernelScale: Tensor
    /// `int32 [units]`: each output unit's sum of weight codes (for the input's zero point).
    public private(set) var kernelSum: Tensor
    /// `float32 [units]`.
    public private(set) var bias: Tensor?
    let packing = PackedInt8Weights()

    /// A layer with zero weights (to be loaded) or the given quantised ones (`[units, inputDimensions]`).
    public init(units: Int, inputDimensions: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                weights: WeightQuantization? = nil, bias: [Float]? = nil) {
        self.units = units
        self.inputDimensions = inputDimensions
        self.activation = activation
        self.useBias = useBias
        kernel = weights.map { Tensor(int8: $0.codes, shape: [units, inputDimensions]) }
            ?? Tensor.zeros([units, inputDimensions], dtype: .int8)
        kernelScale = weights.map { Tensor($0.scales, shape: [units]) } ?? Tensor.ones([units])
        kernelSum = weights.map { Tensor(int32: $0.sums, shape: [units]) } ?? Tensor.zeros([units], dtype: .int32)
        if useBias { self.bias = bias.map { Tensor($0, shape: [units]) } ?? Tensor.zeros([units]) }
        super.init()
    }

    /// The int8 form of a built `dense` (`reduceRange`: codes in -64...64, ``WeightQuantization``).
    public convenience init(_ dense: Dense, reduceRange: Bool = false) {
        self.init(kernel: dense.kernel!, bias: dense.bias, activation: dense.activation, reduceRange: reduceRange)
    }

    /// The int8 form of the affine map `x · kernel + bias` (`kernel` float32 `[inputDimensions, units]`,
    /// as ``Dense`` stores it), then `activation`.
    public convenience init(kernel: Tensor, bias: Tensor?, activation: ActivationFunction = .linear, reduceRange: Bool = false) {
        let (depth, units) = (kernel.shape[0], kernel.shape[1])
        self.init(units: units, inputDimensions: depth, activation: activation, useBias: bias != nil,
                  weights: WeightQuantization(transposing: kernel, reduceRange: reduceRange), bias: bias?.scalars)
    }

    /// The kernel in the layout the int8 kernels read (packed once, then reused until the codes change).
    var packedKernel: PackedInt8Weights.PackedKernel { packing.packed(kernel) }

    /// The product for inputs quantised with `input`, dequantised with the bias and a ReLU when
    /// the activation is ReLU; `packed` is ``packedKernel`` (fetched once for many calls).
    func product(input: ActivationQuantization, packed: PackedInt8Weights.PackedKernel? = nil) -> Int8Product {
        let packed = packed ?? packedKernel
        return Int8Product(packed: packed,
                    epilogue: Int8Epilogue(input: input, weightScales: kernelScale, relu: activation == .relu,
                                           narrowWeights: kernelPath == .avx2 && packed.narrow),
                    sums: kernelSum, bias: bias, units: units, depth: inputDimensions, path: kernelPath)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        quantizedRequire(input.dtype == .float32 && input.rank >= 1 && input.shape.last == inputDimensions,
                         "DynamicQuantizedDense: input is \(input.dtype) \(input.shape), expected float32 [..., \(inputDimensions)]")
        return callAsFunction(QuantizedInput(input, path: kernelPath))
    }

    /// The layer applied to an input quantised already (several layers reading one input quantise it once).
    func callAsFunction(_ input: QuantizedInput) -> Tensor {
        quantizedRequire(input.shape.last == inputDimensions,
                         "DynamicQuantizedDense: input is float32 \(input.shape), expected float32 [..., \(inputDimensions)]")
        let rows = input.count / inputDimensions
        let output = Tensor(uninitializedShape: Array(input.shape.dropLast()) + [units])
        let product = product(input: input.quantization), out = output.floats
        input.codes.withUnsafeBufferPointer { x in
            Parallel.forRanges(rows, grain: product.rowGrain) { range in product.run(rows: range, codes: x.baseAddress!, into: out) }
        }
        return QuantizedLayerConfig.fuses(activation) ? output : activation(output)
    }
}

/// A float32 input quantised per tensor on its own range, as the dynamic layers read it.
struct QuantizedInput {
    let shape: [Int]
    /// Number of elements (``codes`` holds 64 bytes more: the kernels read whole groups).
    let count: Int
    let quantization: ActivationQuantization
    let codes: [UInt8]

    init(_ input: Tensor, path: Int8KernelPath) {
        quantizedRequire(input.dtype == .float32 && input.rank >= 1,
                         "dynamic int8 layer: input is \(input.dtype) \(input.shape), expected float32 [..., features]")
        shape = input.shape
        count = input.count
        quantization = ActivationQuantization.measured(input.floats, count: input.count, path: path)
        codes = quantization.codes(input.floats, count: input.count, path: path)
    }
}

extension WeightQuantization {
    /// Per-channel quantisation of a float `[depth, channels]` kernel (Keras's layout), stored transposed.
    init(transposing kernel: Tensor, reduceRange: Bool = false) {
        let (depth, channels) = (kernel.shape[0], kernel.shape[1])
        let w = kernel.scalars
        var rows = [Float](repeating: 0, count: channels * depth)
        for k in 0..<depth { for n in 0..<channels { rows[n * depth + k] = w[k * channels + n] } }
        self.init(weights: rows, channels: channels, depth: depth, reduceRange: reduceRange)
    }
}

extension DynamicQuantizedDense: ConfigurableLayer {
    public static let typeName = "DynamicQuantizedDense"
    public static let configKeys = ["units", "input_dim", "activation", "use_bias"]

    public convenience init(config c: ConfigReader) throws {
        let units = try c.requiredSize("units"), inputs = try c.requiredSize("input_dim")
        let useBias = try c.bool("use_bias", default: true)
        try c.checkWeights([[units, inputs], [units], [units]] + (useBias ? [[units]] : []), sizedBy: "units")
        self.init(units: units, inputDimensions: inputs, activation: try c.choice("activation", default: .linear), useBias: useBias)
    }

    public var config: [String: ConfigValue] {
        ["units": .int(units), "input_dim": .int(inputDimensions), "activation": .string(activation.rawValue), "use_bias": .bool(useBias)]
    }

    /// `[batch, …, inputDimensions]` → `[batch, …, units]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try QuantizedDense.denseShape(input, inputDimensions: inputDimensions, units: units)
    }
}
