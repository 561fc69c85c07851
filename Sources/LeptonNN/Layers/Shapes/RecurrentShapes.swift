import LeptonTensor

// Shape inference of the recurrent layers (see ConfigurableLayer.inferShape).

extension RecurrentLayer {
    /// `[batch, time, features]` → `[batch, units]`, or `[batch, time, units]` with ``returnSequences``.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        try input.require(rank: 3, layout: "[batch, time, features]")
        let (b, t, f) = (input.shape[0], input.shape[1], input.shape[2])
        let width = cell.gates * units
        var built = 0
        if let kernel {
            guard kernel.shape[0] == f else {
                throw ConfigError("the input has \(f) features; expected \(kernel.shape[0]) (input_dim)")
            }
        } else {
            let biases = useBias ? (cell == .gru ? 2 : 1) : 0
            built = try LayerLimits.checkTensor([f, width], "the kernel of shape") + units * width + biases * width
        }
        try LayerLimits.checkTensor([b, t, width], "the input projection of shape")
        try LayerLimits.checkTensor([b, t + cell.stateCount, units], "the outputs and states of shape")
        try LayerLimits.checkOperations([b, t, f + units, width], "the recurrence")
        let out = returnSequences ? [b, t, units] : [b, units]
        return ShapeInference(output: input.with(shape: out), parametersBuilt: built)
    }
}

extension Bidirectional {
    /// Both directions' output, merged (`.concat` doubles the last axis).
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        let one = try forwardLayer.inferShape(input)
        var out = one.output.shape
        if mergeMode == .concat { out[out.count - 1] *= 2 }
        return ShapeInference(output: one.output.with(shape: out), parametersBuilt: 2 * one.parametersBuilt)
    }
}
