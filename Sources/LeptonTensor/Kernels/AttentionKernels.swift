/// Serial loops of the fused multi-head attention over a range of (batch, head) items: two
/// GEMMs per item through `gemm` (the backend's), the masked softmax in between, and the
/// gradient's four GEMMs. Queries, keys and values are read in place through their row
/// strides (no head-splitting copies); see ``AttentionParameters``.
enum AttentionKernels {
    /// Softmax of row `s` (`n` scores) in place over the entries whose keep value is non-zero
    /// (every entry when `keep` is nil); masked entries become 0 and a row with nothing kept
    /// becomes all zeros. The passes are written so that the compiler vectorises them: the
    /// exponentials (``RecurrentMath/exp(_:)``) in a loop without a reduction, the sum with
    /// explicit lanes.
    @inline(__always)
    static func maskedSoftmax(_ s: UnsafeMutablePointer<Float>, _ n: Int, keep: UnsafePointer<Float>?, keepStride: Int) {
        var m = -Float.infinity
        if let keep {
            for j in 0..<n where keep[j * keepStride] != 0 { m = Swift.max(m, s[j]) }
            if m == -.infinity {
                s.update(repeating: 0, count: n)
                return
            }
        } else {
            for j in 0..<n { m = Swift.max(m, s[j]) }
        }
        for j in 0..<n { s[j] = RecurrentMath.exp(s[j] - m) }
        if let keep {
            for j in 0..<n where keep[j * keepStride] == 0 { s[j] = 0 }
        }
        let inv = 1 / LayerNormKernels.sum(s, n)
        for j in 0..<n { s[j] *= inv }
    }

    /// Forward for `items`: `weights = softmax(scale · q · kᵀ, masked) · keep` and
    /// `output = (weights ⊙ dropout) · v`. `scratch` holds `queryLength · keyLength` floats when
    /// `dropout` (the `[batch, heads, tq, tk]` multipliers) is given.
    static func forward(_ p: AttentionParameters, gemm b: any Backend, query: UnsafePointer<Float>,
                        key: UnsafePointer<Float>, value: UnsafePointer<Float>, keep: UnsafePointer<Float>?,
                        dropout: UnsafePointer<Float>?, weights: UnsafeMutablePointer<Float>,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>?, _ items: Range<Int>) {
        let (tq, tk, dk, dv) = (p.queryLength, p.keyLength, p.keyDimensions, p.valueDimensions)
        let plane = tq * tk
        for item in items {
            let w = weights + item * plane
            b.gemm(transposeA: false, transposeB: true, m: tq, n: tk, k: dk, alpha: p.scale,
                   query + p.queryOffset(item), lda: p.queryRowStride, key + p.keyOffset(item), ldb: p.keyRowStride,
                   beta: 0, w, ldc: tk)
            for i in 0..<tq {
                maskedSoftmax(w + i * tk, tk, keep: p.maskOffset(item, row: i).map { keep! + $0 },
                              keepStride: p.maskStrides?[3] ?? 0)
            }
            var attended = UnsafePointer(w)
            if let dropout, let scratch {
                let d = dropout + item * plane
                for j in 0..<plane { scratch[j] = w[j] * d[j] }
                attended = UnsafePointer(scratch)
            }
            b.gemm(transposeA: false, transposeB: false, m: tq, n: dv, k: tk, alpha: 1, attended, lda: tk,
                   value + p.valueOffset(item), ldb: p.valueRowStride, beta: 0, output + p.outputOffset(item),
                   ldc: p.outputRowStride)
        }
    }

    /// Gradient for `items`: overwrites the items' blocks of `dQuery`, `dKey` and `dValue` (laid
    /// out as the inputs, same row strides) from the output gradient `dy` and the saved
    /// `weights`. `scratch` holds `2 · queryLength · keyLength` floats.
    ///
    /// With `A = weights ⊙ dropout`: `dV = Aᵀ · dy`, `dA = dy · vᵀ`, `dW = dA ⊙ dropout`,
    /// `dS = weights ⊙ (dW − rowsum(weights ⊙ dW)) · scale`, `dQ = dS · k`, `dK = dSᵀ · q`.
    /// Masked entries have zero weight, so they pass no gradient.
    static func backward(_ p: AttentionParameters, gemm b: any Backend, query: UnsafePointer<Float>,
                         key: UnsafePointer<Float>, value: UnsafePointer<Float>, dropout: UnsafePointer<Float>?,
                         weights: UnsafePointer<Float>, dy: UnsafePointer<Float>, dQuery: UnsafeMutablePointer<Float>,
                         dKey: UnsafeMutablePointer<Float>, dValue: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutablePointer<Float>, _ items: Range<Int>) {
        let (tq, tk, dk, dv) = (p.queryLength, p.keyLength, p.keyDimensions, p.valueDimensions)
        let plane = tq * tk
        let dA = scratch, attended = scratch + plane
        for item in items {
            let w = weights + item * plane
            let g = dy + p.outputOffset(item)
            let q = query + p.queryOffset(item), k = key + p.keyOffset(item), v = value + p.valueOffset(item)
            b.gemm(transposeA: false, transposeB: true, m: tq, n: tk, k: dv, alpha: 1, g, lda: p.outputRowStride,
                   v, ldb: p.valueRowStride, beta: 0, dA, ldc: tk)
            var a = w
            if let dropout {
                let d = dropout + item * plane
                for j in 0..<plane {
                    attended[j] = w[j] * d[j]
                    dA[j] *= d[j]
                }
                a = UnsafePointer(attended)
            }
            b.gemm(transposeA: true, transposeB: false, m: tk, n: dv, k: tq, alpha: 1, a, lda: tk,
                   g, ldb: p.outputRowStride, beta: 0, dValue + p.valueOffset(item), ldc: p.valueRowStride)
            for i in 0..<tq {
                let wr = w + i * tk, dr = dA + i * tk
                var s: Float = 0
                for j in 0..<tk { s += wr[j] * dr[j] }
                for j in 0..<tk { dr[j] = wr[j] * (dr[j] - s) }
            }
            b.gemm(transposeA: false, transposeB: false, m: tq, n: dk, k: tk, alpha: p.scale, dA, lda: tk,
                   k, ldb: p.keyRowStride, beta: 0, dQuery + p.queryOffset(item), ldc: p.queryRowStride)
            b.gemm(transposeA: true, transposeB: false, m: tk, n: dk, k: tq, alpha: p.scale, dA, lda: tk,
                   q, ldb: p.queryRowStride, beta: 0, dKey + p.keyOffset(item), ldc: p.keyRowStride)
        }
    }
}
