/// Indexing by integer tensors: index-select, gather, scatter-add, embedding lookup, one-hot.
extension Tensor {
    /// Checks that every index of an `int32` tensor lies in `0..<bound`.
    func checkIndices(_ op: String, bound: Int, axis: Int) {
        require(dtype == .int32, op, "indices must be int32, got \(dtype) \(shape)")
        let p = int32s
        for i in 0..<count where p[i] < 0 || Int(p[i]) >= bound {
            fatalError(TensorError(op, "index \(p[i]) at position \(i) is out of range 0..<\(bound) for axis \(axis)").description)
        }
    }

    /// Selects entries along `axis` by a 1-D `int32` index tensor (`torch.index_select`).
    public func indexSelect(axis: Int, _ index: Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "indexSelect")
        require(index.rank == 1, "indexSelect", "index must be 1-D, got shape \(index.shape)")
        index.checkIndices("indexSelect", bound: shape[a], axis: a)
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        var outShape = shape
        outShape[a] = index.count
        let out = Tensor(uninitializedShape: outShape, dtype: dtype, backend: backend)
        backend.indexSelect(storage.pointer, outer: outer, axis: shape[a], inner: inner, elementSize: dtype.byteSize,
                            index: index.int32s, count: index.count, out.storage.pointer)
        let inputShape = shape
        return Tensor.record("indexSelect", out, inputs: [self]) { g in
            let dx = Tensor.zeros(inputShape, backend: g.backend)
            g.backend.indexAdd(g.floats, outer: outer, axis: inputShape[a], inner: inner, index: index.int32s,
                               count: index.count, dx.floats)
            return [dx]
        }
    }

    /// `out[…, j, …] = x[…, index[…, j, …], …]` along `axis` (`torch.gather`); `index` has
    /// the shape of the result, equal to x's outside `axis`.
    public func gather(axis: Int, _ index: Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "gather")
        checkIndexShape("gather", index, axis: a)
        index.checkIndices("gather", bound: shape[a], axis: a)
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(uninitializedShape: index.shape, backend: backend)
        backend.gather(floats, outer: outer, axis: shape[a], inner: inner, index: index.int32s,
                       count: index.shape[a], out.floats)
        let inputShape = shape
        return Tensor.record("gather", out, inputs: [self]) { g in
            let dx = Tensor.zeros(inputShape, backend: g.backend)
            g.backend.scatterAdd(g.floats, outer: outer, axis: inputShape[a], inner: inner, index: index.int32s,
                                 count: index.shape[a], dx.floats)
            return [dx]
        }
    }

    /// Adds `source` into a copy of this tensor at positions `index` along `axis`
    /// (`torch.scatter_add`); `index` and `source` share a shape, equal to x's outside `axis`.
    public func scatterAdd(axis: Int, _ index: Tensor, _ source: Tensor) -> Tensor {
        let a = Shape.axis(axis, rank: rank, op: "scatterAdd")
        checkIndexShape("scatterAdd", index, axis: a)
        require(source.shape == index.shape, "scatterAdd", "source shape \(source.shape) differs from index shape \(index.shape)")
        index.checkIndices("scatterAdd", bound: shape[a], axis: a)
        let outer = Shape.count(Array(shape[..<a])), inner = Shape.count(Array(shape[(a + 1)...]))
        let out = detach().copy()
        backend.scatterAdd(source.floats, outer: outer, axis: shape[a], inner: inner, index: index.int32s,
                           count: index.shape[a], out.floats)
        return Tensor.record("scatterAdd", out, inputs: [self, source]) { g in
            [g, source.requiresGrad ? g.gather(axis: a, index) : nil]
        }
    }

    private func checkIndexShape(_ op: String, _ index: Tensor, axis a: Int) {
        var s0 = shape, s1 = index.shape
        if index.rank == rank { s0[a] = 0; s1[a] = 0 }
        require(index.rank == rank && s0 == s1, op,
                "index shape \(index.shape) must equal input shape \(shape) outside axis \(a)")
    }

    /// Looks up rows of an embedding table: `weight` is `[vocabulary, dimensions]`, `indices`
    /// any `int32` shape; the result has shape `indices.shape + [dimensions]`.
    public static func embedding(_ weight: Tensor, _ indices: Tensor) -> Tensor {
        require(weight.rank == 2, "embedding", "weight must be [vocabulary, dimensions], got \(weight.shape)")
        return weight.indexSelect(axis: 0, indices.reshape([indices.count])).reshape(indices.shape + [weight.shape[1]])
    }

    /// One-hot encoding of `int32` class indices: shape `indices.shape + [classes]`, float32.
    public static func oneHot(_ indices: Tensor, classes: Int) -> Tensor {
        indices.checkIndices("oneHot", bound: classes, axis: indices.rank)
        let out = Tensor.zeros(indices.shape + [classes], backend: indices.backend)
        let p = indices.int32s, o = out.floats
        for i in 0..<indices.count { o[i * classes + Int(p[i])] = 1 }
        return out
    }
}
