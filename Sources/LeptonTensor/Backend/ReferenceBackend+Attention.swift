import Foundation

/// Multi-head attention written out as plain loops in `Double`, one (batch, head, query row) at
/// a time: the definition the CPU backend's GEMM-based kernels are tested against.
extension ReferenceBackend {
    public func attention(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                          value: UnsafePointer<Float>, keep: UnsafePointer<Float>?, dropout: UnsafePointer<Float>?,
                          weights: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        let (tq, tk, dk, dv) = (p.queryLength, p.keyLength, p.keyDimensions, p.valueDimensions)
        var scores = [Double](repeating: 0, count: tk)
        for item in 0..<p.items {
            let q = query + p.queryOffset(item), k = key + p.keyOffset(item), v = value + p.valueOffset(item)
            for i in 0..<tq {
                func kept(_ j: Int) -> Bool {
                    guard let keep, let offset = p.maskOffset(item, row: i) else { return true }
                    return keep[offset + j * p.maskStrides![3]] != 0
                }
                var m = -Double.infinity
                for j in 0..<tk {
                    var s: Double = 0
                    for c in 0..<dk { s += Double(q[i * p.queryRowStride + c]) * Double(k[j * p.keyRowStride + c]) }
                    scores[j] = s * Double(p.scale)
                    if kept(j) { m = Swift.max(m, scores[j]) }
                }
                var total: Double = 0
                for j in 0..<tk {
                    scores[j] = kept(j) ? Foundation.exp(scores[j] - m) : 0
                    total += scores[j]
                }
                let w = weights + (item * tq + i) * tk
                for j in 0..<tk { w[j] = total > 0 ? Float(scores[j] / total) : 0 }
                let out = output + p.outputOffset(item) + i * p.outputRowStride
                for c in 0..<dv {
                    var s: Double = 0
                    for j in 0..<tk {
                        let d = dropout.map { Double($0[(item * tq + i) * tk + j]) } ?? 1
                        s += Double(w[j]) * d * Double(v[j * p.valueRowStride + c])
                    }
                    out[c] = Float(s)
                }
            }
        }
    }

    public func attentionBackward(_ p: AttentionParameters, query: UnsafePointer<Float>, key: UnsafePointer<Float>,
                                  value: UnsafePointer<Float>, dropout: UnsafePointer<Float>?,
                                  weights: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                  dQuery: UnsafeMutablePointer<Float>, dKey: UnsafeMutablePointer<Float>,
                                  dValue: UnsafeMutablePointer<Float>) {
        let (tq, tk, dk, dv) = (p.queryLength, p.keyLength, p.keyDimensions, p.valueDimensions)
        for item in 0..<p.items {
            let q = query + p.queryOffset(item), k = key + p.keyOffset(item), v = value + p.valueOffset(item)
            let dq = dQuery + p.queryOffset(item), dkey = dKey + p.keyOffset(item), dval = dValue + p.valueOffset(item)
            let g = dy + p.outputOffset(item)
            func weight(_ i: Int, _ j: Int) -> Double { Double(weights[(item * tq + i) * tk + j]) }
            func drop(_ i: Int, _ j: Int) -> Double { dropout.map { Double($0[(item * tq + i) * tk + j]) } ?? 1 }
            // dS[i, j] = w · (dW − Σ_j' w · dW) · scale, with dW = (g_i · v_j) · drop.
            var dS = [Double](repeating: 0, count: tq * tk)
            for i in 0..<tq {
                var dW = [Double](repeating: 0, count: tk)
                for j in 0..<tk {
                    var s: Double = 0
                    for c in 0..<dv { s += Double(g[i * p.outputRowStride + c]) * Double(v[j * p.valueRowStride + c]) }
                    dW[j] = s * drop(i, j)
                }
                var dot: Double = 0
                for j in 0..<tk { dot += weight(i, j) * dW[j] }
                for j in 0..<tk { dS[i * tk + j] = weight(i, j) * (dW[j] - dot) * Double(p.scale) }
            }
            for i in 0..<tq {
                for c in 0..<dk {
                    var s: Double = 0
                    for j in 0..<tk { s += dS[i * tk + j] * Double(k[j * p.keyRowStride + c]) }
                    dq[i * p.queryRowStride + c] = Float(s)
                }
            }
            for j in 0..<tk {
                for c in 0..<dk {
                    var s: Double = 0
                    for i in 0..<tq { s += dS[i * tk + j] * Double(q[i * p.queryRowStride + c]) }
                    dkey[j * p.keyRowStride + c] = Float(s)
                }
                for c in 0..<dv {
                    var s: Double = 0
                    for i in 0..<tq { s += weight(i, j) * drop(i, j) * Double(g[i * p.outputRowStride + c]) }
                    dval[j * p.valueRowStride + c] = Float(s)
                }
            }
        }
    }
}
