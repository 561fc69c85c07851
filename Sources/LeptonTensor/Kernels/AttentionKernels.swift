import CKernels

/// Serial loops of the fused multi-head attention over a range of (batch, head) items: two
/// GEMMs per item through `gemm` (the backend's), the masked softmax in between (CKernels'
/// `lepton_attention_softmax`, built for the CPU: ``KernelPath``), and the gradient's four
/// GEMMs. Queries, keys and values are read in place through their row strides (no
/// head-splitting copies); see ``AttentionParameters``.
enum AttentionKernels {
    /// Forward for `items`: `weights = softmax(scale · q · kᵀ, masked) · keep` and
    /// `output = (weights ⊙ dropout) · v`. `scratch` holds `queryLength · keyLength` floats when
    /// `dropout` (the `[batch, heads, tq, tk]` multipliers) is given. `path` is the
    /// ``KernelPath`` code of the softmax (read by the caller: a worker thread does not see a
    /// task's ``KernelPath/with(_:_:)``).
    static func forward(_ p: AttentionParameters, path: Int32, gemm b: any Backend, query: UnsafePointer<Float>,
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
            lepton_attention_softmax(path, w, Int64(tq), Int64(tk),
                                     p.maskOffset(item, row: 0).map { keep! + $0 },
                                     Int64(p.maskStrides?[2] ?? 0), Int64(p.maskStrides?[3] ?? 0))
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
    static func backward(_ p: AttentionParameters, path: Int32, gemm b: any Backend, query: UnsafePointer<Float>,
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
            lepton_attention_softmax_backward(path, w, dA, Int64(tq), Int64(tk))
            b.gemm(transposeA: false, transposeB: false, m: tq, n: dk, k: tk, alpha: p.scale, dA, lda: tk,
                   k, ldb: p.keyRowStride, beta: 0, dQuery + p.queryOffset(item), ldc: p.queryRowStride)
            b.gemm(transposeA: true, transposeB: false, m: tk, n: dk, k: tq, alpha: p.scale, dA, lda: tk,
                   q, ldb: p.queryRowStride, beta: 0, dKey + p.keyOffset(item), ldc: p.keyRowStride)
        }
    }
}
