/// Softmax and log-softmax along an axis, with fused kernels for both directions.
extension Tensor {
    /// `eˣ / Σ eˣ` along `axis`.
    public func softmax(axis: Int = -1) -> Tensor { softmaxOp(log: false, axis: axis) }

    /// `x − log Σ eˣ` along `axis` (stable).
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxOp(log: true, axis: axis) }

    private func softmaxOp(log: Bool, axis: Int) -> Tensor {
        let name = log ? "logSoftmax" : "softmax"
        require(dtype == .float32, name, "expected a float32 tensor, got \(dtype)")
        let a = Shape.axis(axis, rank: rank, op: name)
        let outer = Shape.count(Array(shape[..<Swift.min(a, rank)]))
        let reduced = rank == 0 ? 1 : shape[a]
        let inner = rank == 0 ? 1 : Shape.count(Array(shape[(a + 1)...]))
        let out = Tensor(uninitializedShape: shape, backend: backend)
        backend.softmax(log: log, floats, outer: outer, reduced: reduced, inner: inner, out.floats)
        let y = out.detach()
        return Tensor.record(name, out, inputs: [self]) { g in
            let dx = Tensor(uninitializedShape: y.shape, backend: y.backend)
            y.backend.softmaxBackward(log: log, y: y.floats, dy: g.floats, outer: outer, reduced: reduced,
                                      inner: inner, dx: dx.floats)
            return [dx]
        }
    }
}
