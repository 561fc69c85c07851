import LeptonTensor

/// `Attention` (opset 23): scaled dot-product attention over 3-D `[batch, sequence, heads·size]`
/// or 4-D `[batch, heads, sequence, size]` inputs, with boolean or additive masks, causal
/// masking, a key/value cache (`past_key`/`past_value` → `present_*`), grouped-query heads,
/// soft-capping, padding lengths, and the optional `qk_matmul_output`. Built from Lepton's
/// batched `matmul` and `softmax`, so it is differentiable.
extension ONNXOperators {
    static var attention: [String: ONNXKernelBuilder] { ["Attention": attentionOp] }

    static let attentionOp: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...7, outputs: 1...4)
        let type = try ctx.sameType([0, 1, 2, 4, 5])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        if ctx.has(3) {
            let maskType = try ctx.type(3)
            guard maskType == .bool || maskType == type else { throw ctx.error("attn_mask must be BOOL or \(type), got \(maskType)") }
        }
        if ctx.has(6) { try ctx.type(6, in: [.int64]) }
        guard ctx.has(4) == ctx.has(5) else { throw ctx.error("past_key and past_value must be given together") }
        let causal = try ctx.int("is_causal", default: 0, in: 0...1) == 1
        let qHeads = try ctx.int("q_num_heads"), kvHeads = try ctx.int("kv_num_heads")
        let outputMode = try ctx.int("qk_matmul_output_mode", default: 0, in: 0...3)
        let softcap = try ctx.float("softcap", default: 0)
        let givenScale = try ctx.float("scale")
        _ = try ctx.int("softmax_precision")
        return ONNXKernel(outputTypes: [type, type, type, type]) { inputs in
            let (q0, k0, v0) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard q0.rank == k0.rank, k0.rank == v0.rank, q0.rank == 3 || q0.rank == 4 else {
                throw ONNXError("Q \(q0.shape), K \(k0.shape) and V \(v0.shape) must all be 3-D or all 4-D")
            }
            let batch = q0.shape[0]
            func heads(_ t: Tensor, _ n: Int?, _ name: String) throws -> Tensor {
                guard t.rank == 3 else { return t }
                guard let n, n > 0, t.shape[2] % n == 0 else {
                    throw ONNXError("3-D \(name) \(t.shape) needs q_num_heads/kv_num_heads dividing its last dimension")
                }
                return t.reshape([t.shape[0], t.shape[1], n, t.shape[2] / n]).permute([0, 2, 1, 3])
            }
            let q = try heads(q0.tensor, qHeads, "Q")
            var k = try heads(k0.tensor, kvHeads, "K"), v = try heads(v0.tensor, kvHeads, "V")
            guard k.shape[0] == batch, v.shape[0] == batch, q.shape[3] == k.shape[3], k.shape[1] == v.shape[1], k.shape[2] == v.shape[2] else {
                throw ONNXError("Q \(q.shape), K \(k.shape) and V \(v.shape) (as [batch, heads, sequence, size]) do not fit together")
            }
            if inputs.count > 5, let pastK = inputs[4], let pastV = inputs[5] {
                guard pastK.rank == 4, pastV.rank == 4, Array(pastK.shape[0..<2]) == Array(k.shape[0..<2]), pastK.shape[3] == k.shape[3],
                      Array(pastV.shape[0..<2]) == Array(v.shape[0..<2]), pastV.shape[3] == v.shape[3], pastK.shape[2] == pastV.shape[2] else {
                    throw ONNXError("past_key \(pastK.shape) and past_value \(pastV.shape) do not fit K \(k.shape) and V \(v.shape)")
                }
                k = Tensor.concatenate([pastK.tensor, k], axis: 2)
                v = Tensor.concatenate([pastV.tensor, v], axis: 2)
            }
            let (presentK, presentV) = (k, v)
            let past = inputs.count > 4 ? inputs[4]?.shape[2] ?? 0 : 0
            let (hq, hk, sq, skv) = (q.shape[1], k.shape[1], q.shape[2], k.shape[2])
            if hq != hk {
                guard hk > 0, hq % hk == 0 else { throw ONNXError("\(hq) query heads are not a multiple of \(hk) key/value heads") }
                let reps = hq / hk
                k = k.unsqueeze(2).expand(to: [batch, hk, reps, skv, k.shape[3]]).reshape([batch, hq, skv, k.shape[3]])
                v = v.unsqueeze(2).expand(to: [batch, hk, reps, skv, v.shape[3]]).reshape([batch, hq, skv, v.shape[3]])
            }
            // The additive bias: mask, causal triangle, padding lengths (host-built, no gradient).
            var biasShape = [sq, skv]
            var bias = [Float](repeating: 0, count: sq * skv)
            if inputs.count > 3, let mask = inputs[3] {
                guard mask.rank >= 2, mask.shape.last! <= skv else { throw ONNXError("attn_mask \(mask.shape) is wider than the \(skv) keys") }
                var shape = mask.shape
                shape[shape.count - 1] = skv
                guard try broadcastShape([shape, [batch, hq, sq, skv]]) == [batch, hq, sq, skv] else {
                    throw ONNXError("attn_mask \(mask.shape) does not broadcast to \([batch, hq, sq, skv])")
                }
                let width = mask.shape.last!, rows = mask.count / Swift.max(width, 1)
                let values = mask.floats
                var padded = [Float](repeating: -.infinity, count: rows * skv)
                for r in 0..<rows {
                    for j in 0..<width {
                        let m = values[r * width + j]
                        padded[r * skv + j] = mask.elementType == .bool ? (m != 0 ? 0 : -.infinity) : m
                    }
                }
                let expanded = try broadcastShape([shape, biasShape])
                let (om, ob) = (broadcastOffsets(shape, to: expanded), broadcastOffsets(biasShape, to: expanded))
                bias = (0..<Shape.count(expanded)).map { padded[om[$0]] + bias[ob[$0]] }
                biasShape = expanded
            }
            if causal {
                let plane = sq * skv
                for p in 0..<bias.count where (p % plane) % skv > (p % plane) / skv + past { bias[p] = -.infinity }
            }
            if inputs.count > 6, let lengths = inputs[6] {
                guard lengths.shape == [batch] else { throw ONNXError("nonpad_kv_seqlen has shape \(lengths.shape), expected [\(batch)]") }
                let target = try broadcastShape([[batch, 1, 1, skv], biasShape])
                let ob = broadcastOffsets(biasShape, to: target)
                let l = lengths.ints
                bias = (0..<Shape.count(target)).map { p in
                    let (b, j) = (p / (Shape.count(Array(target[1...]))), p % skv)
                    return bias[ob[p]] + (j < l[b] ? 0 : -.infinity)
                }
                biasShape = target
            }
            let scale = givenScale.flatMap { $0 == 0 ? nil : $0 } ?? 1 / Float(q.shape[3]).squareRoot()
            var scores = q.matmul(k.transposed()) * scale
            if softcap > 0 { scores = (scores * (1 / softcap)).tanh() * softcap }
            let withBias = scores + Tensor(bias, shape: biasShape)
            let probabilities = withBias.softmax(axis: -1)
            var y = probabilities.matmul(v)
            if q0.rank == 3 { y = y.permute([0, 2, 1, 3]).reshape([batch, sq, -1]) }
            let qkOutput = outputMode == 3 ? probabilities : (outputMode == 2 ? withBias : scores)
            return [q0.with(y), k0.with(presentK), v0.with(presentV), q0.with(qkOutput)]
        }
    }
}
