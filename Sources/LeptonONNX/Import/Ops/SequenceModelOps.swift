import Foundation
import LeptonTensor

/// Building blocks of recent language models: `RotaryEmbedding` (opset 23, differentiable
/// tensor ops), `CausalConvWithState` (a depthwise causal 1-D convolution with a carried state,
/// on Lepton's conv2d) and `LinearAttention` (linear, gated, delta and gated-delta recurrences
/// over a `[batch, heads, d_k, d_v]` state, computed step by step on the host).
extension ONNXOperators {
    static var sequenceModels: [String: ONNXKernelBuilder] {
        ["RotaryEmbedding": rotaryEmbedding, "CausalConvWithState": causalConvWithState, "LinearAttention": linearAttention]
    }

    static let rotaryEmbedding: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...4)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        if ctx.has(3) { try ctx.type(3, in: [.int64]) }
        let interleaved = try ctx.int("interleaved", default: 0, in: 0...1) == 1
        let rotaryDim = try ctx.int("rotary_embedding_dim", default: 0), heads = try ctx.int("num_heads", default: 0)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            var x4: Tensor
            if x.rank == 4 {
                x4 = x.tensor.permute([0, 2, 1, 3])
            } else {
                guard x.rank == 3, heads > 0, x.shape[2] % heads == 0 else {
                    throw ONNXError("input \(x.shape) must be [batch, heads, sequence, size], or 3-D with num_heads dividing its last dimension")
                }
                x4 = x.tensor.reshape([x.shape[0], x.shape[1], heads, x.shape[2] / heads])
            }
            let (b, s, d) = (x4.shape[0], x4.shape[1], x4.shape[3])
            let rot = rotaryDim == 0 ? d : rotaryDim
            guard rot % 2 == 0, rot <= d else { throw ONNXError("rotary_embedding_dim \(rot) must be even and at most the head size \(d)") }
            let half = rot / 2
            var (cos, sin) = (inputs[1]!.tensor, inputs[2]!.tensor)
            if inputs.count > 3, let ids = inputs[3] {
                guard ids.shape == [b, s], cos.rank == 2, sin.shape == cos.shape else {
                    throw ONNXError("position_ids \(ids.shape) must be [\(b), \(s)] with 2-D caches, got \(cos.shape) and \(sin.shape)")
                }
                let rows = Tensor(indices: try ids.ints.map { try Index.resolve($0, cos.shape[0], what: "position id") })
                cos = cos.indexSelect(axis: 0, rows).reshape([b, s, cos.shape[1]])
                sin = sin.indexSelect(axis: 0, rows).reshape([b, s, sin.shape[1]])
            }
            guard cos.shape == [b, s, half], sin.shape == [b, s, half] else {
                throw ONNXError("cos/sin caches give \(cos.shape) and \(sin.shape), expected [\(b), \(s), \(half)]")
            }
            cos = cos.unsqueeze(2)
            sin = sin.unsqueeze(2)
            let rotate = x4.slice(axis: 3, start: 0, end: rot), rest = x4.slice(axis: 3, start: rot, end: d)
            let (x1, x2) = interleaved ? (rotate.slice(axis: 3, start: 0, end: rot, step: 2), rotate.slice(axis: 3, start: 1, end: rot, step: 2))
                : (rotate.slice(axis: 3, start: 0, end: half), rotate.slice(axis: 3, start: half, end: rot))
            let real = cos * x1 - sin * x2, imag = sin * x1 + cos * x2
            let rotated = interleaved ? Tensor.stack([real, imag], axis: 4).reshape(rotate.shape) : Tensor.concatenate([real, imag], axis: 3)
            let y = Tensor.concatenate([rotated, rest], axis: 3)
            return x.with(x.rank == 4 ? y.permute([0, 2, 1, 3]) : y.reshape(x.shape))
        }
    }

    static let causalConvWithState: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...4, outputs: 1...2)
        let type = try ctx.sameType([0, 1, 2, 3])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let activation = try ctx.choice("activation", ["none", "silu", "swish"])
        return ONNXKernel(outputTypes: [type, type]) { inputs in
            let (x, w) = (inputs[0]!, inputs[1]!)
            guard x.rank == 3, w.rank == 3, w.shape[0] == x.shape[1], w.shape[1] == 1, w.shape[2] >= 1 else {
                throw ONNXError("input \(x.shape) must be [batch, channels, length] and weight \(w.shape) [channels, 1, k]")
            }
            let (b, c, k) = (x.shape[0], x.shape[1], w.shape[2])
            let bias = inputs.count > 2 ? inputs[2] : nil
            if let bias, bias.shape != [c] { throw ONNXError("bias has shape \(bias.shape), expected [\(c)]") }
            var past = Tensor.zeros([b, c, k - 1])
            if inputs.count > 3, let state = inputs[3] {
                guard state.shape == [b, c, k - 1] else { throw ONNXError("past_state has shape \(state.shape), expected \([b, c, k - 1])") }
                past = state.tensor
            }
            let padded = Tensor.concatenate([past, x.tensor], axis: 2)
            var y = padded.unsqueeze(2).conv2d(w.tensor.unsqueeze(2), bias: bias?.tensor, groups: c).squeeze(2)
            if activation != "none" { y = y * y.sigmoid() }
            let length = padded.shape[2]
            return [x.with(y), x.with(padded.slice(axis: 2, start: length - (k - 1), end: length))]
        }
    }

    static let linearAttention: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...6, outputs: 1...2)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let rule = try ctx.choice("update_rule", ["gated_delta", "linear", "gated", "delta"])
        _ = try ctx.int("chunk_size")
        guard let qHeads = try ctx.int("q_num_heads"), let kvHeads = try ctx.int("kv_num_heads"),
              qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else {
            throw ctx.error("q_num_heads and kv_num_heads must be given, positive, with q_num_heads a multiple of kv_num_heads")
        }
        let gating = rule == "gated" || rule == "gated_delta", delta = rule == "delta" || rule == "gated_delta"
        guard ctx.has(4) == gating, ctx.has(5) == delta else {
            throw ctx.error("update_rule \(rule) \(gating ? "needs" : "forbids") decay and \(delta ? "needs" : "forbids") beta")
        }
        let scale = try ctx.float("scale", default: 0)
        let stateType = ctx.has(3) ? try ctx.type(3) : type
        return ONNXKernel(outputTypes: [type, stateType]) { inputs in
            try LinearAttentionRun(inputs: inputs, qHeads: qHeads, kvHeads: kvHeads, gating: gating, delta: delta, scale: scale)
                .run(type: type, stateType: stateType)
        }
    }
}

/// One `LinearAttention` evaluation (onnx's reference recurrence).
struct LinearAttentionRun {
    let q: [Float], k: [Float], v: [Float]
    let b: Int, t: Int, hq: Int, hkv: Int, dk: Int, dv: Int
    var state: [Float]
    let decay: [Float]?, decayWidth: Int
    let beta: [Float]?, betaWidth: Int
    let scale: Float

    init(inputs: [ONNXValue?], qHeads: Int, kvHeads: Int, gating: Bool, delta: Bool, scale: Float) throws {
        let (query, key, value) = (inputs[0]!, inputs[1]!, inputs[2]!)
        guard query.rank == 3, key.rank == 3, value.rank == 3, query.shape[2] % qHeads == 0, key.shape[2] % kvHeads == 0,
              value.shape[2] % kvHeads == 0, key.shape[0..<2] == query.shape[0..<2], value.shape[0..<2] == query.shape[0..<2] else {
            throw ONNXError("query \(query.shape), key \(key.shape) and value \(value.shape) must be [batch, time, heads·size]")
        }
        (b, t, hq, hkv) = (query.shape[0], query.shape[1], qHeads, kvHeads)
        (dk, dv) = (query.shape[2] / qHeads, value.shape[2] / kvHeads)
        guard key.shape[2] / kvHeads == dk else { throw ONNXError("key head size \(key.shape[2] / kvHeads) differs from the query's \(dk)") }
        (q, k, v) = (query.floats, key.floats, value.floats)
        if inputs.count > 3, let past = inputs[3] {
            guard past.shape == [b, hkv, dk, dv] else { throw ONNXError("past_state has shape \(past.shape), expected \([b, hkv, dk, dv])") }
            state = past.floats
        } else {
            state = [Float](repeating: 0, count: b * hkv * dk * dv)
        }
        let d = inputs.count > 4 ? inputs[4] : nil, be = inputs.count > 5 ? inputs[5] : nil
        if let d { guard d.rank == 3, d.shape[2] == hkv || d.shape[2] == hkv * dk else { throw ONNXError("decay has shape \(d.shape), expected last dimension \(hkv) or \(hkv * dk)") } }
        if let be { guard be.rank == 3, be.shape[2] == hkv || be.shape[2] == 1 else { throw ONNXError("beta has shape \(be.shape), expected last dimension \(hkv) or 1") } }
        decay = d?.floats
        decayWidth = d?.shape[2] ?? 0
        beta = be?.floats
        betaWidth = be?.shape[2] ?? 0
        self.scale = scale == 0 ? 1 / Float(dk).squareRoot() : scale
    }

    func run(type: ONNXElementType, stateType: ONNXElementType) -> [ONNXValue] {
        var s = state
        var out = [Float](repeating: 0, count: b * t * hq * dv)
        let group = hq / hkv
        for i in 0..<t {
            for n in 0..<b {
                for h in 0..<hkv {
                    let base = ((n * hkv + h) * dk) * dv
                    let kt = (0..<dk).map { k[(n * t + i) * hkv * dk + h * dk + $0] }
                    var vt = (0..<dv).map { v[(n * t + i) * hkv * dv + h * dv + $0] }
                    if let decay {
                        for r in 0..<dk {
                            let g = decayWidth == hkv ? decay[(n * t + i) * hkv + h] : decay[(n * t + i) * hkv * dk + h * dk + r]
                            let factor = Foundation.exp(g)
                            for m in 0..<dv { s[base + r * dv + m] *= factor }
                        }
                    }
                    if let beta {
                        let bt = beta[(n * t + i) * betaWidth + (betaWidth == 1 ? 0 : h)]
                        for m in 0..<dv {
                            var retrieved: Float = 0
                            for r in 0..<dk { retrieved += s[base + r * dv + m] * kt[r] }
                            vt[m] = bt * (vt[m] - retrieved)
                        }
                    }
                    for r in 0..<dk { for m in 0..<dv { s[base + r * dv + m] += kt[r] * vt[m] } }
                }
                for h in 0..<hq {
                    let base = ((n * hkv + h / group) * dk) * dv
                    for m in 0..<dv {
                        var sum: Float = 0
                        for r in 0..<dk { sum += q[(n * t + i) * hq * dk + h * dk + r] * s[base + r * dv + m] }
                        out[(n * t + i) * hq * dv + h * dv + m] = scale * sum
                    }
                }
            }
        }
        return [.floats(out, shape: [b, t, hq * dv], type: type), .floats(s, shape: [b, hkv, dk, dv], type: stateType)]
    }
}
