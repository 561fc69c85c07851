import LeptonTensor

/// Control flow with body graphs: `If` (two branches), `Loop` (trip count and/or condition,
/// loop-carried values, scan outputs stacked per iteration) and `Scan` (opset 9 on: slicing
/// inputs along any axis, forward or reverse, stacking outputs). Bodies are compiled at import
/// like the main graph and may read values of the enclosing graphs.
extension ONNXOperators {
    static var controlFlow: [String: ONNXKernelBuilder] { ["If": ifOp, "Loop": loop, "Scan": scan] }

    /// The most iterations a `Loop` may run (a graph whose condition never turns false stops here).
    static let maximumIterations = 1 << 20

    /// The values the body graphs read from enclosing graphs, by name (they follow the node's inputs).
    static func outerValues(_ inputs: [ONNXValue?], ctx captured: [String], after count: Int) -> [String: ONNXValue] {
        var outer: [String: ONNXValue] = [:]
        for (k, name) in captured.enumerated() where count + k < inputs.count { outer[name] = inputs[count + k] }
        return outer
    }

    static let ifOp: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1, outputs: 1...Int.max)
        try ctx.type(0, in: [.bool])
        let thenBranch = try ctx.body("then_branch", inputTypes: []), elseBranch = try ctx.body("else_branch", inputTypes: [])
        guard thenBranch.outputTypes.count == ctx.outputCount, elseBranch.outputTypes.count == ctx.outputCount else {
            throw ctx.error("the branches give \(thenBranch.outputTypes.count) and \(elseBranch.outputTypes.count) outputs, the node has \(ctx.outputCount)")
        }
        guard thenBranch.outputTypes == elseBranch.outputTypes else {
            throw ctx.error("the branches' output types differ: \(thenBranch.outputTypes) and \(elseBranch.outputTypes)")
        }
        let captured = ctx.captured
        return ONNXKernel(outputTypes: thenBranch.outputTypes) { inputs in
            guard inputs[0]!.count == 1 else { throw ONNXError("cond must hold one value, got shape \(inputs[0]!.shape)") }
            let branch = inputs[0]!.ints[0] != 0 ? thenBranch : elseBranch
            return try branch.run([], outer: outerValues(inputs, ctx: captured, after: 1))
        }
    }

    static let loop: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...Int.max, outputs: 1...Int.max)
        if ctx.has(0) { try ctx.type(0, in: [.int64]) }
        if ctx.has(1) { try ctx.type(1, in: [.bool]) }
        let carriedCount = ctx.inputTypes.count - 2
        let carriedTypes = try (0..<carriedCount).map { try ctx.type(2 + $0) }
        let body = try ctx.body("body", inputTypes: [.int64, .bool] + carriedTypes)
        guard body.outputTypes.count >= 1 + carriedCount, body.outputTypes[0] == .bool,
              Array(body.outputTypes[1...carriedCount]) == carriedTypes else {
            throw ctx.error("the body must output the condition (BOOL) then the \(carriedCount) loop-carried values of types \(carriedTypes); it outputs \(body.outputTypes)")
        }
        let scanTypes = Array(body.outputTypes[(1 + carriedCount)...])
        guard ctx.outputCount <= carriedCount + scanTypes.count else {
            throw ctx.error("has \(ctx.outputCount) outputs, the body gives \(carriedCount) loop-carried values and \(scanTypes.count) scan outputs")
        }
        let captured = ctx.captured, inputCount = ctx.inputTypes.count
        return ONNXKernel(outputTypes: carriedTypes + scanTypes) { inputs in
            let tripCount = inputs[0].map { $0.ints.first ?? 0 }
            var condition = inputs[1].map { ($0.ints.first ?? 0) != 0 } ?? true
            var carried = (0..<carriedCount).map { inputs[2 + $0]! }
            var scans = [[ONNXValue]](repeating: [], count: scanTypes.count)
            let outer = outerValues(inputs, ctx: captured, after: inputCount)
            var i = 0
            while condition && (tripCount.map { i < $0 } ?? true) {
                guard i < maximumIterations else { throw ONNXError("the loop ran \(maximumIterations) iterations without stopping") }
                let results = try body.run([.ints([i], shape: []), .bools([condition], shape: [])] + carried, outer: outer)
                condition = (results[0].ints.first ?? 0) != 0
                carried = Array(results[1...carriedCount])
                for (k, value) in results[(1 + carriedCount)...].enumerated() {
                    if let first = scans[k].first, first.shape != value.shape {
                        throw ONNXError("scan output \(k) changes shape from \(first.shape) to \(value.shape) between iterations")
                    }
                    scans[k].append(value)
                }
                i += 1
            }
            let stacked = zip(scans, scanTypes).map { values, type -> ONNXValue in
                values.isEmpty ? ONNXValue.converting(Tensor.zeros([0]), to: type)
                    : ONNXValue(Tensor.stack(values.map(\.tensor), axis: 0), elementType: type)
            }
            return carried + stacked
        }
    }

    static let scan: ONNXKernelBuilder = { ctx in
        guard ctx.opset >= 9 else { throw ctx.error("Scan before opset 9 (batched, with sequence_lens) is not supported") }
        try ctx.expect(inputs: 1...Int.max, outputs: 1...Int.max)
        guard let scanCount = try ctx.int("num_scan_inputs"), scanCount >= 1, scanCount <= ctx.inputTypes.count else {
            throw ctx.error("attribute 'num_scan_inputs' must be between 1 and the number of inputs (\(ctx.inputTypes.count))")
        }
        let stateCount = ctx.inputTypes.count - scanCount
        let inputTypes = try (0..<ctx.inputTypes.count).map { try ctx.type($0) }
        let body = try ctx.body("body", inputTypes: inputTypes)
        guard body.outputTypes.count >= stateCount, Array(body.outputTypes[..<stateCount]) == Array(inputTypes[..<stateCount]) else {
            throw ctx.error("the body must output the \(stateCount) state values of types \(Array(inputTypes[..<stateCount])) first; it outputs \(body.outputTypes)")
        }
        let outputCount = body.outputTypes.count - stateCount
        let inputAxes = try ctx.ints("scan_input_axes") ?? Array(repeating: 0, count: scanCount)
        let inputDirections = try ctx.ints("scan_input_directions") ?? Array(repeating: 0, count: scanCount)
        let outputAxes = try ctx.ints("scan_output_axes") ?? Array(repeating: 0, count: outputCount)
        let outputDirections = try ctx.ints("scan_output_directions") ?? Array(repeating: 0, count: outputCount)
        guard inputAxes.count == scanCount, inputDirections.count == scanCount, outputAxes.count == outputCount,
              outputDirections.count == outputCount else {
            throw ctx.error("scan axes and directions must have one entry per scan input (\(scanCount)) and scan output (\(outputCount))")
        }
        let captured = ctx.captured, inputCount = ctx.inputTypes.count
        return ONNXKernel(outputTypes: body.outputTypes) { inputs in
            var states = (0..<stateCount).map { inputs[$0]! }
            let scanned = (0..<scanCount).map { inputs[stateCount + $0]! }
            let axes = try zip(scanned, inputAxes).map { try resolveAxis($1, rank: $0.rank) }
            let length = scanned[0].shape[axes[0]]
            for (v, a) in zip(scanned, axes) where v.shape[a] != length {
                throw ONNXError("scan inputs have different lengths along their scan axes (\(length) and \(v.shape[a]))")
            }
            let outer = outerValues(inputs, ctx: captured, after: inputCount)
            var collected = [[ONNXValue]](repeating: [], count: outputCount)
            for t in 0..<length {
                let slices = (0..<scanCount).map { k -> ONNXValue in
                    let index = inputDirections[k] == 1 ? length - 1 - t : t
                    var specs = [SliceSpec](repeating: .all, count: axes[k] + 1)
                    specs[axes[k]] = .at(index)
                    return scanned[k].with(scanned[k].tensor.slice(specs))
                }
                let results = try body.run(states + slices, outer: outer)
                states = Array(results[..<stateCount])
                for k in 0..<outputCount { collected[k].append(results[stateCount + k]) }
            }
            let outputs = try (0..<outputCount).map { k -> ONNXValue in
                let type = body.outputTypes[stateCount + k]
                guard let first = collected[k].first else { return ONNXValue.converting(Tensor.zeros([0]), to: type) }
                guard collected[k].allSatisfy({ $0.shape == first.shape }) else { throw ONNXError("scan output \(k) changes shape between iterations") }
                let values = outputDirections[k] == 1 ? collected[k].reversed() : collected[k]
                let axis = try resolveAxis(outputAxes[k], rank: first.rank + 1)
                return ONNXValue(Tensor.stack(values.map(\.tensor), axis: axis), elementType: type)
            }
            return states + outputs
        }
    }
}
