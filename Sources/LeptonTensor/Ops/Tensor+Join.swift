/// Joining and splitting tensors, and constant padding.
extension Tensor {
    /// Joins tensors along an existing axis; all other dimensions must match.
    ///
    /// ```swift
    /// Tensor.concatenate([a, b], axis: 1)   // [2, 3] and [2, 5] → [2, 8]
    /// ```
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate", "needs at least one tensor")
        let first = tensors[0]
        let a = Shape.axis(axis, rank: first.rank, op: "concatenate")
        for t in tensors {
            var s1 = t.shape, s0 = first.shape
            require(t.rank == first.rank && t.dtype == first.dtype, "concatenate",
                    "tensors \(first.dtype) \(first.shape) and \(t.dtype) \(t.shape) differ in rank or dtype")
            s1[a] = 0; s0[a] = 0
            require(s1 == s0, "concatenate",
                    "shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(uninitializedShape: outShape, dtype: first.dtype, backend: first.backend)
        let outStrides = Shape.strides(outShape)
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            if t.count > 0 {
                first.backend.copyIntoStrided(t.storage.pointer, out.storage.pointer + offset * outStrides[a] * first.dtype.byteSize,
                                              strides: outStrides, shape: t.shape, elementSize: first.dtype.byteSize)
            }
            offset += t.shape[a]
        }
        let sizes = tensors.map { $0.shape[a] }
        return record("concatenate", out, inputs: tensors) { g in
            zip(offsets, sizes).map { g.slice(axis: a, start: $0, end: $0 + $1) }
        }
    }

    /// Joins tensors of equal shape along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stack", "needs at least one tensor")
        for t in tensors {
            require(t.shape == tensors[0].shape, "stack", "shapes \(tensors[0].shape) and \(t.shape) differ")
        }
        let a = Shape.axis(axis, rank: tensors[0].rank + 1, op: "stack")
        return concatenate(tensors.map { $0.unsqueeze(a) }, axis: a)
    }

    /// Splits along `axis` into pieces of the given sizes (which must add up to the axis length).
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "split")
        require(sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 }, "split",
                "sizes \(sizes) do not add up to \(shape[a]), the length of axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return slice(axis: a, start: start, end: start + n)
        }
    }

    /// Splits along `axis` into `parts` equal pieces.
    public func split(parts: Int, axis: Int = 0) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "split")
        require(parts > 0 && shape[a] % parts == 0, "split", "axis \(axis) of \(shape) does not split into \(parts) equal parts")
        return split(sizes: Array(repeating: shape[a] / parts, count: parts), axis: a)
    }

    /// Pads with a constant: `widths[i] = (before, after)` for axis i (missing axes unpadded).
    public func pad(_ widths: [(Int, Int)], value: Float = 0) -> Tensor {
        require(widths.count <= rank, "pad", "\(widths.count) pad widths for a tensor of rank \(rank)")
        require(widths.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "pad", "pad widths must be ≥ 0, got \(widths)")
        let all = widths + Array(repeating: (0, 0), count: rank - widths.count)
        let outShape = zip(shape, all).map { $0 + $1.0 + $1.1 }
        let out = Tensor.full(outShape, value, dtype: dtype, backend: backend)
        let outStrides = Shape.strides(outShape)
        let offset = zip(all, outStrides).reduce(0) { $0 + $1.0.0 * $1.1 }
        if count > 0 {
            backend.copyIntoStrided(storage.pointer, out.storage.pointer + offset * dtype.byteSize, strides: outStrides,
                                    shape: shape, elementSize: dtype.byteSize)
        }
        let inputShape = shape
        return Tensor.record("pad", out, inputs: [self]) { g in
            [g.slice(zip(all, inputShape).map { SliceSpec(start: $0.0, end: $0.0 + $1) })]
        }
    }
}
