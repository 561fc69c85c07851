import LeptonTensor

/// A compiled graph: every value has a slot, every node a kernel reading and writing slots,
/// and each slot is released after its last reader so intermediate tensors do not pile up.
struct ONNXProgram {
    /// One node ready to run.
    struct Step {
        /// `node #3 'conv1' (Conv)`, prefixed to errors the kernel throws.
        let label: String
        let opType: String
        let kernel: ONNXKernel
        /// Slot of each input, nil for a left-out optional input.
        let inputs: [Int?]
        /// Slot of each output, nil for an unused output.
        let outputs: [Int?]
        /// Slots no later step reads, cleared after this step.
        var releases: [Int]
    }

    let slotCount: Int
    /// Slot of each graph input (in ``ONNXGraph/inputs`` order).
    let inputSlots: [Int]
    /// Slot of each initializer (in ``ONNXGraph/initializers`` order).
    let initializerSlots: [Int]
    /// Slot of each graph output.
    let outputSlots: [Int]
    let steps: [Step]

    /// Runs the steps on the given input and initializer values; `observe` sees each step's
    /// outputs (for shape listings).
    func run(inputs: [ONNXValue], initializers: [ONNXValue],
             observe: ((Step, [ONNXValue?]) -> Void)? = nil) throws -> [ONNXValue] {
        var slots = [ONNXValue?](repeating: nil, count: slotCount)
        for (slot, value) in zip(inputSlots, inputs) { slots[slot] = value }
        for (slot, value) in zip(initializerSlots, initializers) { slots[slot] = value }
        // Graph outputs may also be inputs or initializers: keep them alive.
        let keep = Set(outputSlots)
        for step in steps {
            let values = step.inputs.map { $0.flatMap { slots[$0] } }
            let results: [ONNXValue]
            do {
                results = try step.kernel.run(values)
            } catch let error as ONNXError {
                throw ONNXError(error.description, context: step.label)
            }
            var written: [ONNXValue?] = []
            for (k, slot) in step.outputs.enumerated() {
                guard let slot else { written.append(nil); continue }
                guard k < results.count else {
                    throw ONNXError("computed \(results.count) output(s) but output \(k) is requested", context: step.label)
                }
                let value = results[k].normalized()
                guard value.elementType == step.kernel.outputTypes[k] else {
                    throw ONNXError("output \(k) is \(value.elementType), expected \(step.kernel.outputTypes[k])", context: step.label)
                }
                slots[slot] = value
                written.append(value)
            }
            observe?(step, written)
            for slot in step.releases where !keep.contains(slot) { slots[slot] = nil }
        }
        return try outputSlots.map { slot in
            guard let value = slots[slot] else { throw ONNXError("a graph output was not computed") }
            return value
        }
    }
}
