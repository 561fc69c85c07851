import LeptonTensor

/// Indexing: `Gather` (Lepton's index-select, differentiable), `GatherElements`, `GatherND`,
/// `ScatterElements`/`Scatter`, `ScatterND`, `Compress`, `NonZero`, `ReverseSequence`.
/// Indices may be negative (counted from the end); an index out of range is an error.
extension ONNXOperators {
    static var indexing: [String: ONNXKernelBuilder] {
        [
            "Gather": gather, "GatherElements": gatherElements, "GatherND": gatherND,
            "ScatterElements": scatterElements, "Scatter": scatterElements, "ScatterND": scatterND,
            "Compress": compress, "NonZero": nonZero, "ReverseSequence": reverseSequence,
        ]
    }

    static let gather: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int32, .int64])
        let axis = try ctx.int("axis", default: 0)
        return ONNXKernel(type) { inputs in
            let (x, indices) = (inputs[0]!, inputs[1]!)
            let a = try resolveAxis(axis, rank: x.rank)
            let n = x.shape[a]
            let resolved = try indices.ints.map { try Index.resolve($0, n) }
            let picked = x.tensor.indexSelect(axis: a, Tensor(indices: resolved))
            return x.with(picked.reshape(Array(x.shape[..<a]) + indices.shape + Array(x.shape[(a + 1)...])))
        }
    }

    static let gatherElements: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int32, .int64])
        let axis = try ctx.int("axis", default: 0)
        return ONNXKernel(type) { inputs in
            let (x, indices) = (inputs[0]!, inputs[1]!)
            let a = try resolveAxis(axis, rank: x.rank)
            guard indices.rank == x.rank, (0..<x.rank).allSatisfy({ $0 == a || indices.shape[$0] <= x.shape[$0] }) else {
                throw ONNXError("indices shape \(indices.shape) must have the rank of data \(x.shape) and fit inside it outside axis \(axis)")
            }
            let resolved = try indices.ints.map { try Index.resolve($0, x.shape[a]) }
            if x.isFloating {
                // Lepton's gather wants equal shapes outside the axis: cut the data down first.
                let cut = x.tensor.slice((0..<x.rank).map { $0 == a ? .all : SliceSpec(start: 0, end: indices.shape[$0]) })
                return x.with(cut.gather(axis: a, Tensor(indices: resolved, shape: indices.shape)))
            }
            let strides = Shape.strides(x.shape)
            let source = x.doubles
            let values = (0..<indices.count).map { i -> Double in
                var index = Index.unravel(i, indices.shape)
                index[a] = resolved[i]
                return source[Index.offset(index, strides)]
            }
            return .fromDoubles(values, shape: indices.shape, type: type)
        }
    }

    static let gatherND: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        let batchDims = try ctx.int("batch_dims", default: 0)
        return ONNXKernel(type) { inputs in
            let (x, indices) = (inputs[0]!, inputs[1]!)
            guard indices.rank >= 1, batchDims >= 0, batchDims < Swift.min(x.rank, indices.rank),
                  x.shape[..<batchDims] == indices.shape[..<batchDims] else {
                throw ONNXError("batch_dims \(batchDims) does not fit data \(x.shape) and indices \(indices.shape)")
            }
            let depth = indices.shape[indices.rank - 1]
            guard depth >= 1, batchDims + depth <= x.rank else {
                throw ONNXError("index tuples of length \(depth) do not fit data of rank \(x.rank) with batch_dims \(batchDims)")
            }
            let batchCount = Shape.count(Array(x.shape[..<batchDims]))
            let tupleShape = Array(indices.shape[batchDims..<(indices.rank - 1)])
            let tuples = Shape.count(tupleShape)
            let sliceShape = Array(x.shape[(batchDims + depth)...])
            let sliceSize = Shape.count(sliceShape)
            let batchStride = Shape.count(Array(x.shape[batchDims...]))
            let strides = Shape.strides(Array(x.shape[batchDims..<(batchDims + depth)])).map { $0 * sliceSize }
            let (source, index) = (x.doubles, indices.ints)
            var values: [Double] = []
            values.reserveCapacity(batchCount * tuples * sliceSize)
            for b in 0..<batchCount {
                for t in 0..<tuples {
                    var offset = b * batchStride
                    for d in 0..<depth {
                        offset += try Index.resolve(index[(b * tuples + t) * depth + d], x.shape[batchDims + d]) * strides[d]
                    }
                    values += source[offset..<(offset + sliceSize)]
                }
            }
            return .fromDoubles(values, shape: Array(indices.shape[..<(indices.rank - 1)]) + sliceShape, type: type)
        }
    }

    /// Combines an existing value with an update (`reduction` of the scatter ops).
    static func scatterReduction(_ ctx: ONNXNodeContext) throws -> (Double, Double) -> Double {
        let reduction = ctx.opset >= 16 ? try ctx.choice("reduction", ctx.opset >= 18 ? ["none", "add", "mul", "max", "min"] : ["none", "add", "mul"]) : "none"
        switch reduction {
        case "add": return { $0 + $1 }
        case "mul": return { $0 * $1 }
        case "max": return { Swift.max($0, $1) }
        case "min": return { Swift.min($0, $1) }
        default: return { $1 }
        }
    }

    static let scatterElements: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 2])
        try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int32, .int64])
        let axis = try ctx.int("axis", default: 0)
        let combine = try scatterReduction(ctx)
        return ONNXKernel(type) { inputs in
            let (x, indices, updates) = (inputs[0]!, inputs[1]!, inputs[2]!)
            let a = try resolveAxis(axis, rank: x.rank)
            guard indices.shape == updates.shape, indices.rank == x.rank,
                  (0..<x.rank).allSatisfy({ $0 == a || indices.shape[$0] <= x.shape[$0] }) else {
                throw ONNXError("indices \(indices.shape) and updates \(updates.shape) must share a shape of data's rank that fits data \(x.shape)")
            }
            var out = x.doubles
            let (index, update, strides) = (indices.ints, updates.doubles, Shape.strides(x.shape))
            for i in 0..<indices.count {
                var position = Index.unravel(i, indices.shape)
                position[a] = try Index.resolve(index[i], x.shape[a])
                let o = Index.offset(position, strides)
                out[o] = combine(out[o], update[i])
            }
            return .fromDoubles(out, shape: x.shape, type: type)
        }
    }

    static let scatterND: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 2])
        try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        let combine = try scatterReduction(ctx)
        return ONNXKernel(type) { inputs in
            let (x, indices, updates) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard indices.rank >= 1 else { throw ONNXError("indices must have rank ≥ 1, got \(indices.shape)") }
            let depth = indices.shape[indices.rank - 1]
            let tupleShape = Array(indices.shape.dropLast())
            guard depth <= x.rank, updates.shape == tupleShape + Array(x.shape[depth...]) else {
                throw ONNXError("updates shape \(updates.shape) must be \(tupleShape + Array(x.shape[Swift.min(depth, x.rank)...])) for indices \(indices.shape) and data \(x.shape)")
            }
            let sliceSize = Shape.count(Array(x.shape[depth...]))
            let strides = Shape.strides(Array(x.shape[..<depth])).map { $0 * sliceSize }
            var out = x.doubles
            let (index, update) = (indices.ints, updates.doubles)
            for t in 0..<Shape.count(tupleShape) {
                var offset = 0
                for d in 0..<depth { offset += try Index.resolve(index[t * depth + d], x.shape[d]) * strides[d] }
                for j in 0..<sliceSize { out[offset + j] = combine(out[offset + j], update[t * sliceSize + j]) }
            }
            return .fromDoubles(out, shape: x.shape, type: type)
        }
    }

    static let compress: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.bool])
        let axis = try ctx.int("axis")
        return ONNXKernel(type) { inputs in
            let (x, condition) = (inputs[0]!, inputs[1]!)
            guard condition.rank == 1 else { throw ONNXError("condition must be 1-D, got \(condition.shape)") }
            let source = axis == nil ? x.tensor.reshape([x.count]) : x.tensor
            let a = try axis.map { try resolveAxis($0, rank: x.rank) } ?? 0
            guard condition.count <= source.shape[a] else {
                throw ONNXError("condition has \(condition.count) entries, more than the \(source.shape[a]) along the axis")
            }
            let kept = condition.ints.enumerated().filter { $0.element != 0 }.map(\.offset)
            return x.with(kept.isEmpty ? source.slice(axis: a, start: 0, end: 0) : source.indexSelect(axis: a, Tensor(indices: kept)))
        }
    }

    static let nonZero: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: ONNXElementType.allTypes)
        return ONNXKernel(.int64) { inputs in
            let x = inputs[0]!
            let values = x.doubles
            let hits = values.indices.filter { values[$0] != 0 }
            let rank = Swift.max(x.rank, 1)
            var out = [Int](repeating: 0, count: rank * hits.count)
            for (k, i) in hits.enumerated() {
                let index = x.rank == 0 ? [0] : Index.unravel(i, x.shape)
                for d in 0..<rank { out[d * hits.count + k] = index[d] }
            }
            return .ints(out, shape: [rank, hits.count])
        }
    }

    static let reverseSequence: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.allTypes)
        try ctx.type(1, in: [.int64])
        let batchAxis = try ctx.int("batch_axis", default: 1, in: 0...1), timeAxis = try ctx.int("time_axis", default: 0, in: 0...1)
        guard batchAxis != timeAxis else { throw ctx.error("batch_axis and time_axis must differ") }
        return ONNXKernel(type) { inputs in
            let (x, lengths) = (inputs[0]!, inputs[1]!.ints)
            guard x.rank >= 2, lengths.count == x.shape[batchAxis],
                  lengths.allSatisfy({ $0 >= 0 && $0 <= x.shape[timeAxis] }) else {
                throw ONNXError("sequence_lens \(lengths) must give one length ≤ \(x.rank >= 2 ? x.shape[timeAxis] : 0) per batch entry of \(x.shape)")
            }
            let source = x.doubles
            let strides = Shape.strides(x.shape)
            var out = source
            for i in 0..<x.count {
                var index = Index.unravel(i, x.shape)
                let (b, t) = (index[batchAxis], index[timeAxis])
                if t < lengths[b] { index[timeAxis] = lengths[b] - 1 - t; out[i] = source[Index.offset(index, strides)] }
            }
            return .fromDoubles(out, shape: x.shape, type: type)
        }
    }
}
