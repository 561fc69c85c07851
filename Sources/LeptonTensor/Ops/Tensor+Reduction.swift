/// Reductions over any set of axes, with `keepDims`, and their gradients.
extension Tensor {
    /// The shape after reducing `axes` (kept as 1s when `keepDims`).
    static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        var out: [Int] = []
        for (i, d) in shape.enumerated() {
            if axes.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
        }
        return out
    }

    /// Runs a reduction kernel over sorted, resolved axes, one axis at a time from the last.
    /// Returns the result with kept (size-1) dimensions.
    func reduceKernel(_ op: ReduceOp, axes: [Int], name: String) -> Tensor {
        require(dtype == .float32, name, "expected a float32 tensor, got \(dtype) \(shape)")
        var current = self
        var currentShape = shape
        for axis in axes.reversed() {
            let outer = Shape.count(Array(currentShape[..<axis]))
            let inner = Shape.count(Array(currentShape[(axis + 1)...]))
            let reduced = currentShape[axis]
            require(reduced > 0 || op == .sum, name, "cannot take \(op) over empty axis \(axis) of shape \(shape)")
            currentShape[axis] = 1
            let out = Tensor(uninitializedShape: currentShape, backend: backend)
            backend.reduce(op, current.floats, outer: outer, reduced: reduced, inner: inner, out.floats)
            current = out
        }
        return axes.isEmpty ? detach().copy() : current
    }

    /// Sum over `axes` (all when nil).
    ///
    /// ```swift
    /// x.sum()                            // scalar
    /// x.sum(axes: [0], keepDims: true)   // column sums, shape [1, n]
    /// ```
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = Shape.axes(axes, rank: rank, op: "sum")
        let kept = reduceKernel(.sum, axes: resolved, name: "sum")
        let out = keepDims ? kept : kept.detach().reshape(Tensor.reducedShape(shape, axes: resolved, keepDims: false))
        let inputShape = shape, keptShape = kept.shape
        return Tensor.record("sum", out, inputs: [self]) { g in
            [g.reshape(keptShape).expand(to: inputShape)]
        }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = Shape.axes(axes, rank: rank, op: "mean")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        return sum(axes: resolved, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Variance over `axes`, dividing by `n − correction` (0: NumPy's default; 1: unbiased).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) -> Tensor {
        let resolved = Shape.axes(axes, rank: rank, op: "variance")
        let n = resolved.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: resolved, keepDims: true)
        return centered.square().sum(axes: resolved, keepDims: keepDims) * (1 / Float(Swift.max(n - correction, 1)))
    }

    /// Maximum over `axes`; the gradient goes to the maximal elements, split evenly on ties.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(.max, axes: axes, keepDims: keepDims, name: "max")
    }

    /// Minimum over `axes`; the gradient goes to the minimal elements, split evenly on ties.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(.min, axes: axes, keepDims: keepDims, name: "min")
    }

    private func extremum(_ op: ReduceOp, axes: [Int]?, keepDims: Bool, name: String) -> Tensor {
        let resolved = Shape.axes(axes, rank: rank, op: name)
        let kept = reduceKernel(op, axes: resolved, name: name)
        let out = keepDims ? kept : kept.detach().reshape(Tensor.reducedShape(shape, axes: resolved, keepDims: false))
        let x = self, keptValues = kept.detach()
        return Tensor.record(name, out, inputs: [x]) { g in
            let mask = x.broadcastBinary(.equal, keptValues, name: name)
            let share = mask / mask.sum(axes: resolved, keepDims: true)
            return [share * g.reshape(keptValues.shape)]
        }
    }

    /// Index of the maximum along `axis` (first on ties), as `int32`.
    public func argmax(axis: Int = -1, keepDims: Bool = false) -> Tensor { argReduce(max: true, axis: axis, keepDims: keepDims) }

    /// Index of the minimum along `axis` (first on ties), as `int32`.
    public func argmin(axis: Int = -1, keepDims: Bool = false) -> Tensor { argReduce(max: false, axis: axis, keepDims: keepDims) }

    private func argReduce(max: Bool, axis: Int, keepDims: Bool) -> Tensor {
        let name = max ? "argmax" : "argmin"
        require(dtype == .float32, name, "expected a float32 tensor, got \(dtype)")
        let a = Shape.axis(axis, rank: rank, op: name)
        require(shape[a] > 0, name, "axis \(axis) of shape \(shape) is empty")
        let out = Tensor(uninitializedShape: Tensor.reducedShape(shape, axes: [a], keepDims: keepDims), dtype: .int32,
                         backend: backend)
        backend.argReduce(max: max, floats, outer: Shape.count(Array(shape[..<a])), reduced: shape[a],
                          inner: Shape.count(Array(shape[(a + 1)...])), out.int32s)
        return out
    }

    /// `log Σ eˣ` over `axes`, computed stably (shifted by the maximum).
    public func logSumExp(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let resolved = Shape.axes(axes, rank: rank, op: "logSumExp")
        let m = Tensor.withoutGrad { reduceKernel(.max, axes: resolved, name: "logSumExp").clamp(min: -Float.greatestFiniteMagnitude) }
        let kept = (self - m).exp().sum(axes: resolved, keepDims: true).log() + m
        return keepDims ? kept : kept.reshape(Tensor.reducedShape(shape, axes: resolved, keepDims: false))
    }
}
