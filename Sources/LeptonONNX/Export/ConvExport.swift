import LeptonNN
import LeptonTensor

/// `Conv2D` and `Conv1D` as ONNX `Conv`. Lepton's kernels are already in ONNX's layout
/// (`[filters, C / groups, KH, KW]`, `[filters, C / groups, K]`); channels-last inputs are
/// transposed to channels-first and back around the convolution and its activation. `same`
/// padding becomes explicit pads with TensorFlow's split (the odd one after), as Lepton pads.
struct ConvConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Conv2D.self, Conv1D.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        if let conv = layer as? Conv2D {
            let last = conv.dataFormat == .channelsLast
            let (h, w) = last ? (step.inputShape[0], step.inputShape[1]) : (step.inputShape[1], step.inputShape[2])
            let (top, bottom) = samePadding(conv.padding, input: h, kernel: conv.kernelSize[0], stride: conv.strides[0],
                                            dilation: conv.dilation[0])
            let (left, right) = samePadding(conv.padding, input: w, kernel: conv.kernelSize[1], stride: conv.strides[1],
                                            dilation: conv.dilation[1])
            let x = last ? g.transpose(step.input, [0, 3, 1, 2]) : step.input
            let y = g.activation(conv.activation, g.conv(x, kernel: conv.kernel!, bias: conv.bias, strides: conv.strides,
                                                         pads: [top, left, bottom, right], dilations: conv.dilation,
                                                         groups: conv.groups))
            return last ? g.transpose(y, [0, 2, 3, 1]) : y
        }
        let conv = layer as! Conv1D
        let last = conv.dataFormat == .channelsLast
        let steps = last ? step.inputShape[0] : step.inputShape[1]
        let (left, right) = samePadding(conv.padding, input: steps, kernel: conv.kernelSize, stride: conv.strides,
                                        dilation: conv.dilation)
        let x = last ? g.transpose(step.input, [0, 2, 1]) : step.input
        let y = g.activation(conv.activation, g.conv(x, kernel: conv.kernel!, bias: conv.bias, strides: [conv.strides],
                                                     pads: [left, right], dilations: [conv.dilation], groups: conv.groups))
        return last ? g.transpose(y, [0, 2, 1]) : y
    }
}

extension ONNXGraphBuilder {
    /// ONNX `Conv` on a channels-first input, with `kernel` and `bias` as initializers.
    /// - Parameter pads: the begin pads of every spatial axis, then the end pads.
    public func conv(_ x: String, kernel: Tensor, bias: Tensor?, strides: [Int], pads: [Int], dilations: [Int],
                     groups: Int) -> String {
        var inputs = [x, initializer(kernel, name: "kernel")]
        if let bias { inputs.append(initializer(bias, name: "bias")) }
        return node("Conv", inputs, .ints("kernel_shape", Array(kernel.shape.dropFirst(2))), .ints("strides", strides),
                    .ints("pads", pads), .ints("dilations", dilations), .int("group", groups))
    }
}

/// `(before, after)` padding of one spatial axis: zero for `valid`; for `same`, TensorFlow's
/// rule (output `ceil(input / stride)`, the odd cell after), which is what Lepton's layers pad.
func samePadding(_ mode: PaddingMode, input: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
    guard mode == .same else { return (0, 0) }
    let span = dilation * (kernel - 1) + 1
    let out = (input + stride - 1) / stride
    let total = max(0, (out - 1) * stride + span - input)
    return (total / 2, total - total / 2)
}
