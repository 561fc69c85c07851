/// Matrix products: 2-D, batched, and NumPy-style broadcasting of batch dimensions.
extension Tensor {
    /// The matrix product, following NumPy's `matmul`: 1-D operands are promoted to a row
    /// (left) or column (right) and the added axis removed; leading batch axes broadcast.
    ///
    /// ```swift
    /// let y = x.matmul(w)            // [batch, in] · [in, out] → [batch, out]
    /// let s = q.matmul(k.transposed()) // [b, h, t, d] · [b, h, d, t] → [b, h, t, t]
    /// ```
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank >= 1 && other.rank >= 1, "matmul", "operands must have rank ≥ 1, got \(shape) and \(other.shape)")
        // 1-D · 1-D is the inner product, a scalar (the row/column promotions below would leave [1]).
        if rank == 1 && other.rank == 1 { return unsqueeze(0).matmul(other.unsqueeze(1)).reshape([]) }
        if rank == 1 { return unsqueeze(0).matmul(other).squeeze(-2) }
        if other.rank == 1 { return matmul(other.unsqueeze(1)).squeeze(-1) }
        let (m, k) = (shape[rank - 2], shape[rank - 1])
        let (k2, n) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        require(k == k2, "matmul", "inner dimensions differ: \(shape) and \(other.shape) (expected a.shape[-1] == b.shape[-2])")
        guard let batch = Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) else {
            fatalError(TensorError("matmul", "batch dimensions of \(shape) and \(other.shape) do not broadcast").description)
        }
        let a = expand(to: batch + [m, k]), b = other.expand(to: batch + [k, n])
        let out = Tensor.batchedGemm(a, b, transposeA: false, transposeB: false, m: m, n: n, k: k, batch: batch)
        let lhs = self
        return Tensor.record("matmul", out, inputs: [lhs, other]) { g in
            let ga = lhs.requiresGrad
                ? Tensor.batchedGemm(g, b, transposeA: false, transposeB: true, m: m, n: k, k: n, batch: batch).sum(toShape: lhs.shape)
                : nil
            let gb = other.requiresGrad
                ? Tensor.batchedGemm(a, g, transposeA: true, transposeB: false, m: k, n: n, k: m, batch: batch).sum(toShape: other.shape)
                : nil
            return [ga, gb]
        }
    }

    /// `op(a) · op(b)` for every batch position, no recording; `a` and `b` hold the stored
    /// (untransposed) matrices with the full batch shape.
    static func batchedGemm(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                            m: Int, n: Int, k: Int, batch: [Int]) -> Tensor {
        let out = Tensor(uninitializedShape: batch + [m, n], backend: a.backend)
        let count = Shape.count(batch)
        let (pa, pb, pc) = (a.floats, b.floats, out.floats)
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        for i in 0..<count {
            a.backend.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                           pa + i * m * k, lda: lda, pb + i * k * n, ldb: ldb, beta: 0, pc + i * m * n, ldc: n)
        }
        return out
    }
}
