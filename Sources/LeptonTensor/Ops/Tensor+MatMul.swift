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
        if rank > 2 && other.rank == 2 {
            // [..., m, k] · [k, n]: one GEMM over all rows instead of one per batch position
            // against copies of the matrix (and one gradient GEMM for it instead of a sum of many).
            let rows = Shape.count(Array(shape.dropLast()))
            return reshape([rows, k]).matmul(other).reshape(Array(shape.dropLast()) + [n])
        }
        guard let batch = Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) else {
            fatalError(TensorError("matmul", "batch dimensions of \(shape) and \(other.shape) do not broadcast").description)
        }
        let a = expand(to: batch + [m, k]), b = other.expand(to: batch + [k, n])
        let out = Tensor.batchedGemm(a, b, transposeA: false, transposeB: false, m: m, n: n, k: k, batch: batch)
        let lhs = self
        return Tensor.record("matmul", out, inputs: [lhs, other]) { g in
            // 2-D: each gradient is one GEMM's output, written into a gradient destination if any.
            let ga = lhs.requiresGrad
                ? Tensor.batchedGemm(g, b, transposeA: false, transposeB: true, m: m, n: k, k: n, batch: batch,
                                     into: batch.isEmpty ? Tensor.gradientBuffer(for: lhs) : nil).sum(toShape: lhs.shape)
                : nil
            let gb = other.requiresGrad
                ? Tensor.batchedGemm(a, g, transposeA: true, transposeB: false, m: k, n: n, k: m, batch: batch,
                                     into: batch.isEmpty ? Tensor.gradientBuffer(for: other) : nil).sum(toShape: other.shape)
                : nil
            return [ga, gb]
        }
    }

    /// The affine map of a dense layer over the last axis: `self · kernel + bias`, where `self`
    /// is `[…, in]`, `kernel` is `[in, out]` and `bias` (optional) `[out]`; the result is `[…, out]`.
    /// One GEMM that starts from the bias rows; the bias gradient is a column sum.
    public func dense(_ kernel: Tensor, bias: Tensor? = nil) -> Tensor {
        require(rank >= 1 && kernel.rank == 2 && dtype == .float32 && kernel.dtype == .float32, "dense",
                "expected float32 input [..., in] and kernel [in, out], got \(dtype) \(shape) and \(kernel.dtype) \(kernel.shape)")
        let (k, n) = (kernel.shape[0], kernel.shape[1])
        require(shape[rank - 1] == k, "dense", "input has \(shape[rank - 1]) features (shape \(shape)), kernel \(kernel.shape) expects \(k)")
        if let bias {
            require(bias.dtype == .float32 && bias.count == n, "dense", "bias has shape \(bias.shape), expected [\(n)]")
        }
        let m = k == 0 ? Shape.count(Array(shape.dropLast())) : count / k
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [n], backend: backend)
        if m > 0 && n > 0 {
            if let bias {
                backend.copyStrided(bias.storage.pointer, strides: [0, 1], shape: [m, n], elementSize: 4,
                                    into: out.storage.pointer)
            }
            backend.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, floats, lda: k,
                         kernel.floats, ldb: n, beta: bias == nil ? 0 : 1, out.floats, ldc: n)
        }
        let x = self
        let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
        return Tensor.record("dense", out, inputs: inputs) { g in
            var dx: Tensor?, dk: Tensor?, db: Tensor?
            if x.requiresGrad {
                dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
                x.backend.gemm(transposeA: false, transposeB: true, m: m, n: k, k: n, alpha: 1, g.floats, lda: n,
                               kernel.floats, ldb: n, beta: 0, dx!.floats, ldc: k)
            }
            if kernel.requiresGrad {
                dk = Tensor.gradientBuffer(for: kernel)
                x.backend.gemm(transposeA: true, transposeB: false, m: k, n: n, k: m, alpha: 1, x.floats, lda: k,
                               g.floats, ldb: n, beta: 0, dk!.floats, ldc: n)
            }
            if let bias, bias.requiresGrad {
                db = Tensor.gradientBuffer(for: bias)
                x.backend.reduce(.sum, g.floats, outer: 1, reduced: m, inner: n, db!.floats)
            }
            return bias == nil ? [dx, dk] : [dx, dk, db]
        }
    }

    /// `self · otherᵀ` without making the transpose: `self` is `[…, k]` and `other` `[n, k]` (a
    /// weight as PyTorch's `Linear` and ONNX's `Gemm` with `transB` store it); the result is
    /// `[…, n]`. One GEMM reading `other` transposed, and one per gradient.
    ///
    /// ```swift
    /// let y = x.matmul(transposed: weight)   // [32, 784] · [128, 784]ᵀ → [32, 128]
    /// ```
    public func matmul(transposed other: Tensor) -> Tensor {
        require(rank >= 1 && other.rank == 2 && dtype == .float32 && other.dtype == .float32, "matmul(transposed:)",
                "expected float32 [..., k] and [n, k], got \(dtype) \(shape) and \(other.dtype) \(other.shape)")
        let (n, k) = (other.shape[0], other.shape[1])
        require(shape[rank - 1] == k, "matmul(transposed:)",
                "inner dimensions differ: \(shape) and \(other.shape)ᵀ (expected a.shape[-1] == b.shape[1])")
        let m = Shape.count(Array(shape.dropLast()))
        let out = Tensor(uninitializedShape: Array(shape.dropLast()) + [n], backend: backend)
        if m > 0 && n > 0 {
            if k == 0 {
                backend.fill(out.floats, count: m * n, value: 0)
            } else {
                backend.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, floats, lda: k,
                             other.floats, ldb: k, beta: 0, out.floats, ldc: n)
            }
        }
        let x = self
        return Tensor.record("matmulTransposed", out, inputs: [x, other]) { g in
            var dx: Tensor?, dw: Tensor?
            if x.requiresGrad {
                dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
                if m > 0 && k > 0 {
                    x.backend.gemm(transposeA: false, transposeB: false, m: m, n: k, k: n, alpha: 1, g.floats, lda: n,
                                   other.floats, ldb: k, beta: 0, dx!.floats, ldc: k)
                }
            }
            if other.requiresGrad {
                dw = Tensor.gradientBuffer(for: other)
                if n > 0 && k > 0 {
                    x.backend.gemm(transposeA: true, transposeB: false, m: n, n: k, k: m, alpha: 1, g.floats, lda: n,
                                   x.floats, ldb: k, beta: 0, dw!.floats, ldc: k)
                }
            }
            return [dx, dw]
        }
    }

    /// `op(a) · op(b)` for every batch position, no recording; `a` and `b` hold the stored
    /// (untransposed) matrices with the full batch shape; the result goes into `out` when given
    /// (`batch + [m, n]` floats).
    static func batchedGemm(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                            m: Int, n: Int, k: Int, batch: [Int], into out: Tensor? = nil) -> Tensor {
        let out = out ?? Tensor(uninitializedShape: batch + [m, n], backend: a.backend)
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
