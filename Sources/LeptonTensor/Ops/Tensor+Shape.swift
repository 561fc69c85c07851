/// Ops that change a tensor's shape or the order of its axes.
extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 (inferred). Shares memory.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var target = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        require(inferred.count <= 1 && newShape.allSatisfy({ $0 >= -1 }), "reshape", "shape \(newShape) is not valid (at most one -1)")
        if let i = inferred.first {
            require(known > 0 && count % known == 0, "reshape", "cannot reshape \(shape) (\(count) elements) to \(newShape)")
            target[i] = count / known
        }
        require(Shape.count(target) == count, "reshape",
                "cannot reshape \(shape) (\(count) elements) to \(newShape) (\(Shape.count(target)) elements)")
        if target == shape { return self }
        let out = Tensor(shape: target, dtype: dtype, storage: storage)
        let inputShape = shape
        return Tensor.record("reshape", out, inputs: [self]) { g in [g.reshape(inputShape)] }
    }

    /// Flattens axes `startAxis…endAxis` into one.
    public func flatten(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = Shape.axis(startAxis, rank: rank, op: "flatten"), e = Shape.axis(endAxis, rank: rank, op: "flatten")
        require(s <= e, "flatten", "startAxis \(startAxis) comes after endAxis \(endAxis)")
        return reshape(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func unsqueeze(_ axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueeze")
        var s = shape
        s.insert(1, at: a)
        return reshape(s)
    }

    /// Removes dimensions of size 1 (only `axis` when given).
    public func squeeze(_ axis: Int? = nil) -> Tensor {
        if let axis {
            let a = Shape.axis(axis, rank: rank, op: "squeeze")
            require(shape[a] == 1, "squeeze", "axis \(axis) of shape \(shape) has size \(shape[a]), expected 1")
            var s = shape
            s.remove(at: a)
            return reshape(s)
        }
        return reshape(shape.filter { $0 != 1 })
    }

    /// Reorders the axes: result axis i is input axis `axes[i]`.
    public func permute(_ axes: [Int]) -> Tensor {
        let resolved = axes.map { Shape.axis($0, rank: rank, op: "permute") }
        require(resolved.count == rank && Set(resolved).count == rank, "permute",
                "axes \(axes) are not a permutation of 0..<\(rank) for shape \(shape)")
        if resolved == Array(0..<rank) { return self }
        let outShape = resolved.map { shape[$0] }
        // Moving only size-1 axes keeps the memory order: a reshape, no copy.
        let moved = resolved.filter { shape[$0] != 1 }
        if moved == moved.sorted() { return reshape(outShape) }
        let own = Shape.strides(shape)
        let out = Tensor(uninitializedShape: outShape, dtype: dtype, backend: backend)
        backend.copyStrided(storage.pointer, strides: resolved.map { own[$0] }, shape: outShape,
                            elementSize: dtype.byteSize, into: out.storage.pointer)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in resolved.enumerated() { inverse[a] = i }
        return Tensor.record("permute", out, inputs: [self]) { g in [g.permute(inverse)] }
    }

    /// Swaps two axes.
    public func transpose(_ axis0: Int, _ axis1: Int) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(Shape.axis(axis0, rank: rank, op: "transpose"), Shape.axis(axis1, rank: rank, op: "transpose"))
        return permute(axes)
    }

    /// The matrix transpose (swaps the last two axes).
    public func transposed() -> Tensor {
        require(rank >= 2, "transposed", "expected a tensor of rank ≥ 2, got shape \(shape)")
        return transpose(-2, -1)
    }

    /// Broadcasts to `target` (NumPy rules), copying the repeated elements.
    public func expand(to target: [Int]) -> Tensor {
        if target == shape { return self }
        require(Shape.broadcast(shape, target) == target, "expand", "shape \(shape) does not broadcast to \(target)")
        let out = Tensor(uninitializedShape: target, dtype: dtype, backend: backend)
        backend.copyStrided(storage.pointer, strides: Shape.broadcastStrides(shape, to: target), shape: target,
                            elementSize: dtype.byteSize, into: out.storage.pointer)
        let inputShape = shape
        return Tensor.record("expand", out, inputs: [self]) { g in [g.sum(toShape: inputShape)] }
    }

    /// Converts to another element type (float → int truncates toward zero and saturates).
    /// No gradient flows through a cast.
    public func cast(to target: DType) -> Tensor {
        if target == dtype { return self }
        let out = Tensor(uninitializedShape: shape, dtype: target, backend: backend)
        backend.convert(storage.pointer, from: dtype, out.storage.pointer, to: target, count: count)
        return out
    }
}
