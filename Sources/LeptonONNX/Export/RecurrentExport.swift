import LeptonNN
import LeptonTensor

/// `SimpleRNN`, `LSTM`, `GRU` and `Bidirectional` as ONNX `RNN`, `LSTM` and `GRU`.
///
/// Lepton's batch-first input is transposed to ONNX's time-major `[seq, batch, features]`. The
/// weights become ONNX's `W = kernelᵀ`, `R = recurrentKernelᵀ` with the gate blocks in ONNX's
/// order (LSTM: Lepton's `[i, f, g, o]` → ONNX's `[i, o, f, c]`; GRU: `[z, r, n]` is already
/// ONNX's `[z, r, h]`), and `B = [bias, recurrent bias]` (zeros for the second half of the LSTM
/// and simple RNN, whose single bias Lepton adds once). Lepton's GRU is PyTorch's, which is
/// ONNX's `linear_before_reset = 1`.
///
/// `go_backwards` (which returns the sequence in processing order) runs forward over the input
/// reversed along time; `Bidirectional` uses `direction = bidirectional`, whose backward
/// outputs sit at their own time steps as in Lepton.
///
/// The graph has no mask input: Lepton's masks are arguments of `run(_:mask:)`, which a
/// `Sequential` model never passes, so every step is real in both. (ONNX's `sequence_lens`
/// would equal a Lepton mask only for right-padded sequences, with zeros at padded outputs as
/// `zeroOutputForMask`; left padding and masks with holes have no ONNX form.)
struct RecurrentConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [SimpleRNN.self, LSTM.self, GRU.self, Bidirectional.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        let layers: [RecurrentLayer]
        let merge: Bidirectional.MergeMode?
        if let bidirectional = layer as? Bidirectional {
            layers = [bidirectional.forwardLayer, bidirectional.backwardLayer]
            merge = bidirectional.mergeMode
        } else {
            layers = [layer as! RecurrentLayer]
            merge = nil
        }
        let first = layers[0]
        let (steps, units, directions) = (step.inputShape[0], first.units, layers.count)
        var timeMajor = g.transpose(step.input, [1, 0, 2])
        if first.goBackwards {
            timeMajor = g.node("Slice", [timeMajor, g.int64s([-1], name: "starts"), g.int64s([Int64.min], name: "ends"),
                                         g.int64s([0], name: "axes"), g.int64s([-1], name: "steps")])
        }
        var inputs = [timeMajor, g.initializer(stacked(layers.map { gates($0, $0.kernel!) }), name: "W"),
                      g.initializer(stacked(layers.map { gates($0, $0.recurrentKernel!) }), name: "R")]
        if first.useBias { inputs.append(g.initializer(stacked(layers.map(biases)), name: "B")) }
        var attributes: [Onnx_AttributeProto] = [.int("hidden_size", units),
                                                 .string("direction", directions == 2 ? "bidirectional" : "forward")]
        let op: String
        switch first.cell {
        case .lstm: op = "LSTM"
        case .gru: op = "GRU"; attributes.append(.int("linear_before_reset", 1))
        case .rnnTanh, .rnnRelu:
            op = "RNN"
            attributes.append(.strings("activations", Array(repeating: first.cell == .rnnTanh ? "Tanh" : "Relu", count: directions)))
        }
        let outputs = g.nodeOutputs(op, inputs, outputs: first.cell == .lstm ? 3 : 2, attributes: attributes)
        // Y is [seq, directions, batch, units]; Y_h is [directions, batch, units].
        let (value, perm, shape) = first.returnSequences
            ? (outputs[0], [2, 0, 1, 3], [steps, directions, units])
            : (outputs[1], [1, 0, 2], [directions, units])
        let batchFirst = g.transpose(value, perm)
        guard let merge, merge != .concat else { return g.reshape(batchFirst, [-1] + shape.dropLast(2) + [directions * units]) }
        // The two directions sit on the axis before the features: reduce it.
        let axis = shape.count - 1
        switch merge {
        case .multiply: return g.reduce("ReduceProd", batchFirst, axes: [axis], keepDims: false)
        case .sum, .average:
            let sum = g.node("ReduceSum", [batchFirst, g.ints([axis], name: "axes")], .int("keepdims", 0))
            return merge == .sum ? sum : g.node("Mul", [sum, g.scalar(0.5, name: "half")])
        case .concat: fatalError("unreachable: concat returned above")
        }
    }

    /// `[gates·units, rows]`: the transpose of a Lepton kernel with ONNX's gate order.
    private func gates(_ layer: RecurrentLayer, _ kernel: Tensor) -> Tensor {
        reordered(layer, kernel, axis: 1).transposed()
    }

    /// ONNX's `[bias, recurrent bias]`, each in ONNX's gate order.
    private func biases(_ layer: RecurrentLayer) -> Tensor {
        let width = layer.cell.gates * layer.units
        let recurrent = layer.recurrentBias ?? Tensor.zeros([width])
        return Tensor.concatenate([reordered(layer, layer.bias!, axis: 0), reordered(layer, recurrent, axis: 0)])
    }

    /// The LSTM's `[i, f, g, o]` blocks along `axis` as ONNX's `[i, o, f, c]`; other cells unchanged.
    private func reordered(_ layer: RecurrentLayer, _ tensor: Tensor, axis: Int) -> Tensor {
        guard layer.cell == .lstm else { return tensor }
        let blocks = tensor.split(parts: 4, axis: axis)
        return Tensor.concatenate([blocks[0], blocks[3], blocks[1], blocks[2]], axis: axis)
    }

    /// One tensor per direction, stacked on a new first axis.
    private func stacked(_ tensors: [Tensor]) -> Tensor { Tensor.stack(tensors, axis: 0) }
}
