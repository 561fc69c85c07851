import LeptonTensor

/// Peephole fusions over a compiled graph's steps, made at import: each replaces a pattern of
/// nodes with one kernel that computes the same values in fewer passes over memory.
enum ONNXFusion {
    /// Applies every fusion; `outputs` are the graph's output slots (never fused away).
    static func fuse(_ steps: inout [ONNXProgram.Step], outputs: Set<Int>) {
        fuseSiLU(&steps, outputs: outputs)
    }

    /// `Mul(x, Sigmoid(x))` in either order — the SiLU of YOLO, EfficientNet and their kin — as
    /// one pass (``LeptonTensor/Tensor/silu()``), when the sigmoid's value is read by that
    /// product alone and is not a graph output. The product rounds as the pair did.
    static func fuseSiLU(_ steps: inout [ONNXProgram.Step], outputs: Set<Int>) {
        var readers: [Int: [Int]] = [:]
        for (i, step) in steps.enumerated() {
            for case let slot? in step.inputs { readers[slot, default: []].append(i) }
        }
        var removed = Set<Int>()
        for (i, sigmoid) in steps.enumerated() where sigmoid.opType == "Sigmoid" {
            guard sigmoid.inputs.count == 1, let x = sigmoid.inputs[0], sigmoid.outputs.count == 1,
                  let s = sigmoid.outputs[0], !outputs.contains(s), let users = readers[s], users.count == 1 else { continue }
            let j = users[0]
            let product = steps[j]
            guard product.opType == "Mul", product.inputs.count == 2, Set(product.inputs.compactMap { $0 }) == [x, s],
                  product.outputs.count == 1, product.kernel.outputTypes.count == 1 else { continue }
            steps[j] = ONNXProgram.Step(label: product.label + " (SiLU, with " + sigmoid.label + ")", opType: "SiLU",
                                        kernel: silu(product.kernel.outputTypes[0]), inputs: [x], outputs: product.outputs,
                                        releases: [])
            removed.insert(i)
        }
        steps = steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// `x · sigmoid(x)` of a floating-point value.
    static func silu(_ type: ONNXElementType) -> ONNXKernel {
        ONNXKernel(type) { inputs in
            let x = inputs[0]!
            return x.with(x.tensor.silu())
        }
    }
}
