import LeptonNN
import LeptonONNX
import LeptonTensor

/// ONNX export of the quantised layers in QDQ form (ONNX Runtime's static quantisation format):
/// the float input goes through `QuantizeLinear` → `DequantizeLinear` with the layer's `uint8`
/// scale and zero point, the `int8` weights are stored as `INT8` initializers behind a per-channel
/// `DequantizeLinear`, then the float `MatMul`/`Conv`, bias and activation. ONNX Runtime fuses
/// these into its int8 kernels; Lepton's importer runs them as written.
///
/// ```swift
/// let proto = try ONNXExporter(additionalConverters: QuantizedLayers.onnxConverters).makeModel(model, inputShape: [28, 28, 1])
/// ```
extension QuantizedLayers {
    /// The converters of ``QuantizedDense`` and ``QuantizedConv2D``.
    public static let onnxConverters: [any ONNXLayerConverter] = [QuantizedDenseConverter(), QuantizedConv2DConverter()]
}

extension ONNXGraphBuilder {
    /// `DequantizeLinear(QuantizeLinear(x))` with a per-tensor `uint8` quantisation.
    func quantizeDequantize(_ x: String, _ q: ActivationQuantization) -> String {
        let scale = initializer(Tensor([q.scale], shape: []), name: "input_scale")
        let zeroPoint = initializer(Tensor(int32: [q.zeroPoint], shape: []), name: "input_zero_point", as: .uint8)
        return node("DequantizeLinear", [node("QuantizeLinear", [x, scale, zeroPoint]), scale, zeroPoint])
    }

    /// Per-channel `DequantizeLinear` of `int8` codes (`codes` laid out as `shape`, channels on `axis`).
    func dequantizedWeights(_ codes: [Int32], shape: [Int], scales: Tensor, axis: Int) -> String {
        let weights = initializer(Tensor(int32: codes, shape: shape), name: "kernel", as: .int8)
        let zeroPoints = initializer(Tensor(int32: [Int32](repeating: 0, count: scales.count), shape: [scales.count]),
                                     name: "kernel_zero_point", as: .int8)
        return node("DequantizeLinear", [weights, initializer(scales, name: "kernel_scale"), zeroPoints], .int("axis", axis))
    }
}

/// ``QuantizedDense``: QDQ input, `DequantizeLinear` of the `[in, units]` int8 kernel (per unit,
/// axis 1), `MatMul`, `Add` of the bias, the activation.
struct QuantizedDenseConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [QuantizedDense.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let dense = layer as! QuantizedDense
        let g = step.graph
        let (units, depth) = (dense.units, dense.inputDimensions)
        let stored = dense.kernel.int8s
        var codes = [Int32](repeating: 0, count: units * depth)
        for n in 0..<units { for k in 0..<depth { codes[k * units + n] = Int32(stored[n * depth + k]) } }
        let x = g.quantizeDequantize(step.input, dense.inputQuantization)
        var y = g.node("MatMul", [x, g.dequantizedWeights(codes, shape: [depth, units], scales: dense.kernelScale, axis: 1)])
        if let bias = dense.bias { y = g.node("Add", [y, g.initializer(bias, name: "bias")]) }
        return g.activation(dense.activation, y)
    }
}

/// ``QuantizedConv2D``: the channels-last input transposed to channels-first, QDQ, `Conv` with the
/// `DequantizeLinear` of the `[filters, C, KH, KW]` int8 kernel (per filter, axis 0) and the float
/// bias, the activation, a fused pooling as `MaxPool`, and the transpose back. `same` padding
/// becomes explicit pads.
struct QuantizedConv2DConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [QuantizedConv2D.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let conv = layer as! QuantizedConv2D
        let g = step.graph
        let (f, kh, kw, c) = (conv.filters, conv.kernelSize[0], conv.kernelSize[1], conv.inputChannels)
        let stored = conv.kernel.int8s
        var codes = [Int32](repeating: 0, count: f * kh * kw * c)
        for o in 0..<f { for y in 0..<kh { for x in 0..<kw { for ch in 0..<c {
            codes[((o * c + ch) * kh + y) * kw + x] = Int32(stored[((o * kh + y) * kw + x) * c + ch])
        } } } }
        let (top, bottom) = conv.paddingAmounts(input: step.inputShape[0], axis: 0)
        let (left, right) = conv.paddingAmounts(input: step.inputShape[1], axis: 1)
        let x = g.quantizeDequantize(g.transpose(step.input, [0, 3, 1, 2]), conv.inputQuantization)
        var inputs = [x, g.dequantizedWeights(codes, shape: [f, c, kh, kw], scales: conv.kernelScale, axis: 0)]
        if let bias = conv.bias { inputs.append(g.initializer(bias, name: "bias")) }
        let y = g.node("Conv", inputs, .ints("kernel_shape", [kh, kw]), .ints("strides", conv.strides),
                       .ints("pads", [top, left, bottom, right]), .ints("dilations", [1, 1]), .int("group", 1))
        var activated = g.activation(conv.activation, y)
        if conv.poolSize != [1, 1] {
            activated = g.node("MaxPool", [activated], .ints("kernel_shape", conv.poolSize), .ints("strides", conv.poolSize))
        }
        return g.transpose(activated, [0, 2, 3, 1])
    }
}
