import CInt8
import LeptonNN
import LeptonTensor

/// A ``Dense`` layer in int8: the input is quantised per tensor to `uint8`
/// (``ActivationQuantization``), multiplied with per-channel symmetric `int8` weights into int32
/// sums, and dequantised with the bias and a fused ReLU in one pass. Made by
/// ``PostTrainingQuantizer``; saved and loaded like any registered layer.
///
/// The kernel is stored `[units, inputDimensions]` (one output unit per row, PyTorch's and
/// ONNX's `MatMulInteger`-transposed layout), so the kernels read it without packing.
public final class QuantizedDense: QuantizedLayer {
    public let units: Int
    public let inputDimensions: Int

    /// A layer with zero weights (to be loaded) or the given quantised ones (`[units, inputDimensions]`).
    public init(units: Int, inputDimensions: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                inputQuantization: ActivationQuantization, weights: WeightQuantization? = nil, bias: [Float]? = nil) {
        self.units = units
        self.inputDimensions = inputDimensions
        super.init(kernelShape: [units, inputDimensions], activation: activation, useBias: useBias,
                   inputQuantization: inputQuantization, weights: weights, bias: bias)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let features = input.shape.last ?? 0
        quantizedRequire(input.dtype == .float32 && features == inputDimensions,
                         "QuantizedDense: input is \(input.dtype) \(input.shape), expected float32 [..., \(inputDimensions)]")
        let rows = input.count / inputDimensions, depth = inputDimensions, units = units
        let codes = [UInt8](unsafeUninitializedCapacity: rows * depth) { buffer, initialized in
            inputQuantization.quantize(input.floats, count: rows * depth, into: buffer.baseAddress!, path: kernelPath)
            initialized = rows * depth
        }
        let output = Tensor(uninitializedShape: Array(input.shape.dropLast()) + [units])
        let epilogue = self.epilogue
        let path = kernelPath.code
        let weights = UnsafePointer(kernel.int8s), out = output.floats
        codes.withUnsafeBufferPointer { x in
            epilogue.withC(sums: kernelSum, bias: bias) { e in
                Parallel.forRanges(rows, grain: max(4, (1 << 19) / max(1, units * depth))) { range in
                    lepton_int8_dense(path, Int64(range.lowerBound), Int64(range.upperBound), Int64(units), Int64(depth),
                                      x.baseAddress!, weights, e, out)
                }
            }
        }
        return activated(output)
    }
}

extension QuantizedDense: ConfigurableLayer {
    public static let typeName = "QuantizedDense"
    public static let configKeys = ["units", "input_dim", "activation", "use_bias"] + QuantizedLayerConfig.inputKeys

    public convenience init(config c: ConfigReader) throws {
        let units = try c.requiredSize("units"), inputs = try c.requiredSize("input_dim")
        let useBias = try c.bool("use_bias", default: true)
        try c.checkWeights([[units, inputs], [units], [units]] + (useBias ? [[units]] : []), sizedBy: "units")
        self.init(units: units, inputDimensions: inputs, activation: try c.choice("activation", default: .linear),
                  useBias: useBias, inputQuantization: try QuantizedLayerConfig.input(c))
    }

    public var config: [String: ConfigValue] {
        ["units": .int(units), "input_dim": .int(inputDimensions), "activation": .string(activation.rawValue),
         "use_bias": .bool(useBias)].merging(QuantizedLayerConfig.config(inputQuantization)) { a, _ in a }
    }

    /// `[batch, …, inputDimensions]` → `[batch, …, units]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try Self.denseShape(input, inputDimensions: inputDimensions, units: units)
    }

    /// The shape check of an int8 dense layer (static or dynamic): a float input ending in
    /// `inputDimensions`, within the operation limits.
    static func denseShape(_ input: TensorSpec, inputDimensions: Int, units: Int) throws -> ShapeInference {
        try input.require(.float32)
        guard input.rank >= 2, input.shape.last == inputDimensions else {
            throw ConfigError("expected an input [batch, ..., \(inputDimensions)] (input_dim), got \(input)")
        }
        try LayerLimits.checkOperations([input.shape.dropLast().reduce(1, *), inputDimensions, units], "the matrix product")
        return ShapeInference(output: input.with(shape: input.shape.dropLast() + [units]))
    }
}
