import LeptonNN
import LeptonTensor

/// `Conv2DTranspose` as ONNX `ConvTranspose` (the kernel `[C, filters / groups, KH, KW]` is
/// already ONNX's layout). Lepton's output sizes (Keras's) become explicit pads and output
/// padding per axis; TensorFlow's odd `same` crop (one more row removed at the bottom than at
/// the top) is expressed as unequal begin and end pads, which `ConvTranspose` crops.
struct ConvTransposeConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Conv2DTranspose.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let conv = layer as! Conv2DTranspose
        let g = step.graph
        let last = conv.dataFormat == .channelsLast
        let (h, w) = (plan(conv, axis: 0), plan(conv, axis: 1))
        var inputs = [last ? g.transpose(step.input, [0, 3, 1, 2]) : step.input, g.initializer(conv.kernel!, name: "kernel")]
        if let bias = conv.bias { inputs.append(g.initializer(bias, name: "bias")) }
        let y = g.node("ConvTranspose", inputs, .ints("kernel_shape", conv.kernelSize), .ints("strides", conv.strides),
                       .ints("pads", [h.begin, w.begin, h.end, w.end]), .ints("output_padding", [h.outputPadding, w.outputPadding]),
                       .ints("dilations", conv.dilation), .int("group", conv.groups))
        let activated = g.activation(conv.activation, y)
        return last ? g.transpose(activated, [0, 2, 3, 1]) : activated
    }

    /// The pads and output padding of one axis that give Lepton's output size and alignment
    /// (the same cases as `Conv2DTranspose`'s own plan: an explicit output padding, `valid`,
    /// `same` with an even or an odd crop).
    private func plan(_ conv: Conv2DTranspose, axis: Int) -> (begin: Int, end: Int, outputPadding: Int) {
        let (k, s, d) = (conv.kernelSize[axis], conv.strides[axis], conv.dilation[axis])
        let span = d * (k - 1) + 1
        if let outputPadding = conv.outputPadding {
            let pad = conv.padding == .same ? span / 2 : 0
            return (pad, pad, outputPadding[axis])
        }
        switch conv.padding {
        case .valid:
            return (0, 0, max(s - span, 0))
        case .same:
            // The full result is (H − 1)·s + span; Lepton keeps H·s rows starting at total / 2.
            let total = max(span - s, 0)
            if total % 2 == 0 { return (total / 2, total / 2, s > span ? s - span : 0) }
            return (total / 2, total - total / 2, 0)
        }
    }
}
